"""The client's course progress in plain numbers and words (no maths beyond averages;
the course-effect analysis lives in outcomes)."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from backcourse.records.models import Measurement
from backcourse.scheduling.models import Session


@dataclass
class Row:
    number: int
    starts_at: datetime
    pain_before: float | None
    pain_after: float | None
    next_day: float | None


@dataclass
class Progress:
    rows: list[Row]
    summary: str
    chart_template: str | None


def course_progress(course) -> Progress:
    sessions = list(
        course.sessions.exclude(status__in=[Session.Status.CANCELLED, Session.Status.NO_SHOW])
        .filter(status__in=[Session.Status.COMPLETED, Session.Status.CHECKED_IN])
        .order_by("starts_at")
    )
    values = {
        (m.record.session_id, m.moment): float(m.value)
        for m in Measurement.objects.filter(
            record__session__in=sessions, measure__code="pain"
        ).select_related("record")
    }
    from backcourse.portal.models import FollowUp

    next_day = {
        f.session_id: f.value
        for f in FollowUp.objects.filter(session__in=sessions, value__isnull=False)
    }
    rows = [
        Row(
            number=i,
            starts_at=s.starts_at,
            pain_before=values.get((s.pk, "before")),
            pain_after=values.get((s.pk, "after")),
            next_day=next_day.get(s.pk),
        )
        for i, s in enumerate(sessions, start=1)
    ]
    return Progress(rows=rows, summary=_summary(rows), chart_template=_chart_template())


def _summary(rows: list[Row]) -> str:
    befores = [r.pain_before for r in rows if r.pain_before is not None]
    if not rows:
        return _("Your course has not started yet. Your progress will show here.")
    if len(befores) < 2:
        return _("After your next session you will see here how your pain changes.")
    first, last = befores[0], befores[-1]
    relief = [
        r.pain_before - r.pain_after
        for r in rows
        if r.pain_before is not None and r.pain_after is not None
    ]
    parts = []
    if last < first:
        parts.append(
            _("Before your first session your pain was %(a)s out of 10; now it is %(b)s.")
            % {"a": f"{first:g}", "b": f"{last:g}"}
        )
    elif last > first:
        parts.append(
            _(
                "Your pain before sessions went from %(a)s to %(b)s out of 10. "
                "Talk to your therapist about it."
            )
            % {"a": f"{first:g}", "b": f"{last:g}"}
        )
    else:
        parts.append(_("Your pain before sessions is still %(a)s out of 10.") % {"a": f"{first:g}"})
    if relief:
        avg = sum(relief) / len(relief)
        parts.append(
            _("On average a session lowered your pain by %(d)s points right away.")
            % {"d": f"{avg:.1f}"}
        )
    return " ".join(parts)


def _chart_template() -> str:
    """The course-effect chart of the outcomes app, wrapped for the client's page."""
    return "portal/_course_chart_outcomes.html"
