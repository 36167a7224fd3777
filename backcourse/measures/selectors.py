"""Reads of the measure vocabulary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from backcourse.measures.models import MeasureDefinition
from backcourse.practices.reference import practice_reference

if TYPE_CHECKING:
    from backcourse.practices.models import Practice


def measure_definitions(practice: Practice) -> list[MeasureDefinition]:
    """Every measure, in the admin's order: kept in memory per process with the
    practice's reference data (read again after any measure is saved)."""
    return practice_reference(
        practice,
        "measure_definitions",
        lambda: list(MeasureDefinition.objects.order_by("order", "code")),
    )
