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
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Min, Q, Sum
from django.utils import timezone

from backcourse.courses.models import Course
from backcourse.lib.course_effect import (
    AS_MODELLED,
    GOAL_NOT_REACHED,
    MORE_THAN_PLANNED,
    NOT_AS_MODELLED,
    TOO_FEW,
    CourseEffect,
    Estimate,
    PracticePrior,
    SessionPoint,
    analyse_course,
)
from backcourse.measures.models import MeasureDefinition
from backcourse.outcomes.models import ComplaintOutcomeCount, CourseSummary, StoredPrior
from backcourse.portal.models import FollowUp
from backcourse.practices.reference import practice_reference
from backcourse.records.models import Measurement, TensionReading
from backcourse.records.selectors import CourseMeasureRow, course_measure_table
from backcourse.scheduling.models import Session

TENSION_SUM = "tension_sum"
SKIPPED_STATUSES = (Session.Status.CANCELLED, Session.Status.NO_SHOW)


def session_is_held(session: Session, now: datetime) -> bool:
    """A session feeds the maths when it may hold a record: it has started and was
    neither cancelled nor missed (`Session.record_problem`, the rule the record service
    enforces on the write side)."""
    return session.record_problem(now) is None


def held_sessions(queryset, now: datetime):
    """`Session.record_problem`'s rule as a queryset filter (for many courses at once)."""
    return queryset.exclude(status__in=SKIPPED_STATUSES).filter(starts_at__lte=now)


def _float(v) -> float | None:
    return None if v is None else float(v)


def points_from_rows(rows: list[CourseMeasureRow], measure_code: str) -> list[SessionPoint]:
    """SessionPoints of one measure from `records.selectors.course_measure_table` rows."""
    points = []
    for row in held_rows(rows):
        if measure_code == TENSION_SUM:
            # All regions palpated at 0 is a sum of 0, a real measurement; no readings
            # at all is "not measured".
            before = float(row.tension_sum or 0) if row.tension_read else None
            after = None
        else:
            before, after = row.measures.get(measure_code, (None, None))
        points.append(SessionPoint(day=row.date, before=_float(before), after=_float(after)))
    return points


def held_rows(rows: list[CourseMeasureRow]) -> list[CourseMeasureRow]:
    """The sessions that took place, for the maths, tables and counts."""
    now = timezone.now()
    return [r for r in rows if session_is_held(r.session, now)]


def course_rows(
    course: Course, *, techniques: bool = True, follow_ups: bool = False
) -> list[CourseMeasureRow]:
    """All non-cancelled sessions of the course with what was measured (4 queries; 3
    without the techniques, which the maths does not read). With `follow_ups`, the
    sessions come with the client's next-day answers (`follow_ups_of`), in the same
    query."""
    related = (FOLLOW_UP_RELATION,) if follow_ups else ()
    return course_measure_table(course, techniques=techniques, related=related)


#: A session's next-day follow-up (portal's FollowUp, one per session).
FOLLOW_UP_RELATION = "follow_up"


def follow_ups_of(rows: list[CourseMeasureRow]) -> dict[int, int]:
    """Session id -> the client's next-day answer, for rows whose sessions were loaded
    with their follow-up (`course_rows(follow_ups=True)`, or `select_related` of
    FOLLOW_UP_RELATION): no query."""
    out = {}
    for r in rows:
        answer = getattr(r.session, FOLLOW_UP_RELATION, None)
        if answer is not None and answer.value is not None:
            out[r.session.pk] = answer.value
    return out


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

    One query for all measures of the practice, kept in memory per process until the
    priors change (practices/reference.py); with `request`, also kept on the request
    (inside a transaction the process keeps nothing)."""
    memo = getattr(request, "_outcomes_priors", None) if request is not None else None
    if memo is None or memo[0] != practice.pk:
        stored = practice_reference(
            practice,
            "priors",
            lambda: {
                code: prior_from_params(params)
                for code, params in StoredPrior.objects.filter(practice=practice).values_list(
                    "measure_code", "params"
                )
            },
        )
        memo = (practice.pk, stored, {})  # the stored priors, this request's defaults
        if request is not None:
            request._outcomes_priors = memo
    _pk, stored, defaults = memo
    prior = stored.get(measure_code) or defaults.get(measure_code)
    if prior is None:
        # Bounded: the pages pass the measure's floor and ceiling to the maths.
        prior = defaults[measure_code] = PracticePrior.default(
            higher_is_better(measure_code), bounded=True
        )
    return prior


# --------------------------------------------------------------------------- analysis


def course_goal(course: Course, measure_code: str, points: list[SessionPoint]) -> float | None:
    """The course goal on this measure's scale, or None when the goal is on another one."""
    if course.goal_measure.code != measure_code:
        return None
    first = next((p.before for p in points if p.before is not None), None)
    return course.goal_threshold(first)


