"""Reads of the measure vocabulary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from backcourse.measures.models import MeasureDefinition, MuscleRegion, Technique
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


def region_codes(practice: Practice) -> dict[int, str]:
    """Every muscle region's code by id, kept in memory like `measure_definitions`."""
    return practice_reference(
        practice, "region_codes", lambda: dict(MuscleRegion.objects.values_list("id", "code"))
    )


def techniques_by_id(practice: Practice) -> dict[int, Technique]:
    """Every technique by id, in the admin's order, kept in memory like
    `measure_definitions`."""
    return practice_reference(
        practice,
        "techniques",
        lambda: {t.pk: t for t in Technique.objects.order_by("order", "code")},
    )
