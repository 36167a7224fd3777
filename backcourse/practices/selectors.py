"""Reads of a practice's own rows that many pages share."""

from __future__ import annotations

from backcourse.practices.models import Practice, StaffMember
from backcourse.practices.reference import practice_reference


def practice_staff(practice: Practice) -> dict[int, StaffMember]:
    """Every staff member of the practice (also former ones) by id, in StaffMember's
    order, with their user:
    kept in memory per process with the practice's reference data, which a colleague
    added, changed or renamed renews (practices/signals.py). For showing who someone
    is (`name`, role) on pages that would otherwise join staff and users to their rows;
    shared between requests, so never changed or saved."""
    return practice_reference(
        practice,
        "staff",
        lambda: StaffMember.objects.filter(practice=practice).select_related("user").in_bulk(),
    )