# The figures of the course-effect panel, in the order and with the numbers every page
# shows them (course page, client page, PDF, the client's own page).
FIGURE_KEYS = (
    "immediate_relief",
    "lasting_relief",
    "relapse_per_day",
    "sessions_to_goal",
    "level_at_planned",
    "plateau",
    "maintenance_interval",
)
# Units of the figures: "points" (the measure's own units, positive = better),
# "points_per_day", "sessions", "days", "level" (a value on the measure's scale).
FIGURE_UNITS = {
    "immediate_relief": "points",
    "lasting_relief": "points",
    "relapse_per_day": "points_per_day",
    "sessions_to_goal": "sessions",
    "level_at_planned": "level",
    "plateau": "level",
    "maintenance_interval": "days",
}
FORECASTS = ("sessions_to_goal", "level_at_planned", "plateau", "maintenance_interval")

#: The measure the client's next-day follow-up asks about.
FOLLOW_UP_MEASURE = "pain"


@dataclass(frozen=True)
class Figure:
    """One figure of the panel: a point estimate inside its 80 % interval, or the reason
    (a code, translated at the edge) why there is none."""

    key: str
    number: int
    value: float | None = None
    low: float | None = None
    high: float | None = None
    n: int = 0
    reason: str | None = None
    open_high: bool = False  # the upper end lies beyond the forecast horizon
    recent: tuple[float, ...] = ()  # immediate relief of the latest sessions, oldest first

    @property
    def unit(self) -> str:
        return FIGURE_UNITS[self.key]


@dataclass
class MeasureEffect:
    """Everything shown about one course on one measure: computed once, by
    `measure_effect`, and read by every page, the PDF and the API."""

    measure: MeasureDefinition
    points: list[SessionPoint]
    goal: float | None
    planned_sessions: int | None
    plan_maintenance_days: int
    effect: CourseEffect | None
    in_maintenance: bool = False
    status: str = AS_MODELLED
    figures: list[Figure] = field(default_factory=list)
    error: str | None = None

    @property
    def code(self) -> str:
        return self.measure.code

    @property
    def higher_is_better(self) -> bool:
        return not self.measure.lower_is_better

    @property
    def n_held(self) -> int:
        return len(self.points)

    @property
    def sessions_left(self) -> int | None:
        if self.planned_sessions is None:
            return None
        return max(self.planned_sessions - self.n_held, 0)

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)

    @property
    def more_sessions_than_planned(self) -> bool:
        """The forecast needs more sessions than the plan has left (the maths' note)."""
        e = self.effect
        return (
            e is not None
            and MORE_THAN_PLANNED in e.plan_notes
            and self.figure("sessions_to_goal").value is not None
        )

    @property
    def goal_out_of_reach(self) -> bool:
        """The fitted course levels off before the goal (the maths' plan note)."""
        e = self.effect
        return e is not None and self.status != NOT_AS_MODELLED and GOAL_NOT_REACHED in e.plan_notes

    @property
    def maintenance_means_something(self) -> bool:
        """A maintenance interval keeps a goal that is reached: the course is in its
        maintenance phase, or its latest before value meets the goal."""
        if self.figure("maintenance_interval").value is None:
            return False
        return self.in_maintenance or self.figure("sessions_to_goal").value == 0

    @property
    def maintenance_differs_from_plan(self) -> bool:
        """The plan's maintenance cadence lies outside the interval the data support."""
        mi = self.figure("maintenance_interval")
        if not self.maintenance_means_something or mi.low is None:
            return False
        plan = self.plan_maintenance_days
        return plan < mi.low or (mi.high is not None and plan > mi.high)


