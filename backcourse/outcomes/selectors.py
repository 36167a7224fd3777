"""Reads for the course-effect pages: a course's measures as `SessionPoint`s, the
practice's stored prior, and the analysis of one course.

Which sessions count (only held sessions feed the maths).  A course's sessions in time
order that have started and were neither cancelled nor no-shows.  A booked session next
week does not count, even if a value was typed on it by mistake; a session that took
place but has no record or no value of the measure is kept with missing values, so
session numbers stay true.

Dates are the practice-local dates of the sessions.

The practice prior.  Fitting it reads every completed course, so it is never done in a
request: `outcomes.services.practice_priors_refresh` fits it when a course completes
(a task) and stores it; `practice_prior` reads the stored row (one query per request,
memoised on the request object).  Without a stored prior the built-in default is used.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Min, Q, Sum
from django.utils import timezone

from backcourse.courses.models import Course
from backcourse.lib.course_effect import (
    CourseEffect,
    PracticePrior,
    SessionPoint,
    analyse_course,
)
from backcourse.measures.models import MeasureDefinition
from backcourse.outcomes.models import CourseSummary, StoredPrior
from backcourse.records.models import Measurement, TensionReading
from backcourse.records.selectors import CourseMeasureRow, course_measure_table
from backcourse.scheduling.models import Session

TENSION_SUM = "tension_sum"
SKIPPED_STATUSES = (Session.Status.CANCELLED, Session.Status.NO_SHOW)


def session_is_held(session: Session, now: datetime) -> bool:
    """A session feeds the maths once it has started and unless it was cancelled or
    missed.  (Saving a record on a session that has not started is refused by
    `records.services`; this is the read side of the same rule, so that a value typed
    before that refusal existed cannot turn a forecast.)"""
    return session.status not in SKIPPED_STATUSES and session.starts_at <= now


def held_sessions(queryset, now: datetime):
    """The same rule as `session_is_held`, as a queryset filter."""
    return queryset.exclude(status__in=SKIPPED_STATUSES).filter(starts_at__lte=now)


def _float(v) -> float | None:
    return None if v is None else float(v)


def points_from_rows(rows: list[CourseMeasureRow], measure_code: str) -> list[SessionPoint]:
    """SessionPoints of one measure from `records.selectors.course_measure_table` rows."""
    points = []
    for row in held_rows(rows):
        if measure_code == TENSION_SUM:
            # Prefetched, so no query. All regions palpated at 0 is a sum of 0, a real
            # measurement; no readings at all is "not measured".
            readings = list(row.record.tension.all()) if row.record is not None else []
            before = float(sum(t.level for t in readings)) if readings else None
            after = None
        else:
            before, after = row.measures.get(measure_code, (None, None))
        points.append(SessionPoint(day=row.date, before=_float(before), after=_float(after)))
    return points


def held_rows(rows: list[CourseMeasureRow]) -> list[CourseMeasureRow]:
    """The sessions that took place, for the maths, tables and counts."""
    now = timezone.now()
    return [r for r in rows if session_is_held(r.session, now)]


def course_rows(course: Course) -> list[CourseMeasureRow]:
    """All non-cancelled sessions of the course with what was measured (4 queries)."""
    return course_measure_table(course)


def course_points(course: Course, measure_code: str, *, rows=None) -> list[SessionPoint]:
    """The course's held sessions as points of one measure, in date order.

    `measure_code` is a MeasureDefinition code ("pain", "stress", ...) or
    "tension_sum" (the sum of palpated tension over regions, a before value only).
    Pass `rows` (from `course_rows`) to read several measures from one load.
    """
    if rows is None:
        rows = course_rows(course)
    return points_from_rows(rows, measure_code)


def measure_definition(code: str) -> MeasureDefinition | None:
    return MeasureDefinition.objects.filter(code=code).first()


def higher_is_better(measure_code: str) -> bool:
    if measure_code == TENSION_SUM:
        return False
    m = measure_definition(measure_code)
    return bool(m and not m.lower_is_better)


# --------------------------------------------------------------------------- prior


def completed_course_points_by_id(
    practice, measure_code: str, course_ids: list[int]
) -> dict[int, list[SessionPoint]]:
    """Course id -> held sessions as points of one measure, for the given courses of the
    practice (2 queries; callers pass bounded batches of ids)."""
    now = timezone.now()
    sessions = (
        held_sessions(Session.objects.filter(course_id__in=course_ids, practice=practice), now)
        .order_by("course_id", "starts_at", "id")
        .values_list("id", "course_id", "starts_at")
    )
    values: dict[int, list[float | None]] = defaultdict(lambda: [None, None])
    base = {"record__session__course_id__in": course_ids}
    if measure_code == TENSION_SUM:
        rows = (
            TensionReading.objects.filter(**base)
            .values("record__session_id")
            .annotate(total=Sum("level"))
            .values_list("record__session_id", "total")
        )
        for session_id, total in rows:
            values[session_id][0] = float(total)
    else:
        rows = Measurement.objects.filter(**base, measure__code=measure_code).values_list(
            "record__session_id", "moment", "value"
        )
        for session_id, moment, value in rows:
            values[session_id][0 if moment == Measurement.Moment.BEFORE else 1] = float(value)
    zone = practice.zone
    courses: dict[int, list[SessionPoint]] = defaultdict(list)
    for session_id, course_id, starts_at in sessions:
        before, after = values.get(session_id, (None, None))
        day: date = starts_at.astimezone(zone).date()
        courses[course_id].append(SessionPoint(day, before, after))
    return dict(courses)


def prior_from_params(params: dict) -> PracticePrior:
    """A stored prior back as a `PracticePrior` (fields the maths no longer has are
    dropped, new ones take their defaults)."""
    names = {f.name for f in dataclasses.fields(PracticePrior)}
    return PracticePrior(**{k: v for k, v in params.items() if k in names})


def practice_prior(practice, measure_code: str, *, request=None) -> PracticePrior:
    """The practice's stored prior of one measure, or the built-in default.

    One query for all measures of the practice; with `request`, kept on the request.
    """
    memo = getattr(request, "_outcomes_priors", None) if request is not None else None
    if memo is None or memo.get("practice") != practice.pk:
        memo = {
            "practice": practice.pk,
            "priors": {
                code: prior_from_params(params)
                for code, params in StoredPrior.objects.filter(practice=practice).values_list(
                    "measure_code", "params"
                )
            },
        }
        if request is not None:
            request._outcomes_priors = memo
    prior = memo["priors"].get(measure_code)
    if prior is None:
        prior = memo["priors"][measure_code] = PracticePrior.default(higher_is_better(measure_code))
    return prior


# --------------------------------------------------------------------------- analysis


def course_goal(course: Course, measure_code: str, points: list[SessionPoint]) -> float | None:
    """The course goal on this measure's scale, or None when the goal is on another one."""
    if course.goal_measure.code != measure_code:
        return None
    first = next((p.before for p in points if p.before is not None), None)
    return course.goal_threshold(first)


