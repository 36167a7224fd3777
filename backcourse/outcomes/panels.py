"""Template context for the course-effect panel, the client chart and the PDF report.

`course_effect_context(course, ...)` loads the course's measures once (4 queries), the
practice prior of the shown measure (2 queries, memoised on the request), analyses
the course and turns the result into labelled figures with their ranges, the number of
sessions behind them, and plain-words reasons where nothing can be estimated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import mean

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backcourse.courses.models import Course
from backcourse.lib.course_effect import CourseEffect, SessionPoint, analyse_course
from backcourse.measures.models import MeasureDefinition, MuscleRegion
from backcourse.outcomes import charts
from backcourse.outcomes.selectors import (
    TENSION_SUM,
    course_goal,
    course_rows,
    held_rows,
    points_from_rows,
    practice_prior,
)
from backcourse.records.selectors import body_chart_regions

# The maths module explains itself in English; these are the same reasons for people.
_REASONS = [
    (
        "needs at least 2 sessions with a before value",
        gettext_lazy("This needs a before value from at least two sessions."),
    ),
    (
        "no goal set",
        gettext_lazy("The course goal is set on another measure, so there is no goal on this one."),
    ),
    (
        "goal not reached within",
        gettext_lazy(
            "At the pace measured so far, the fitted course levels off before reaching the goal."
        ),
    ),
    (
        "needs at least one after value",
        gettext_lazy("This needs an after value from at least one session."),
    ),
    (
        "the latest session did not bring",
        gettext_lazy(
            "The latest session did not bring the value to the goal, so there is no interval to keep it there yet."
        ),
    ),
    (
        "needs at least one pair",
        gettext_lazy(
            "This needs an after value and the next session's before value, on different days."
        ),
    ),
    (
        "no measurable relapse",
        gettext_lazy("No measurable relapse: the value did not climb back between sessions."),
    ),
    ("no sessions", gettext_lazy("No measured sessions yet.")),
    (
        "the latest before value already meets the goal",
        gettext_lazy("The latest before value already meets the goal."),
    ),
    (
        "upper end of the range is beyond",
        gettext_lazy("The upper end of the range is beyond 50 further sessions."),
    ),
    (
        "range needs at least 3 intervals",
        gettext_lazy("A range needs at least three intervals between sessions."),
    ),
    ("upper end unbounded", gettext_lazy("The upper end is open: some intervals show no relapse.")),
    (
        "the first session has no before value",
        gettext_lazy(
            "The first session has no before value; figures start from the first recorded one."
        ),
    ),
    (
        "the prior was fitted",
        gettext_lazy(
            "The practice's experience was gathered on the opposite direction of this measure."
        ),
    ),
]


def plain_reason(text: str | None) -> str | None:
    if not text:
        return None
    for start, words in _REASONS:
        if text.startswith(start):
            return str(words)
    return text


@dataclass
class Figure:
    """One headline number with its range, its basis and, if missing, why."""

    key: str
    label: str
    value: str | None = None
    range: str | None = None
    basis: str = ""
    reason: str | None = None
    note: str | None = None
    help: str = ""


@dataclass
class MeasurePanel:
    code: str
    label: str
    unit: str
    higher_is_better: bool
    points: list[SessionPoint]
    effect: CourseEffect | None
    goal: float | None
    chart: str = ""
    figures: list[Figure] = field(default_factory=list)
    error: str | None = None

    @property
    def n_measured(self) -> int:
        return sum(p.before is not None or p.after is not None for p in self.points)


def _based_on(n: int) -> str:
    return _("based on %(n)s sessions") % {"n": n} if n != 1 else _("based on 1 session")


def _range(low, high, unit: str = "", decimals: int = 1) -> str | None:
    if low is None and high is None:
        return None
    lo = charts.fmt(low, decimals) if low is not None else "…"
    hi = charts.fmt(high, decimals) if high is not None else "…"
    return _("80 %% range %(low)s to %(high)s") % {"low": lo, "high": hi} + (
        f" {unit}" if unit else ""
    )


def _val(v, unit: str = "", decimals: int = 1) -> str:
    return charts.fmt(v, decimals) + (f" {unit}" if unit else "")


def relapse_rates(points: list[SessionPoint], higher_is_better: bool) -> list[float]:
    """Per interval: (next before − this after) / days, oriented so climbing back is > 0."""
    sign = -1.0 if higher_is_better else 1.0
    out = []
    for a, b in zip(points, points[1:], strict=False):
        if a.after is None or b.before is None:
            continue
        gap = (b.day - a.day).days if hasattr(b.day, "year") else b.day - a.day
        if gap > 0:
            out.append(sign * (b.before - a.after) / gap)
    return out


def figures_for(panel: MeasurePanel) -> list[Figure]:
    e, unit = panel.effect, panel.unit
    figs: list[Figure] = []
    # Immediate relief: mean of the last three sessions with both values.
    reliefs = [r for r in (e.immediate_relief if e else []) if r is not None][-3:]
    f = Figure(
        "immediate_relief",
        _("Immediate relief"),
        help=_(
            "How much better right after a session than right before it (mean of the last 3 sessions)."
        ),
    )
    if reliefs:
        f.value = _val(mean(reliefs), unit)
        f.range = (
            _("from %(low)s to %(high)s")
            % {"low": charts.fmt(min(reliefs)), "high": charts.fmt(max(reliefs))}
            if len(reliefs) > 1
            else None
        )
        f.basis = _based_on(len(reliefs))
    else:
        f.reason = _("This needs a before and an after value in the same session.")
    figs.append(f)

    # Lasting relief: first before value to the latest.
    befores = [p.before for p in panel.points if p.before is not None]
    f = Figure(
        "lasting_relief",
        _("Lasting relief"),
        help=_("How much better the before value is now than at the first session."),
    )
    if e is not None and e.lasting_relief is not None:
        f.value = _val(e.lasting_relief, unit)
        f.note = _("from %(first)s to %(latest)s") % {
            "first": charts.fmt(befores[0]),
            "latest": charts.fmt(befores[-1]),
        }
        if e.curve is not None:
            n = len(panel.points)
            sign = -1.0 if panel.higher_is_better else 1.0
            a = sign * (befores[0] - e.curve.band_high[n - 1])
            b = sign * (befores[0] - e.curve.band_low[n - 1])
            f.range = _range(min(a, b), max(a, b), unit)
        f.basis = _based_on(len(befores))
    else:
        f.reason = plain_reason(
            (e.reasons.get("lasting_relief") if e else None) or "needs at least 2"
        )
    figs.append(f)

    # Relapse per day between sessions.
    rates = relapse_rates(panel.points, panel.higher_is_better)
    f = Figure(
        "relapse_per_day",
        _("Relapse per day"),
        help=_("How fast the value climbs back between sessions (median over the intervals)."),
    )
    if e is not None and e.relapse_per_day is not None:
        f.value = _val(e.relapse_per_day, unit, 2)
        ci = getattr(e, "relapse_range", (None, None))
        if ci[0] is not None or ci[1] is not None:
            f.range = _range(ci[0], ci[1], unit, 2)
        elif len(rates) > 1:
            f.range = _("from %(low)s to %(high)s") % {
                "low": charts.fmt(min(rates), 2),
                "high": charts.fmt(max(rates), 2),
            }
        f.basis = _("based on %(n)s intervals between sessions") % {"n": len(rates)}
    else:
        f.reason = plain_reason(
            e.reasons.get("relapse_per_day") if e else "needs at least one pair"
        )
    figs.append(f)

    # Sessions still needed.
    f = Figure(
        "sessions_to_goal",
        _("Sessions still needed to reach the goal"),
        help=_("From the fitted course curve: the median and the 80 % range."),
    )
    est = e.sessions_to_goal if e else None
    if est is not None and est.median is not None:
        f.value = charts.fmt(est.median, 0)
        if est.median != 0 or est.high != 0:
            f.range = _range(est.low, est.high, decimals=0)
        f.basis = _based_on(est.n_sessions)
        f.note = plain_reason(est.note)
    else:
        f.reason = plain_reason(est.reason if est else "no sessions")
        if panel.goal is None and panel.effect is not None:
            f.reason = str(_REASONS[1][1])
    figs.append(f)

    # Maintenance interval.
    f = Figure(
        "maintenance_interval_days",
        _("Maintenance interval"),
        help=_(
            "Days after a session until the measured relapse brings the value back past the goal."
        ),
    )
    est = e.maintenance_interval_days if e else None
    if est is not None and est.median is not None:
        f.value = _("%(n)s days") % {"n": charts.fmt(est.median, 0)}
        f.range = _range(est.low, est.high, _("days"), 0)
        f.basis = _based_on(est.n_sessions)
        f.note = plain_reason(est.note)
    else:
        f.reason = plain_reason(est.reason if est else "no sessions")
    figs.append(f)

    # Expected level.
    f = Figure(
        "plateau",
        _("Expected level at the end of the course"),
        help=_("Where the fitted course curve levels off."),
    )
    if e is not None and e.curve is not None:
        pl = e.curve.plateau
        f.value = _val(pl.median, unit)
        f.range = _range(pl.low, pl.high, unit)
        f.basis = _based_on(pl.n_sessions)
    else:
        f.reason = plain_reason((e.reasons.get("curve") if e else None) or "needs at least 2")
    figs.append(f)
    return figs


# --------------------------------------------------------------------------- context


def measures_with_data(rows) -> list[MeasureDefinition]:
    codes = {code for r in rows for code, pair in r.measures.items() if pair != (None, None)}
    if any(r.record is not None and r.record.tension.all() for r in rows):
        codes.add(TENSION_SUM)
    return list(MeasureDefinition.objects.filter(code__in=codes).order_by("order", "code"))


def measure_panel(
    course: Course, measure: MeasureDefinition, rows, *, request=None, prior=None
) -> MeasurePanel:
    points = points_from_rows(rows, measure.code)
    higher = not measure.lower_is_better
    goal = course_goal(course, measure.code, points)
    panel = MeasurePanel(measure.code, measure.label, measure.unit, higher, points, None, goal)
    try:
        if prior is None:
            prior = practice_prior(course.practice, measure.code, request=request)
        panel.effect = analyse_course(points, goal, higher_is_better=higher, prior=prior)
    except ValueError as exc:  # out-of-order or malformed data; show the chart anyway
        panel.error = str(exc)
    scale = charts.measure_scale(
        points,
        panel.effect,
        goal,
        scale_min=float(measure.min_value),
        scale_max=float(measure.max_value),
        rating=measure.kind == MeasureDefinition.Kind.RATING,
    )
    panel.chart = charts.course_chart(
        points=points,
        effect=panel.effect,
        goal=goal,
        label=measure.label,
        unit=measure.unit,
        scale=scale,
        higher_is_better=higher,
    )
    panel.figures = figures_for(panel)
    return panel


def body_charts(rows, *, width: int = 180) -> list[dict]:
    """First and latest session with palpated tension, side by side."""
    with_tension = [r for r in rows if r.record is not None and r.record.tension.all()]
    if not with_tension:
        return []
    picks = [with_tension[0]] if len(with_tension) == 1 else [with_tension[0], with_tension[-1]]
    regions = list(MuscleRegion.objects.filter(is_active=True))
    out = []
    for i, row in enumerate(picks):
        which = _("First session") if i == 0 else _("Latest session")
        title = _("%(which)s, %(date)s: muscle tension by region") % {
            "which": which,
            "date": row.date.isoformat(),
        }
        out.append(
            {
                "which": which,
                "row": row,
                "total": sum(row.tension_by_region.values()),
                "svg": charts.body_chart(
                    body_chart_regions(row.tension_by_region, regions=regions),
                    title=title,
                    width=width,
                ),
            }
        )
    return out


def course_effect_context(
    course: Course,
    *,
    request=None,
    measure_code: str | None = None,
    all_measures: bool = False,
    with_body_charts: bool = True,
    rows=None,
) -> dict:
    """Everything `outcomes/_course_effect.html` and the report need.

    Pass `rows` (from `records.selectors.course_measure_table`) if the page has them.
    """
    if rows is None:
        rows = course_rows(course)
    measures = measures_with_data(rows)
    codes = [m.code for m in measures]
    default = (
        course.goal_measure.code
        if course.goal_measure.code in codes
        else (codes[0] if codes else None)
    )
    selected = measure_code if measure_code in codes else default
    if all_measures:
        panels = [measure_panel(course, m, rows, request=request) for m in measures]
    else:
        panels = [
            measure_panel(course, m, rows, request=request) for m in measures if m.code == selected
        ]
    held = held_rows(rows)
    return {
        "course": course,
        "rows": held,
        "table": session_table(held, measures),
        "measures": measures,
        "selected": selected,
        "panels": panels,
        "panel": panels[0] if panels else None,
        "body_charts": body_charts(rows) if with_body_charts else [],
        "tension_legend": charts.tension_legend(),
        "goal_text": course.goal_text,
        "show_report_link": getattr(request, "staff", None) is not None,
    }


def session_table(rows, measures) -> dict:
    """Sessions × measures (before → after) for the report's table."""
    columns = [m for m in measures if m.code != TENSION_SUM]
    body = []
    for number, r in enumerate(rows, 1):
        cells = []
        for m in columns:
            before, after = r.measures.get(m.code, (None, None))
            cells.append(
                (
                    charts.fmt(float(before)) if before is not None else "–",
                    charts.fmt(float(after)) if after is not None else "–",
                )
            )
        readings = list(r.record.tension.all()) if r.record is not None else []
        body.append(
            {
                "number": number,
                "date": r.date,
                "status": r.session.get_status_display(),
                "cells": cells,
                "tension": sum(t.level for t in readings) if readings else None,
                "techniques": ", ".join(str(t) for t in r.techniques),
            }
        )
    return {"columns": columns, "rows": body}