def _figure(key: str, est: Estimate) -> Figure:
    number = FIGURE_KEYS.index(key) + 1
    if est.median is None:
        return Figure(key, number, n=est.n_sessions, reason=est.code or TOO_FEW)
    return Figure(
        key,
        number,
        float(est.median),
        None if est.low is None else float(est.low),
        None if est.high is None else float(est.high),
        n=est.n_sessions,
        open_high=est.high is None,
    )


def _figures(e: CourseEffect | None) -> list[Figure]:
    """The maths' estimates as the panel's numbered figures."""
    if e is None:
        return [Figure(k, i + 1, reason=TOO_FEW) for i, k in enumerate(FIGURE_KEYS)]
    figs = {
        "immediate_relief": _figure("immediate_relief", e.immediate_relief_recent),
        "lasting_relief": _figure("lasting_relief", e.lasting_relief_estimate),
        "relapse_per_day": _figure("relapse_per_day", e.relapse_points_per_day),
        "sessions_to_goal": _figure("sessions_to_goal", e.sessions_to_goal),
        "level_at_planned": _figure("level_at_planned", e.level_at_planned_last_session),
        "plateau": _figure("plateau", e.plateau),
        "maintenance_interval": _figure("maintenance_interval", e.maintenance_interval_days),
    }
    # The sessions behind the immediate-relief mean, listed beside it.
    f = figs["immediate_relief"]
    if f.value is not None:
        recent = tuple(r for r in e.immediate_relief if r is not None)[-f.n :]
        figs["immediate_relief"] = dataclasses.replace(f, recent=recent)
    if e.status == NOT_AS_MODELLED:
        # The latest sessions break from the curve: no forecast from it.
        for key in FORECASTS:
            f = figs[key]
            figs[key] = Figure(key, f.number, n=f.n, reason=NOT_AS_MODELLED)
    return [figs[k] for k in FIGURE_KEYS]


def _followups(course: Course) -> dict[int, float]:
    """Session id -> the client's next-day answer (pain)."""
    return dict(
        FollowUp.objects.filter(session__course=course, value__isnull=False).values_list(
            "session_id", "value"
        )
    )


@dataclass(frozen=True)
class EffectInputs:
    """Everything `measure_effect` computes from, as plain values (and the measure): two
    equal `EffectInputs` give equal results."""

    measure: MeasureDefinition
    points: tuple[SessionPoint, ...]
    goal: float | None
    planned_sessions: int | None
    plan_maintenance_days: int
    in_maintenance: bool
    prior: PracticePrior


def effect_inputs(
    course: Course,
    measure: MeasureDefinition,
    rows,
    *,
    request=None,
    prior=None,
    followups: Mapping[int, float | None] | None = None,
) -> EffectInputs:
    """What `measure_effect` reads of the course, its rows, follow-ups and prior.

    `followups`: session id -> the client's next-day answer, at least for the held
    sessions, if the page has loaded them."""
    points = points_from_rows(rows, measure.code)
    if measure.code == FOLLOW_UP_MEASURE:
        # The client's next-day answer: a point between a session's after value and the
        # next session's before value, used by the maths' relapse estimate.
        answers = _followups(course) if followups is None else followups
        points = [
            dataclasses.replace(p, next_day=_float(answers.get(r.session.pk)))
            for p, r in zip(points, held_rows(rows), strict=True)
        ]
    if prior is None:
        prior = practice_prior(course.practice, measure.code, request=request)
    return EffectInputs(
        measure=measure,
        points=tuple(points),
        goal=course_goal(course, measure.code, points),
        planned_sessions=course.planned_sessions,
        plan_maintenance_days=course.maintenance_interval_days,
        in_maintenance=course.phase == Course.Phase.MAINTENANCE,
        prior=prior,
    )


