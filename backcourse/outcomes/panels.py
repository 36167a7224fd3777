"""Template context for the course-effect panel, the client chart and the PDF report.

`course_effect_context(course, ...)` loads the course's measures once (4 queries) and the
practice's stored priors (1 query, memoised on the request); `selectors.measure_effect`
computes each measure once, and this module only turns that one result into words: the
numbered figures with units and 80 % ranges, the sessions behind them, plain-words
reasons where nothing can be estimated, and one sentence where data and plan disagree.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from backcourse.courses.models import Course
from backcourse.lib.course_effect import MAX_SESSIONS, RECENT
from backcourse.measures.models import MeasureDefinition, MuscleRegion
from backcourse.outcomes import charts
from backcourse.outcomes.selectors import (
    NOT_AS_MODELLED,
    TENSION_SUM,
    EffectInputs,
    Figure,
    MeasureEffect,
    course_rows,
    effect_inputs,
    effect_of,
    held_rows,
)
from backcourse.records.selectors import body_chart_regions

# Why a figure has no value, by the code the maths (or `selectors`) gives.
REASONS = {
    "too_few_sessions": gettext_lazy("Too few sessions yet: this needs values from at least 3."),
    "no_sessions": gettext_lazy("No measured sessions yet."),
    "no_goal": gettext_lazy(
        "The course goal is set on another measure, so there is no goal on this one."
    ),
    "no_planned_sessions": gettext_lazy("Open-ended course: there is no planned last session."),
    "goal_not_reached": gettext_lazy(
        "At the pace measured so far, the fitted course levels off before reaching the goal."
    ),
    "not_as_modelled": gettext_lazy("No forecast while the course is not going as modelled."),
}

LABELS = {
    "immediate_relief": gettext_lazy("Immediate relief"),
    "lasting_relief": gettext_lazy("Lasting relief so far"),
    "relapse_per_day": gettext_lazy("Relapse between sessions"),
    "sessions_to_goal": gettext_lazy("Sessions still needed to reach the goal"),
    "level_at_planned": gettext_lazy("Expected level at the planned last session"),
    "plateau": gettext_lazy("Where the course levels off"),
    "maintenance_interval": gettext_lazy("Maintenance interval"),
}

HELP = {
    "immediate_relief": gettext_lazy(
        "How much better right after a session than right before it: the mean of the "
        "latest sessions with both values (up to %(n)s)."
    ),
    "lasting_relief": gettext_lazy(
        "How much better the fitted course is at the latest session than at the first."
    ),
    "relapse_per_day": gettext_lazy(
        "How fast a session's relief wears off between sessions, per day."
    ),
    "sessions_to_goal": gettext_lazy(
        "Further sessions until the fitted course curve reaches the goal."
    ),
    "level_at_planned": gettext_lazy(
        "The fitted course curve at the last session of the plan (the marker on the chart)."
    ),
    "plateau": gettext_lazy(
        "The level the fitted course curve approaches if sessions go on (the dotted line)."
    ),
    "maintenance_interval": gettext_lazy(
        "Days after a session until the measured relapse brings the value back past the goal."
    ),
}


@dataclass
class FigureText:
    """One figure as people read it: its number, label, value with unit, interval."""

    key: str
    number: int
    label: str
    value: str | None = None
    range: str | None = None
    detail: str | None = None
    basis: str = ""
    reason: str | None = None
    help: str = ""
    sentence: str = ""  # the client's own page: the figure in the second person


@dataclass
class MeasurePanel:
    """The panel of one measure: the shared computation plus its chart and texts."""

    result: MeasureEffect
    chart: str = ""
    chart_narrow: str = ""  # the same chart for a phone
    figures: list[FigureText] = field(default_factory=list)
    advice: list[str] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.result.code

    @property
    def label(self) -> str:
        return self.result.measure.label

    @property
    def unit(self) -> str:
        return self.result.measure.unit

    @property
    def goal(self):
        return self.result.goal

    @property
    def points(self):
        return self.result.points

    @property
    def effect(self):
        return self.result.effect

    @property
    def error(self):
        return self.result.error

    @property
    def not_as_modelled(self) -> bool:
        return self.result.status == NOT_AS_MODELLED

    @property
    def n_measured(self) -> int:
        return sum(p.before is not None or p.after is not None for p in self.points)


def _decimals(f: Figure) -> int:
    """Enough decimals that a range of some width never reads as "2 to 2"."""
    if f.unit == "sessions":
        return 0
    if f.unit == "days":
        base = 0
    elif f.unit == "points_per_day":
        base = 2
    else:
        base = 1
    lo, hi = f.low, f.high
    if lo is None or hi is None or hi - lo <= 0:
        return base
    d = base
    while d < 3 and round(lo, d) == round(hi, d):
        d += 1
    return d


def unit_text(f: Figure, measure: MeasureDefinition, value: float | None = None) -> str:
    """The unit of a figure in words: "points", "cm per day", "sessions", "days"."""
    points = measure.unit or _("points")
    if f.unit == "points":
        return points
    if f.unit == "points_per_day":
        return _("%(unit)s per day") % {"unit": points}
    if f.unit == "sessions":
        return ngettext("session", "sessions", int(value or 0))
    if f.unit == "days":
        return _("days")
    return measure.unit  # a level on the measure's own scale


def _with_unit(text: str, unit: str) -> str:
    return f"{text} {unit}" if unit else text


def figure_text(f: Figure, result: MeasureEffect) -> FigureText:
    measure = result.measure
    label = str(LABELS[f.key])
    if f.key == "level_at_planned" and result.planned_sessions:
        label = _("Expected level at the planned last session (session %(k)s)") % {
            "k": result.planned_sessions
        }
    t = FigureText(f.key, f.number, label, help=str(HELP[f.key]) % {"n": RECENT})
    if f.value is None:
        t.reason = str(REASONS.get(f.reason or "", REASONS["too_few_sessions"]))
        return t
    d = _decimals(f)
    unit = unit_text(f, measure, f.value)
    if f.key == "sessions_to_goal" and f.value == 0:
        t.value = _("0 — goal reached")
        t.detail = _("The latest before value already meets the goal.")
    elif f.key == "maintenance_interval":
        t.value = _("every %(n)s days") % {"n": charts.fmt(f.value, d)}
    else:
        t.value = _with_unit(charts.fmt(f.value, d), unit)
    has_range = f.low is not None or f.high is not None or f.open_high
    if has_range and not (f.key == "sessions_to_goal" and f.value == 0):
        lo = charts.fmt(f.low, d) if f.low is not None else "…"
        if f.open_high:
            hi = _("more than %(n)s") % {"n": MAX_SESSIONS} if f.unit == "sessions" else "…"
        else:
            hi = charts.fmt(f.high, d)
        if lo == hi:
            # a range that holds a single value (as printed) reads as that value, never
            # "2 to 2"
            one = f.low if f.low is not None else f.value
            range_unit = unit_text(f, measure, one) if f.unit != "level" else measure.unit
            t.range = _with_unit(_("80 %% range %(value)s") % {"value": lo}, range_unit)
        else:
            range_unit = unit_text(f, measure, 2) if f.unit != "level" else measure.unit
            t.range = _with_unit(
                _("80 %% range %(low)s to %(high)s") % {"low": lo, "high": hi}, range_unit
            )
    if f.key == "lasting_relief" and result.status == NOT_AS_MODELLED:
        t.detail = _("from the start of the fitted curve to the latest before value")
    if f.key == "immediate_relief" and f.recent:
        t.detail = _("mean of the latest %(n)s sessions: %(values)s") % {
            "n": len(f.recent),
            "values": " · ".join(charts.fmt(r, 1) for r in f.recent),
        }
    if f.key in ("relapse_per_day", "maintenance_interval"):
        t.basis = ngettext(
            "based on %(n)s interval between sessions",
            "based on %(n)s intervals between sessions",
            f.n,
        ) % {"n": f.n}
    else:
        t.basis = ngettext("based on %(n)s session", "based on %(n)s sessions", f.n) % {"n": f.n}
    return t


def advice_for(result: MeasureEffect) -> list[str]:
    """Plain sentences where the data and the plan disagree, or the course breaks from
    its curve."""
    out = []
    if result.status == NOT_AS_MODELLED:
        fits_until = result.effect.curve_fits_until if result.effect is not None else None
        if fits_until:
            out.append(
                _(
                    "Not going as modelled: from session %(k)s the before values rise above "
                    "the fitted curve, which the chart draws up to session %(j)s only. "
                    "Lasting relief is measured from the curve's start to the latest before "
                    "value. There is no forecast until the course settles; consider "
                    "reviewing the plan with the client."
                )
                % {"k": fits_until + 1, "j": fits_until}
            )
        else:
            out.append(
                _(
                    "Not going as modelled: the latest before values rise above the fitted "
                    "curve. There is no forecast until the course settles; consider "
                    "reviewing the plan with the client."
                )
            )
    if result.more_sessions_than_planned:
        need = int(result.figure("sessions_to_goal").value)
        out.append(
            ngettext(
                "The data suggest about %(need)s more sessions to reach the goal, but the "
                "plan has %(left)s session left: consider extending the plan.",
                "The data suggest about %(need)s more sessions to reach the goal, but the "
                "plan has %(left)s sessions left: consider extending the plan.",
                result.sessions_left,
            )
            % {"need": need, "left": result.sessions_left}
        )
    if result.goal_out_of_reach:
        out.append(
            _(
                "At the pace measured so far the course levels off before the goal: consider "
                "revising the goal or the treatment plan."
            )
        )
    if result.maintenance_differs_from_plan:
        mi = result.figure("maintenance_interval")
        words = {
            "d": charts.fmt(mi.value, 0),
            "lo": charts.fmt(mi.low, 0),
            "hi": charts.fmt(mi.high, 0) if mi.high is not None else "…",
            "plan": result.plan_maintenance_days,
        }
        if words["lo"] == words["hi"]:
            out.append(
                _(
                    "The measured relapse suggests a maintenance session about every %(d)s "
                    "days, but the plan says every %(plan)s days: consider adjusting the "
                    "maintenance interval."
                )
                % words
            )
        else:
            out.append(
                _(
                    "The measured relapse suggests a maintenance session about every %(d)s "
                    "days (80 %% range %(lo)s to %(hi)s), but the plan says every %(plan)s "
                    "days: consider adjusting the maintenance interval."
                )
                % words
            )
    return out


def before_only(measure: MeasureDefinition) -> bool:
    """Measured once per session (a tension sum): there is no relief within a session."""
    return measure.kind == MeasureDefinition.Kind.TENSION_SUM or not measure.recorded_after


def shown(f: Figure, result: MeasureEffect) -> bool:
    """Immediate relief and relapse only for measures taken before and after a session;
    the maintenance interval only when there is a reached goal to keep."""
    if f.key in ("immediate_relief", "relapse_per_day") and before_only(result.measure):
        return False
    return f.key != "maintenance_interval" or result.maintenance_means_something


def chart_for(result: MeasureEffect, *, client_view: bool = False, narrow: bool = False) -> str:
    """The course chart; `narrow`: the same chart drawn for a phone (360 wide, the
    legend over more rows), shown instead of the wide one below 600 px."""
    measure = result.measure
    rating = measure.kind == MeasureDefinition.Kind.RATING
    tension = measure.kind == MeasureDefinition.Kind.TENSION_SUM
    forecast = result.status != NOT_AS_MODELLED
    # The client's own chart shows no forecast past the planned course (none at all for
    # an open-ended course).
    horizon = None
    if client_view:
        horizon = result.planned_sessions or result.n_held
    scale = charts.measure_scale(
        result.points,
        result.effect,
        result.goal,
        scale_min=float(measure.min_value),
        scale_max=float(measure.max_value),
        rating=rating,
        from_zero=tension or rating,
        # the figures drawn on the chart must fit on it
        extra=[
            v
            for f in (result.figure("level_at_planned"), result.figure("plateau"))
            for v in (f.value, f.low, f.high)
            if v is not None and forecast
        ],
    )
    return charts.course_chart(
        points=result.points,
        effect=result.effect,
        goal=result.goal,
        label=measure.label,
        unit=measure.unit,
        scale=scale,
        higher_is_better=result.higher_is_better,
        before_only=before_only(measure),
        forecast=forecast,
        horizon=horizon,
        planned=result.planned_sessions,
        level_at_planned=result.figure("level_at_planned") if forecast else None,
        plateau=result.figure("plateau") if forecast else None,
        **({"width": 360, "height_for_plot": 220} if narrow else {}),
    )


def measure_panel(
    course: Course,
    measure: MeasureDefinition,
    rows,
    *,
    request=None,
    prior=None,
    client_view: bool = False,
    followups: Mapping[int, float | None] | None = None,
) -> MeasurePanel:
    inputs = effect_inputs(course, measure, rows, request=request, prior=prior, followups=followups)
    key = panel_cache_key(course, inputs, client_view=client_view)
    panel = cache.get(key)
    if panel is None:
        panel = _panel_of(inputs, client_view=client_view)
        cache.set(key, panel, PANEL_CACHE_SECONDS)
    return panel


def _panel_of(inputs: EffectInputs, *, client_view: bool) -> MeasurePanel:
    result = effect_of(inputs)
    panel = MeasurePanel(result)
    panel.chart = chart_for(result, client_view=client_view)
    panel.chart_narrow = chart_for(result, client_view=client_view, narrow=True)
    panel.figures = [figure_text(f, result) for f in result.figures if shown(f, result)]
    panel.advice = advice_for(result)
    return panel


# A panel (the maths, two charts, the figures in words) costs a few milliseconds; pages
# show the same one again and again. It is kept in Django's cache under a key made of
# everything it is computed from (`EffectInputs`: the measure's row, the held sessions'
# values and follow-ups, the goal, the plan, the practice prior; the viewer variant and
# the language), so a changed record, session, plan or prior is a different key and
# never meets an old panel. The course's id is in the key too: two charts on one page
# never share element ids. With the default local-memory cache each server process
# keeps its own entries; bump the version when the computation or its wording changes
# and a cache shared between deploys is configured.
PANEL_CACHE_VERSION = 1
PANEL_CACHE_SECONDS = 3600


def panel_cache_key(course: Course, inputs: EffectInputs, *, client_view: bool) -> str:
    m = inputs.measure
    measure_row = tuple(f.value_from_object(m) for f in m._meta.concrete_fields)
    raw = repr(
        (
            PANEL_CACHE_VERSION,
            course.pk,
            measure_row,
            inputs.points,
            inputs.goal,
            inputs.planned_sessions,
            inputs.plan_maintenance_days,
            inputs.in_maintenance,
            inputs.prior,
            client_view,
            translation.get_language(),
        )
    )
    return "outcomes:panel:" + hashlib.sha256(raw.encode()).hexdigest()


# The figures in the second person, for the client's own page (same numbers).
CLIENT_SENTENCES = {
    "immediate_relief": gettext_lazy(
        "Right after a session you were on average %(value)s better than right before it "
        "(%(range)s), over your latest sessions."
    ),
    "lasting_relief": gettext_lazy(
        "Before a session you are now about %(value)s better than at the start of your "
        "course (%(range)s)."
    ),
    "relapse_per_day": gettext_lazy(
        "Between sessions, a session's relief wears off by about %(value)s (%(range)s)."
    ),
    "sessions_to_goal": gettext_lazy(
        "To reach your goal you may need about %(value)s more (%(range)s)."
    ),
    "level_at_planned": gettext_lazy(
        "At your planned last session you can expect a value around %(value)s (%(range)s)."
    ),
    "plateau": gettext_lazy(
        "If sessions go on, your course looks set to level off around %(value)s (%(range)s)."
    ),
    "maintenance_interval": gettext_lazy(
        "To keep the effect, a session %(value)s may help (%(range)s)."
    ),
}


def client_sentences(panel: MeasurePanel) -> list[tuple[int, str]]:
    """(number, sentence) for each figure shown on the staff page, in the second person."""
    out = []
    for t in panel.figures:
        if t.value is None:
            if t.key == "sessions_to_goal" and panel.not_as_modelled:
                words = _(
                    "Your latest values do not follow the course so far, so there is no "
                    "forecast for now. Talk to your therapist about it."
                )
            else:
                words = _("%(label)s: not yet. %(reason)s") % {
                    "label": t.label,
                    "reason": t.reason,
                }
        elif t.key == "sessions_to_goal" and t.range is None:
            words = _("Your latest value already meets your goal.")
        else:
            words = str(CLIENT_SENTENCES[t.key]) % {"value": t.value, "range": t.range or ""}
            words = words.replace(" ()", "")  # a figure without a range yet
        out.append((t.number, words))
    return out


# --------------------------------------------------------------------------- context


def codes_with_data(rows) -> set[str]:
    """The codes of the measures with a value in a held session."""
    rows = held_rows(rows)
    codes = {code for r in rows for code, pair in r.measures.items() if pair != (None, None)}
    if any(r.tension_read for r in rows):
        codes.add(TENSION_SUM)
    return codes


def measures_with_data(rows, *, definitions=None) -> list[MeasureDefinition]:
    """The measures with a value in a held session, in their admin order. Pass
    `definitions` (every MeasureDefinition, in that order) if the page has them."""
    codes = codes_with_data(rows)
    if definitions is not None:
        return [m for m in definitions if m.code in codes]
    return list(MeasureDefinition.objects.filter(code__in=codes).order_by("order", "code"))


def body_charts(rows, *, width: int = 180) -> list[dict]:
    """First and latest session with palpated tension, side by side."""
    with_tension = [r for r in rows if r.tension_read]
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
    client_view: bool = False,
    definitions=None,
    followups: Mapping[int, float | None] | None = None,
) -> dict:
    """Everything `outcomes/_course_effect.html` and the report need.

    Pass `rows` (from `records.selectors.course_measure_table`), `definitions` (every
    MeasureDefinition in admin order) and `followups` (session id -> next-day answer,
    `selectors.follow_ups_of`) if the page has them.
    """
    if rows is None:
        rows = course_rows(course)
    measures = measures_with_data(rows, definitions=definitions)
    codes = [m.code for m in measures]
    default = (
        course.goal_measure.code
        if course.goal_measure.code in codes
        else (codes[0] if codes else None)
    )
    selected = measure_code if measure_code in codes else default
    shown_measures = measures if all_measures else [m for m in measures if m.code == selected]
    panels = [
        measure_panel(
            course, m, rows, request=request, client_view=client_view, followups=followups
        )
        for m in shown_measures
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
        "body_charts": body_charts(held) if with_body_charts else [],
        "tension_legend": charts.tension_legend(),
        "goal_text": course.goal_text,
        "show_report_link": getattr(request, "staff", None) is not None,
    }


def course_chart_context(
    course: Course,
    *,
    request=None,
    measure_code: str | None = None,
    rows=None,
    followups: Mapping[int, float | None] | None = None,
) -> dict:
    """What `outcomes/_course_chart.html` needs: the selected measure's chart only (the
    client page draws one per active course). The same computation and chart as the
    course page's panel, without its figures in words, table and body charts.

    Pass `rows` (`records.selectors.course_measure_table`'s, techniques not needed) and
    `followups` (as for `course_effect_context`) if the page has them."""
    if rows is None:
        rows = course_rows(course)
    codes = codes_with_data(rows)
    goal = course.goal_measure
    # The selected measure as `course_effect_context` picks it; the course's goal
    # measure (loaded with the course) needs no query.
    measure = None
    if measure_code in codes and measure_code != goal.code:
        measure = MeasureDefinition.objects.filter(code=measure_code).first()
    if measure is None and goal.code in codes:
        measure = goal
    if measure is None and codes:
        measure = next(iter(measures_with_data(rows)), None)
    panel = None
    if measure is not None:
        # The course page's panel (the same computation and charts, shared through the
        # cache): the wide chart and the phone's.
        full = measure_panel(course, measure, rows, request=request, followups=followups)
        panel = MeasurePanel(full.result, chart=full.chart, chart_narrow=full.chart_narrow)
    return {"course": course, "panel": panel}


def session_table(rows, measures) -> dict:
    """Sessions × measures (before → after) for the report's table."""
    columns = [m for m in measures if m.code != TENSION_SUM]
    body = []
    for r in rows:
        cells = []
        for m in columns:
            before, after = r.measures.get(m.code, (None, None))
            cells.append(
                (
                    charts.fmt(float(before)) if before is not None else "–",
                    charts.fmt(float(after)) if after is not None else "–",
                )
            )
        body.append(
            {
                "number": r.number,
                "date": r.date,
                "status": r.session.get_status_display(),
                "cells": cells,
                "tension": (r.tension_sum or 0) if r.tension_read else None,
                "techniques": ", ".join(str(t) for t in r.techniques),
            }
        )
    return {"columns": columns, "rows": body}
