"""The client's course progress: their own measurements, and the course-effect figures
in the second person — the same computation and numbering as the staff page
(`outcomes.selectors.measure_effect` through `outcomes.panels`), on the course's goal
measure, with no forecast band past the planned course."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from backcourse.outcomes.panels import MeasurePanel, client_sentences, measure_panel
from backcourse.outcomes.selectors import course_rows, follow_ups_of, held_rows
from backcourse.records.models import Measurement
from backcourse.scheduling.models import Session


@dataclass
class Row:
    number: int | None  # held rows always have one (records.selectors)
    starts_at: datetime
    pain_before: float | None
    pain_after: float | None
    next_day: float | None


@dataclass
class Progress:
    rows: list[Row]
    summary: str
    panel: MeasurePanel | None
    sentences: list[tuple[int, str]]
    sessions: list[Session]  # the course's sessions but cancelled ones, as loaded


def course_progress(course, *, request=None) -> Progress:
    loaded = course_rows(course, techniques=False, follow_ups=True)
    held = held_rows(loaded)
    next_day = follow_ups_of(held)
    rows = [
        Row(
            number=r.number,
            starts_at=r.session.starts_at,
            pain_before=_value(r, "pain", Measurement.Moment.BEFORE),
            pain_after=_value(r, "pain", Measurement.Moment.AFTER),
            next_day=next_day.get(r.session.pk),
        )
        for r in held
    ]
    panel = None
    code = course.goal_measure.code
    if any(r.measures.get(code, (None, None)) != (None, None) for r in held):
        panel = measure_panel(
            course,
            course.goal_measure,
            loaded,
            request=request,
            client_view=True,
            followups=next_day,  # the answers of the held sessions: all the maths reads
        )
    return Progress(
        rows=rows,
        summary=_summary(rows),
        panel=panel,
        sentences=client_sentences(panel) if panel is not None else [],
        sessions=[r.session for r in loaded],
    )


def _value(row, code: str, moment: str) -> float | None:
    v = row.value(code, moment)
    return None if v is None else float(v)


def _summary(rows: list[Row]) -> str:
    """The measured values themselves, first and latest (no model)."""
    befores = [r.pain_before for r in rows if r.pain_before is not None]
    if not rows:
        return _("Your course has not started yet. Your progress will show here.")
    if len(befores) < 2:
        return _("After your next session you will see here how your pain changes.")
    first, last = befores[0], befores[-1]
    if last < first:
        return _("Before your first session your pain was %(a)s out of 10; now it is %(b)s.") % {
            "a": f"{first:g}",
            "b": f"{last:g}",
        }
    if last > first:
        return _(
            "Your pain before sessions went from %(a)s to %(b)s out of 10. "
            "Talk to your therapist about it."
        ) % {"a": f"{first:g}", "b": f"{last:g}"}
    return _("Your pain before sessions is still %(a)s out of 10.") % {"a": f"{first:g}"}
