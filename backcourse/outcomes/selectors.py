"""Reads for the course-effect pages: a course's measures as `SessionPoint`s, the
practice's prior from its finished courses, and the analysis of one course.

Which sessions count.  A course's sessions in time order, without cancelled ones and
no-shows (no treatment happened), and without sessions that have not started yet and
hold no values (a booked session next week is not a measured session).  A session
that took place but has no record or no value of the measure is kept with missing
values, so session numbers stay true.

Dates are the practice-local dates of the sessions.

Caching.  The prior is recomputed from the database when asked for, memoised on the
request object (one computation per request and measure) — never in process memory
shared across requests, so any app server gives the same answer.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from statistics import median

from django.db.models import Sum
from django.utils import timezone

from backcourse.courses.models import Course
from backcourse.lib.course_effect import (
    CourseEffect,
    PracticePrior,
    SessionPoint,
    analyse_course,
    clinically_important_session,
)
from backcourse.measures.models import MeasureDefinition
from backcourse.records.models import Measurement, TensionReading
from backcourse.records.selectors import CourseMeasureRow, course_measure_table
from backcourse.scheduling.models import Session

TENSION_SUM = "tension_sum"
_SKIPPED_STATUSES = (Session.Status.CANCELLED, Session.Status.NO_SHOW)


def _counts(session: Session, has_values: bool, now) -> bool:
    if session.status in _SKIPPED_STATUSES:
        return False
    return has_values or session.starts_at <= now


def _float(v) -> float | None:
    return None if v is None else float(v)


def points_from_rows(rows: list[CourseMeasureRow], measure_code: str) -> list[SessionPoint]:
    """SessionPoints of one measure from `records.selectors.course_measure_table` rows."""
    now = timezone.now()
    points = []
    for row in rows:
        if measure_code == TENSION_SUM:
            # Prefetched, so no query. All regions palpated at 0 is a sum of 0, a real
            # measurement; no readings at all is "not measured".
            readings = list(row.record.tension.all()) if row.record is not None else []
            before = float(sum(t.level for t in readings)) if readings else None
            after = None
        else:
            before, after = row.measures.get(measure_code, (None, None))
        if not _counts(row.session, before is not None or after is not None, now):
            continue
        points.append(SessionPoint(day=row.date, before=_float(before), after=_float(after)))
    return points


def held_rows(rows: list[CourseMeasureRow]) -> list[CourseMeasureRow]:
    """The sessions that took place (or already hold values), for tables and counts."""
    now = timezone.now()
    return [r for r in rows if _counts(r.session, r.record is not None, now)]


def course_rows(course: Course) -> list[CourseMeasureRow]:
    """All non-cancelled sessions of the course with what was measured (4 queries)."""
    return course_measure_table(course)


def course_points(course: Course, measure_code: str, *, rows=None) -> list[SessionPoint]:
    """The course's measured sessions as points of one measure, in date order.

    `measure_code` is a MeasureDefinition code ("pain", "stress", ...) or
    "tension_sum" (the sum of palpated tension over regions, a before value only).
    Pass `rows` (from `course_rows`) to read several measures from one load.
    """
    if rows is None:
        rows = course_rows(course)
    return points_from_rows(rows, measure_code)


def measure_definition(code: str) -> MeasureDefinition | None:
    return MeasureDefinition.objects.filter(code=code).first()


# --------------------------------------------------------------------------- prior


def completed_course_points(practice, measure_code: str) -> list[list[SessionPoint]]:
    """Every completed course of the practice as a list of points (2 queries)."""
    return list(completed_course_points_by_id(practice, measure_code).values())


def completed_course_points_by_id(practice, measure_code: str) -> dict[int, list[SessionPoint]]:
    """Course id -> points, for every completed course of the practice (2 queries)."""
    sessions = (
        Session.objects.filter(course__practice=practice, course__status=Course.Status.COMPLETED)
        .exclude(status__in=_SKIPPED_STATUSES)
        .order_by("course_id", "starts_at", "id")
        .values_list("id", "course_id", "starts_at")
    )
    values: dict[int, list[float | None]] = defaultdict(lambda: [None, None])
    base = {"record__session__course__practice": practice}
    base["record__session__course__status"] = Course.Status.COMPLETED
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


def practice_prior(practice, measure_code: str, *, request=None) -> PracticePrior:
    """The practice's empirical-Bayes prior for one measure, from its completed courses.

    With `request`, the result is kept on the request for the rest of that request.
    """
    memo = None
    if request is not None:
        memo = getattr(request, "_outcomes_priors", None)
        if memo is None:
            memo = request._outcomes_priors = {}
        key = (practice.pk, measure_code)
        if key in memo:
            return memo[key]
    higher = _higher_is_better(measure_code)
    prior = PracticePrior.from_courses(
        completed_course_points(practice, measure_code), higher_is_better=higher
    )
    if memo is not None:
        memo[(practice.pk, measure_code)] = prior
    return prior


def _higher_is_better(measure_code: str) -> bool:
    if measure_code == TENSION_SUM:
        return False
    m = measure_definition(measure_code)
    return bool(m and not m.lower_is_better)


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
    higher = _higher_is_better(measure_code)
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
    reached_at: dict[int, int] = field(default_factory=dict)  # session number -> courses
    not_reached: int = 0
    not_measured: int = 0

    @property
    def reached(self) -> int:
        return sum(self.reached_at.values())

    @property
    def total(self) -> int:
        return self.reached + self.not_reached + self.not_measured

    @property
    def median_session(self) -> float | None:
        values = sorted(k for k, c in self.reached_at.items() for _ in range(c))
        return median(values) if values else None


def practice_outcomes(practice) -> list[ComplaintOutcome]:
    """Per complaint (case and spacing ignored), for completed courses: the session at
    which pain first improved by >= 2 points or >= 30 % of the first before value.
    Three queries whatever the number of courses."""
    courses = Course.objects.filter(practice=practice, status=Course.Status.COMPLETED).values_list(
        "id", "complaint"
    )
    points = completed_course_points_by_id(practice, "pain")
    groups: dict[str, ComplaintOutcome] = {}
    for course_id, complaint in courses:
        key = " ".join(complaint.split()).casefold()
        group = groups.setdefault(key, ComplaintOutcome(" ".join(complaint.split())))
        befores = [p.before for p in points.get(course_id, [])]
        if sum(b is not None for b in befores) < 2:
            group.not_measured += 1
            continue
        k = clinically_important_session(befores)
        if k is None:
            group.not_reached += 1
        else:
            group.reached_at[k] = group.reached_at.get(k, 0) + 1
    return sorted(groups.values(), key=lambda g: (-g.total, g.complaint.casefold()))