def measure_effect(
    course: Course,
    measure: MeasureDefinition,
    rows,
    *,
    request=None,
    prior=None,
    followups: Mapping[int, float | None] | None = None,
) -> MeasureEffect:
    """The one computation behind every figure shown about `course` on `measure`.

    `followups`: session id -> the client's next-day answer, at least for the held
    sessions, if the page has loaded them."""
    return effect_of(
        effect_inputs(course, measure, rows, request=request, prior=prior, followups=followups)
    )


def effect_of(inputs: EffectInputs) -> MeasureEffect:
    """`measure_effect` from its inputs."""
    measure = inputs.measure
    points = list(inputs.points)
    result = MeasureEffect(
        measure=measure,
        points=points,
        goal=inputs.goal,
        planned_sessions=inputs.planned_sessions,
        plan_maintenance_days=inputs.plan_maintenance_days,
        effect=None,
        in_maintenance=inputs.in_maintenance,
    )
    try:
        result.effect = analyse_course(
            points,
            inputs.goal,
            higher_is_better=not measure.lower_is_better,
            prior=inputs.prior,
            planned_sessions=inputs.planned_sessions,
            floor=float(measure.min_value),
            ceiling=float(measure.max_value),
        )
    except ValueError as exc:  # out-of-order or malformed data; show the chart anyway
        result.error = str(exc)
    e = result.effect
    result.status = e.status if e is not None else TOO_FEW
    result.figures = _figures(e)
    return result


def course_effect(
    course: Course, measure_code: str, *, request=None, rows=None, prior=None
) -> CourseEffect:
    """The maths' result for one course on one measure (the API's view of the same
    computation as the panel)."""
    if rows is None:
        rows = course_rows(course)
    measure = measure_definition(measure_code)
    if measure is None:
        raise ValueError(f"unknown measure {measure_code!r}")
    result = measure_effect(course, measure, rows, request=request, prior=prior)
    if result.error:
        raise ValueError(result.error)
    return result.effect


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
        """The median session number over the courses that reached the change, from the
        counts per session (walked in order, not expanded into one value per course:
        a large practice has tens of thousands of courses per complaint)."""
        counts = sorted((k, c) for k, c in self.reached_at.items() if c > 0)
        n = sum(c for _k, c in counts)
        if not n:
            return None
        mid = n // 2

        def nth(i: int) -> int:
            seen = 0
            for k, c in counts:
                seen += c
                if i < seen:
                    return k
            raise IndexError(i)

        return nth(mid) if n % 2 else (nth(mid - 1) + nth(mid)) / 2


def practice_outcome_groups(practice):
    """Per complaint (case and spacing ignored), the counts of completed courses, largest
    group first, as a queryset of dicts to paginate.  Summed in SQL from the stored
    per-complaint counts (a few rows per complaint, however many courses)."""
    Pain = CourseSummary.Pain
    return (
        ComplaintOutcomeCount.objects.filter(practice=practice)
        .values("complaint_key")
        .annotate(
            complaint=Min("complaint"),
            total=Sum("courses"),
            reached=Sum("courses", filter=Q(pain=Pain.REACHED), default=0),
            not_reached=Sum("courses", filter=Q(pain=Pain.NOT_REACHED), default=0),
            not_measured=Sum("courses", filter=Q(pain=Pain.NOT_MEASURED), default=0),
        )
        .order_by("-total", "complaint_key")
    )


def practice_outcome_totals(practice) -> dict:
    Pain = CourseSummary.Pain
    totals = ComplaintOutcomeCount.objects.filter(practice=practice).aggregate(
        all_courses=Sum("courses", default=0),
        reached=Sum("courses", filter=Q(pain=Pain.REACHED), default=0),
        not_reached=Sum("courses", filter=Q(pain=Pain.NOT_REACHED), default=0),
        not_measured=Sum("courses", filter=Q(pain=Pain.NOT_MEASURED), default=0),
    )
    totals["courses"] = totals.pop("all_courses")
    return totals


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
    per_session = ComplaintOutcomeCount.objects.filter(
        practice=practice, complaint_key__in=list(out), pain=CourseSummary.Pain.REACHED
    ).values_list("complaint_key", "reached_session", "courses")
    for key, k, n in per_session:
        out[key].reached_at[k] = n
    return list(out.values())