def course_effect(
    course: Course, measure_code: str, *, request=None, rows=None, prior=None
) -> CourseEffect:
    """Analyse one course on one measure, with the practice's prior and the course goal."""
    points = course_points(course, measure_code, rows=rows)
    higher = higher_is_better(measure_code)
    if prior is None:
        prior = practice_prior(course.practice, measure_code, request=request)
    return analyse_course(
        points,
        course_goal(course, measure_code, points),
        higher_is_better=higher,
        prior=prior,
    )


# --------------------------------------------------------------------------- practice


@dataclass
class ComplaintOutcome:
    """Finished courses of one complaint: at which session pain first dropped by 2
    points or 30 % (the usual clinically important change), or not at all."""

    complaint: str
    key: str = ""
    reached_at: dict[int, int] = field(default_factory=dict)  # session number -> courses
    reached: int = 0
    not_reached: int = 0
    not_measured: int = 0

    @property
    def total(self) -> int:
        return self.reached + self.not_reached + self.not_measured

    @property
    def median_session(self) -> float | None:
        values = sorted(k for k, c in self.reached_at.items() for _ in range(c))
        if not values:
            return None
        mid = len(values) // 2
        return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def practice_outcome_groups(practice):
    """Per complaint (case and spacing ignored), the counts of completed courses, largest
    group first, as a queryset of dicts to paginate.  Aggregated in SQL from the stored
    course summaries."""
    Pain = CourseSummary.Pain
    return (
        CourseSummary.objects.filter(practice=practice)
        .values("complaint_key")
        .annotate(
            complaint=Min("complaint"),
            total=Count("pk"),
            reached=Count("pk", filter=Q(pain=Pain.REACHED)),
            not_reached=Count("pk", filter=Q(pain=Pain.NOT_REACHED)),
            not_measured=Count("pk", filter=Q(pain=Pain.NOT_MEASURED)),
        )
        .order_by("-total", "complaint_key")
    )


def practice_outcome_totals(practice) -> dict:
    Pain = CourseSummary.Pain
    return CourseSummary.objects.filter(practice=practice).aggregate(
        courses=Count("pk"),
        reached=Count("pk", filter=Q(pain=Pain.REACHED)),
        not_reached=Count("pk", filter=Q(pain=Pain.NOT_REACHED)),
        not_measured=Count("pk", filter=Q(pain=Pain.NOT_MEASURED)),
    )


def practice_outcomes(practice, groups=None) -> list[ComplaintOutcome]:
    """`ComplaintOutcome`s for the given rows of `practice_outcome_groups` (by default all
    of them): two queries whatever the number of courses."""
    if groups is None:
        groups = practice_outcome_groups(practice)
    out = {
        g["complaint_key"]: ComplaintOutcome(
            g["complaint"],
            g["complaint_key"],
            reached=g["reached"],
            not_reached=g["not_reached"],
            not_measured=g["not_measured"],
        )
        for g in groups
    }
    per_session = (
        CourseSummary.objects.filter(
            practice=practice, complaint_key__in=list(out), pain=CourseSummary.Pain.REACHED
        )
        .values_list("complaint_key", "reached_session")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for key, k, n in per_session:
        out[key].reached_at[k] = n
    return list(out.values())
