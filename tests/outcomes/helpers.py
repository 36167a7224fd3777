"""Build measured courses for the outcomes tests."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from backcourse.measures.models import MeasureDefinition, MuscleRegion
from backcourse.records.models import Measurement, SessionRecord, TensionReading
from tests import factories as f


def add_session(
    course, day: int, *, pain=None, stress=None, tension=None, status="completed", hour: int = 9
):
    """A session `day` days after 2026-11-02 09:00 UTC with pain/stress (before, after)
    pairs and tension {region code: level}. Returns the Session."""
    session = f.SessionFactory(
        course=course,
        starts_at=datetime(2026, 11, 2, hour, tzinfo=UTC) + timedelta(days=day),
        status=status,
    )
    if pain is None and stress is None and tension is None:
        return session
    record = SessionRecord.objects.create(session=session)
    for code, pair in (("pain", pain), ("stress", stress)):
        if pair is None:
            continue
        measure = MeasureDefinition.objects.get(code=code)
        for moment, value in zip(("before", "after"), pair, strict=True):
            if value is not None:
                Measurement.objects.create(
                    record=record, measure=measure, moment=moment, value=Decimal(str(value))
                )
    for code, level in (tension or {}).items():
        TensionReading.objects.create(
            record=record, region=MuscleRegion.objects.get(code=code), level=level
        )
    return session


def measured_course(course, pains, *, gap=7, stress=None, tension=None, hour: int = 9):
    """One session per (before, after) pair, `gap` days apart."""
    sessions = []
    for i, pain in enumerate(pains):
        sessions.append(
            add_session(
                course,
                i * gap,
                pain=pain,
                stress=stress[i] if stress else None,
                tension=tension[i] if tension else None,
                hour=hour,
            )
        )
    return sessions
