"""Server-side SVG charts: they work in the browser and in WeasyPrint PDFs, no JavaScript.

Each function returns a `SafeString` holding one `<svg>` element with a `<title>` and a
`<desc>` (read by screen readers) and explicit colours (no CSS needed, so the PDF looks
the same as the page). Coordinates are written with a dot as decimal separator whatever
the language; the text labels are localised.
"""

from __future__ import annotations

import html
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from backcourse.lib.course_effect import CourseEffect, SessionPoint

INK = "#1d2a33"
MUTED = "#5b6b76"
GRID = "#e3e9ed"
BEFORE = "#1f6f78"
AFTER = "#8cc5cb"
CURVE = "#c2571b"
GOAL = "#2e7d32"
TENSION_COLOURS = ["#e8f1f2", "#f6d58e", "#ee9b4d", "#c8442f"]

_ids = itertools.count(1)


def _n(x: float) -> str:
    """A coordinate: short, with a dot."""
    return f"{x:.1f}".rstrip("0").rstrip(".")


# Attribute names by keyword (`stroke_width` -> `stroke-width`), worked out once.
_names: dict[str, str] = {}


def _attrs(attrs: dict) -> str:
    # A chart has a few hundred of these: plain `html.escape` (what Django's `escape`
    # calls, without its lazy-string wrapper) and no escaping of coordinates, which are
    # only digits, "-" and ".".
    parts = []
    for key, value in attrs.items():
        if value is None:
            continue
        name = _names.get(key)
        if name is None:
            name = _names[key] = key.rstrip("_").replace("_", "-")
        text = _n(value) if isinstance(value, float) else html.escape(str(value))
        parts.append(f'{name}="{text}"')
    return " ".join(parts)


def el(tag: str, body: str = "", **attrs) -> str:
    """One SVG element; `body` is trusted markup (already escaped)."""
    a = _attrs(attrs)
    return f"<{tag} {a}>{body}</{tag}>" if body else f"<{tag} {a}/>"


def text(x: float, y: float, label: str, **attrs) -> str:
    attrs.setdefault("font_size", "11")
    attrs.setdefault("fill", INK)
    return el("text", html.escape(str(label)), x=x, y=y, **attrs)


def svg(width: int, height: int, title: str, desc: str, body: str, *, css_class: str) -> SafeString:
    uid = next(_ids)
    return mark_safe(  # noqa: S308 - every text above went through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="chart-t{uid} chart-d{uid}" font-family="DejaVu Sans, sans-serif">'
        f'<title id="chart-t{uid}">{escape(title)}</title>'
        f'<desc id="chart-d{uid}">{escape(desc)}</desc>{body}</svg>'
    )


def fmt(value: float | None, decimals: int = 1) -> str:
    if value is None:
        return "–"
    if decimals == 0 or float(value).is_integer():
        return number_format(round(value), 0)
    return number_format(round(value, decimals), decimals)


def _nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    span = hi - lo
    if span <= 0:
        return [lo]
    raw = span / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step) * step
    ticks, t = [], first
    while t <= hi + 1e-9:
        ticks.append(round(t, 6))
        t += step
    return ticks


# --------------------------------------------------------------------------- course chart


@dataclass(frozen=True)
class Scale:
    lo: float
    hi: float


def measure_scale(
    points: Sequence[SessionPoint],
    effect: CourseEffect | None,
    goal: float | None,
    *,
    scale_min: float | None,
    scale_max: float | None,
    rating: bool,
    from_zero: bool = False,
    extra: Sequence[float] = (),
) -> Scale:
    """Rating scales (0–10) are drawn whole; other measures around their data (with
    `from_zero`, from 0: a sum of tension has a true zero)."""
    if rating and scale_min is not None and scale_max is not None:
        return Scale(scale_min, scale_max)
    values = [v for p in points for v in (p.before, p.after) if v is not None]
    values += list(extra)
    if goal is not None:
        values.append(goal)
    if effect is not None and effect.curve is not None:
        values += effect.curve.band_low + effect.curve.band_high
    if from_zero:
        values.append(0.0)
    if not values:
        return Scale(scale_min or 0.0, scale_max or 10.0)
    lo, hi = min(values), max(values)
    pad = max((hi - lo) * 0.1, 1.0)
    lo, hi = lo - pad, hi + pad
    if scale_min is not None:
        lo = max(lo, scale_min)
    if scale_max is not None:
        hi = min(hi, scale_max)
    if from_zero:
        lo = 0.0
    return Scale(lo, hi)


def course_chart(
    *,
    points: Sequence[SessionPoint],
    effect: CourseEffect | None,
    goal: float | None,
    label: str,
    unit: str = "",
    scale: Scale,
    higher_is_better: bool = False,
    before_only: bool = False,
    forecast: bool = True,
    horizon: int | None = None,
    planned: int | None = None,
    level_at_planned=None,
    plateau=None,
    width: int = 640,
    height: int = 320,
    height_for_plot: int | None = None,
) -> SafeString:
    """Before/after per session joined by a bar (the gap is the immediate relief), the
    line through the before values (the trend), the fitted curve with its 80 % band a
    few sessions ahead, the goal line, the expected level at the planned last session
    (a marker with its 80 % range, the same numbers as the figure) and where the course
    levels off (a dotted line).

    `before_only`: a measure taken once per session (a tension sum): no after values, and
    the legend does not speak of relief.  `forecast=False`: no curve past the latest
    session (the course is not going as modelled).  `horizon`: no curve past this
    session (the client's own chart stops at the planned course).  `height_for_plot`:
    the plot's own height; the chart's height then follows the legend's rows (a narrow
    chart for a phone wraps its legend over more rows).  The labels on the plot (goal,
    the level at the planned last session, where the course levels off) are placed so
    that they do not overlap one another.
    """
    n = len(points)
    curve = effect.curve if effect is not None else None
    limit = n if not forecast else (max(horizon, n) if horizon is not None else None)
    # a course that breaks from its curve: the curve is drawn only over the sessions it
    # fits, and a line marks where the latest values leave it
    fits_until = None
    if not forecast and effect is not None and effect.curve_fits_until is not None:
        fits_until = effect.curve_fits_until
        limit = fits_until
    ks = [] if curve is None else [k for k in curve.sessions if limit is None or k <= limit]
    marker = (
        planned is not None
        and level_at_planned is not None
        and level_at_planned.value is not None
        and (horizon is None or planned <= max(horizon, n))
    )
    has_plateau = plateau is not None and plateau.value is not None
    # the plateau's value is in the legend too: its label on the plot is left out where
    # it would overlap another label
    plateau_name = (
        _("levels off: %(v)s") % {"v": fmt(plateau.value)} if plateau and has_plateau else ""
    )
    legend = _legend_items(
        before_only, curve is not None, goal is not None, marker, plateau_name, fits_until
    )
    left, right, top = 50, 16, 16
    placed = _legend_layout(legend, left, width)
    rows = max((r for _, _, r in placed), default=0) + 1
    # x labels, "Session", then the legend's rows (two rows: 98 px)
    bottom = 78 + 20 * (rows - 1)
    if height_for_plot is not None:
        height = top + height_for_plot + bottom
    pw, ph = width - left - right, height - top - bottom
    labels: list[tuple[float, float, float, float]] = []  # boxes of the labels drawn
    last_k = max(n, len(ks), planned if marker else 0, 1)

    def x(k: float) -> float:
        return left + (k - 0.5) / last_k * pw

    def y(v: float) -> float:
        v = min(max(v, scale.lo), scale.hi)
        return top + (scale.hi - v) / (scale.hi - scale.lo) * ph

    parts: list[str] = []
    # grid + y axis
    for t in _nice_ticks(scale.lo, scale.hi):
        parts.append(el("line", x1=float(left), x2=float(left + pw), y1=y(t), y2=y(t), stroke=GRID))
        parts.append(text(left - 6, y(t) + 4, fmt(t), text_anchor="end", fill=MUTED))
    axis_label = f"{label} ({unit})" if unit else label
    parts.append(
        text(
            12,
            top + ph / 2,
            axis_label,
            transform=f"rotate(-90 12 {_n(top + ph / 2)})",
            text_anchor="middle",
            fill=MUTED,
        )
    )
    # x axis: session numbers
    step = 1 if last_k <= 20 else math.ceil(last_k / 20)
    for k in range(1, last_k + 1, step):
        parts.append(text(x(k), top + ph + 14, str(k), text_anchor="middle", fill=MUTED))
    parts.append(
        el(
            "line",
            x1=float(left),
            x2=float(left + pw),
            y1=float(top + ph),
            y2=float(top + ph),
            stroke=MUTED,
        )
    )
    parts.append(text(left + pw / 2, top + ph + 30, _("Session"), text_anchor="middle", fill=MUTED))

    # fitted curve with band
    if curve is not None and len(ks) >= 2:
        idx = range(len(ks))
        upper = [(x(ks[i]), y(curve.band_high[i])) for i in idx]
        lower = [(x(ks[i]), y(curve.band_low[i])) for i in idx]
        poly = " ".join(f"{_n(a)},{_n(b)}" for a, b in upper + lower[::-1])
        parts.append(el("polygon", points=poly, fill=CURVE, fill_opacity="0.13", stroke="none"))
        fitted = [(ks[i], x(ks[i]), y(curve.fitted[i])) for i in idx]
        seen = [(a, b) for k, a, b in fitted if k <= n]
        ahead = [(a, b) for k, a, b in fitted if k >= n]
        for pts, dash in ((seen, None), (ahead, "5 4")):
            if len(pts) >= 2:
                parts.append(
                    el(
                        "polyline",
                        points=" ".join(f"{_n(a)},{_n(b)}" for a, b in pts),
                        fill="none",
                        stroke=CURVE,
                        stroke_width="2",
                        stroke_dasharray=dash,
                    )
                )
    # where the latest values break from the curve
    if fits_until is not None:
        xb = x(fits_until + 0.5)
        parts.append(
            el(
                "line",
                x1=xb,
                x2=xb,
                y1=float(top),
                y2=float(top + ph),
                stroke=INK,
                stroke_width="1.5",
                stroke_dasharray="3 3",
                data_break=str(fits_until + 1),
            )
        )
        parts.append(
            _label(
                labels,
                [(xb + 5, float(top + 11), "start"), (xb - 5, float(top + 11), "end")],
                _("breaks from the curve"),
                fill=INK,
                font_weight="normal",
                within=(left, left + pw),
            )
        )
    # where the course levels off
    if plateau is not None and plateau.value is not None:
        x0 = x(max(n, 1))
        parts.append(
            el(
                "line",
                x1=x0,
                x2=float(left + pw),
                y1=y(plateau.value),
                y2=y(plateau.value),
                stroke=CURVE,
                stroke_width="1.5",
                stroke_dasharray="1 3",
                stroke_linecap="round",
            )
        )
    # goal
    if goal is not None:
        parts.append(
            el(
                "line",
                x1=float(left),
                x2=float(left + pw),
                y1=y(goal),
                y2=y(goal),
                stroke=GOAL,
                stroke_width="1.5",
                stroke_dasharray="7 4",
            )
        )
        parts.append(_label(labels, [(left + pw - 4, y(goal) - 5, "end")], _("goal"), fill=GOAL))
    # expected level at the planned last session
    if marker:
        xp = x(planned)
        parts.append(
            el(
                "line",
                x1=xp,
                x2=xp,
                y1=float(top),
                y2=float(top + ph),
                stroke=MUTED,
                stroke_width="1",
                stroke_dasharray="2 3",
            )
        )
        f = level_at_planned
        if f.low is not None and f.high is not None:
            parts.append(
                el(
                    "line",
                    x1=xp,
                    x2=xp,
                    y1=y(f.low),
                    y2=y(f.high),
                    stroke=CURVE,
                    stroke_width="2",
                )
            )
            for v in (f.low, f.high):
                parts.append(
                    el(
                        "line",
                        x1=xp - 5,
                        x2=xp + 5,
                        y1=y(v),
                        y2=y(v),
                        stroke=CURVE,
                        stroke_width="2",
                    )
                )
        parts.append(_diamond(xp, y(f.value)))
        # the whisker and diamond are in the way of other labels
        ends = [y(v) for v in (f.low, f.high, f.value) if v is not None]
        labels.append((xp - 7, min(ends) - 5, xp + 7, max(ends) + 5))
        # above the whisker first: beside the diamond the curve it sits on runs through
        side = [(xp - 9, y(f.value) + 4, "end"), (xp + 9, y(f.value) + 4, "start")]
        if planned <= last_k / 2:
            side.reverse()
        side = [(xp, min(ends) - 8, "middle"), (xp, max(ends) + 15, "middle"), *side]
        parts.append(_label(labels, side, fmt(f.value), fill=CURVE, within=(left, left + pw)))
    if has_plateau:
        assert plateau is not None
        yp, x0 = y(plateau.value), x(max(n, 1))
        spots = [
            (left + pw - 4, yp - 5, "end"),
            (left + pw - 4, yp + 13, "end"),
            (x0 + 8, yp + 13, "start"),
            (x0 + 8, yp - 5, "start"),
        ]
        parts.append(
            _label(
                labels,
                spots,
                plateau_name,
                fill=CURVE,
                font_weight="normal",
                optional=True,
                within=(left, left + pw),
            )
        )
    # trend through the before values
    trend = [(x(k), y(p.before)) for k, p in enumerate(points, 1) if p.before is not None]
    if len(trend) >= 2:
        parts.append(
            el(
                "polyline",
                points=" ".join(f"{_n(a)},{_n(b)}" for a, b in trend),
                fill="none",
                stroke=BEFORE,
                stroke_width="1.2",
                stroke_opacity="0.6",
            )
        )
    # paired before/after per session
    for k, p in enumerate(points, 1):
        if p.before is not None and p.after is not None:
            parts.append(
                el(
                    "line",
                    x1=x(k),
                    x2=x(k),
                    y1=y(p.before),
                    y2=y(p.after),
                    stroke=AFTER,
                    stroke_width="5",
                    stroke_linecap="round",
                )
            )
        if p.after is not None:
            parts.append(
                el(
                    "circle",
                    cx=x(k),
                    cy=y(p.after),
                    r="4.5",
                    fill="#fff",
                    stroke=BEFORE,
                    stroke_width="2",
                )
            )
        if p.before is not None:
            parts.append(el("circle", cx=x(k), cy=y(p.before), r="5", fill=BEFORE))

    # legend, wrapped over as many rows as the width needs
    for (kind, name), (_kind, lx, row) in zip(legend, placed, strict=True):
        ly = top + ph + 60 + 20 * row
        parts.append(_legend_key(kind, lx, ly))
        parts.append(text(lx + 18, float(ly), name, fill=INK))

    title = _("%(measure)s before and after each session") % {"measure": label}
    if before_only:
        title = _("%(measure)s at each session") % {"measure": label}
    desc = _chart_description(points, effect, goal, label, level_at_planned if marker else None)
    if fits_until is not None:
        desc += " " + _(
            "From session %(k)s the before values rise above the fitted curve: the curve is "
            "drawn up to session %(j)s only, with no forecast."
        ) % {"k": fits_until + 1, "j": fits_until}
    return svg(width, height, title, desc, "".join(parts), css_class="chart course-chart")


def _legend_items(
    before_only: bool,
    curve: bool,
    goal: bool,
    marker: bool,
    plateau: str,
    fits_until: int | None = None,
) -> list[tuple[str, str]]:
    if before_only:
        items = [("before", str(_("value at the session")))]
    else:
        items = [
            ("before", str(_("before session"))),
            ("after", str(_("after session"))),
            ("gap", str(_("immediate relief"))),
        ]
    if curve:
        items.append(("curve", str(_("fitted course, 80 % band"))))
    if goal:
        items.append(("goal", str(_("goal"))))
    if marker:
        # "% r" would read as a format directive to gettext: the %% keeps the catalogue valid.
        items.append(("planned", _("planned last session, 80 %% range") % {}))
    if plateau:
        items.append(("plateau", plateau))
    if fits_until is not None:
        items.append(
            (
                "break",
                _("not going as modelled from session %(k)s: no forecast") % {"k": fits_until + 1},
            )
        )
    return items


def _text_width(label: str, size: float = 11) -> float:
    """Rough width of a label in DejaVu Sans (about 0.56 em a character)."""
    return 0.56 * size * len(label) + 2


def _legend_layout(
    items: list[tuple[str, str]], left: int, width: int
) -> list[tuple[str, float, int]]:
    """(kind, x, row) of each legend item, wrapped to the chart's width."""
    out = []
    lx, row = float(left), 0
    for kind, name in items:
        w = 24 + _text_width(name)
        if lx + w > width and lx > left:
            lx, row = float(left), row + 1
        out.append((kind, lx, row))
        lx += w
    return out


def _label(
    taken: list[tuple[float, float, float, float]],
    spots: list[tuple[float, float, str]],
    label: str,
    *,
    fill: str,
    font_weight: str = "bold",
    optional: bool = False,
    within: tuple[float, float] | None = None,
) -> str:
    """The label at the first of `spots` (x, baseline y, anchor) where it overlaps no
    box in `taken` and lies `within` (x from, x to) - the first spot when none is free,
    or no label at all when it is `optional`; its box joins `taken`.  A white halo keeps
    it readable over the lines it crosses."""
    w = _text_width(label)

    def box(x: float, yb: float, anchor: str) -> tuple[float, float, float, float]:
        x1 = x - w if anchor == "end" else x - w / 2 if anchor == "middle" else x
        return (x1, yb - 10, x1 + w, yb + 3)

    def free(b) -> bool:
        if within is not None and not (within[0] <= b[0] and b[2] <= within[1]):
            return False
        return all(b[2] <= t[0] or t[2] <= b[0] or b[3] <= t[1] or t[3] <= b[1] for t in taken)

    spot = next((sp for sp in spots if free(box(*sp))), None)
    if spot is None:
        if optional:
            return ""
        spot = spots[0]
    x, yb, anchor = spot
    taken.append(box(x, yb, anchor))
    # the halo is a white copy underneath (WeasyPrint, for the PDF, has no paint-order)
    halo = text(
        x,
        yb,
        label,
        text_anchor=anchor,
        fill="#fff",
        font_weight=font_weight,
        stroke="#fff",
        stroke_width="3",
        stroke_linejoin="round",
        aria_hidden="true",
    )
    return halo + text(x, yb, label, text_anchor=anchor, fill=fill, font_weight=font_weight)


def _diamond(cx: float, cy: float, r: float = 6) -> str:
    pts = f"{_n(cx)},{_n(cy - r)} {_n(cx + r)},{_n(cy)} {_n(cx)},{_n(cy + r)} {_n(cx - r)},{_n(cy)}"
    return el("polygon", points=pts, fill="#fff", stroke=CURVE, stroke_width="2")


def _legend_key(kind: str, lx: float, ly: float) -> str:
    if kind == "before":
        return el("circle", cx=lx + 5, cy=float(ly - 4), r="5", fill=BEFORE)
    if kind == "after":
        return el(
            "circle",
            cx=lx + 5,
            cy=float(ly - 4),
            r="4.5",
            fill="#fff",
            stroke=BEFORE,
            stroke_width="2",
        )
    if kind == "gap":
        return el(
            "line",
            x1=lx + 5,
            x2=lx + 5,
            y1=float(ly - 11),
            y2=float(ly + 3),
            stroke=AFTER,
            stroke_width="5",
        )
    if kind == "curve":
        return el(
            "rect",
            x=lx,
            y=float(ly - 10),
            width="14",
            height="12",
            fill=CURVE,
            fill_opacity="0.13",
        ) + el(
            "line",
            x1=lx,
            x2=lx + 14,
            y1=float(ly - 4),
            y2=float(ly - 4),
            stroke=CURVE,
            stroke_width="2",
        )
    if kind == "planned":
        return _diamond(lx + 7, float(ly - 4), 5)
    if kind == "break":
        return el(
            "line",
            x1=lx + 7,
            x2=lx + 7,
            y1=float(ly - 11),
            y2=float(ly + 3),
            stroke=INK,
            stroke_width="1.5",
            stroke_dasharray="3 3",
        )
    if kind == "plateau":
        return el(
            "line",
            x1=lx,
            x2=lx + 14,
            y1=float(ly - 4),
            y2=float(ly - 4),
            stroke=CURVE,
            stroke_width="1.5",
            stroke_dasharray="1 3",
            stroke_linecap="round",
        )
    return el(
        "line",
        x1=lx,
        x2=lx + 14,
        y1=float(ly - 4),
        y2=float(ly - 4),
        stroke=GOAL,
        stroke_width="1.5",
        stroke_dasharray="4 2",
    )


def _chart_description(points, effect, goal, label, level_at_planned=None) -> str:
    pairs = "; ".join(
        _("session %(k)s: %(before)s before, %(after)s after")
        % {"k": k, "before": fmt(p.before), "after": fmt(p.after)}
        for k, p in enumerate(points, 1)
    )
    out = [f"{label}. {pairs}." if pairs else _("No measurements yet.")]
    if goal is not None:
        out.append(_("Goal: %(goal)s.") % {"goal": fmt(goal)})
    f = level_at_planned
    if f is not None and f.value is not None:
        lo, hi = fmt(f.low), fmt(f.high)
        if lo == hi:
            out.append(
                _("Expected at the planned last session: %(m)s (80 %% range %(lo)s).")
                % {"m": fmt(f.value), "lo": lo}
            )
        else:
            out.append(
                _("Expected at the planned last session: %(m)s (80 %% range %(lo)s to %(hi)s).")
                % {"m": fmt(f.value), "lo": lo, "hi": hi}
            )
    return " ".join(out)


# --------------------------------------------------------------------------- body chart

# A faint silhouette of the back (200 × 270 chart seen from behind) behind the regions.
_SILHOUETTE = (
    "M100,2 C111,2 116,10 116,19 C116,29 110,36 104,38 L104,50 C120,54 150,60 162,68 "
    "C172,74 176,90 176,110 L170,150 L160,150 L158,200 C158,226 156,246 150,266 L50,266 "
    "C44,246 42,226 42,200 L40,150 L30,150 L24,110 C24,90 28,74 38,68 C50,60 80,54 96,50 "
    "L96,38 C90,36 84,29 84,19 C84,10 89,2 100,2 Z"
)


def body_chart(regions, *, title: str, width: int = 200) -> SafeString:
    """The back with each region filled by its tension level (0–3).

    `regions`: objects with `label`, `svg_path` and `level` (see
    `records.selectors.body_chart_regions`).
    """
    parts = [el("path", d=_SILHOUETTE, fill="#f4f6f7", stroke="#c9d3d9", stroke_width="1")]
    described = []
    for r in regions:
        level = max(0, min(int(r.level or 0), 3))
        tip = _("%(region)s: tension %(level)s of 3") % {"region": r.label, "level": level}
        parts.append(
            el(
                "path",
                el("title", escape(tip)),
                d=r.svg_path,
                fill=TENSION_COLOURS[level],
                stroke="#7b8a94",
                stroke_width="0.6",
            )
        )
        if level:
            described.append(tip)
    desc = "; ".join(described) if described else _("No tension marked.")
    height = round(width * 270 / 200)
    body = "".join(parts)
    return mark_safe(  # noqa: S308 - built from escaped parts
        str(svg(200, 270, title, desc, body, css_class="chart body-chart")).replace(
            'width="200" height="270"', f'width="{width}" height="{height}"', 1
        )
    )


def tension_legend() -> SafeString:
    """Four swatches, 0 to 3, as a small SVG."""
    parts = []
    names = [_("none"), _("mild"), _("moderate"), _("marked")]
    for level, name in enumerate(names):
        x0 = level * 90
        parts.append(
            el(
                "rect",
                x=float(x0),
                y=2.0,
                width="14",
                height="14",
                fill=TENSION_COLOURS[level],
                stroke="#7b8a94",
                stroke_width="0.6",
            )
        )
        parts.append(text(x0 + 18, 13.5, f"{level} {name}"))
    return svg(
        360,
        20,
        _("Tension levels"),
        _("0 none, 1 mild, 2 moderate, 3 marked"),
        "".join(parts),
        css_class="chart legend",
    )


# --------------------------------------------------------------------------- outcomes


def sessions_histogram(
    counts: dict[int, int], not_reached: int, *, title: str, max_k: int, width: int = 520
) -> SafeString:
    """Bars: how many courses reached the change at session k; last bar "not reached"."""
    left, right, top, bottom = 34, 10, 14, 38
    height = 170
    ph = height - top - bottom
    slots = list(range(2, max_k + 1)) + ["nr"]
    pw = width - left - right
    bw = pw / len(slots)
    top_count = max([*counts.values(), not_reached, 1])
    parts = []
    for t in _nice_ticks(0, top_count, 4):
        if t != int(t):
            continue
        yy = top + ph - t / top_count * ph
        parts.append(el("line", x1=float(left), x2=float(left + pw), y1=yy, y2=yy, stroke=GRID))
        parts.append(text(left - 5, yy + 4, fmt(t, 0), text_anchor="end", fill=MUTED))
    for i, slot in enumerate(slots):
        c = not_reached if slot == "nr" else counts.get(slot, 0)
        h = c / top_count * ph
        x0 = left + i * bw
        fill = "#b9c3c9" if slot == "nr" else BEFORE
        if c:
            parts.append(
                el("rect", x=x0 + 3, y=top + ph - h, width=max(bw - 6, 2), height=h, fill=fill)
            )
            parts.append(text(x0 + bw / 2, top + ph - h - 3, str(c), text_anchor="middle"))
        label = _("not reached") if slot == "nr" else str(slot)
        parts.append(
            text(
                x0 + bw / 2, top + ph + 14, label, text_anchor="middle", fill=MUTED, font_size="10"
            )
        )
    parts.append(
        text(
            left + pw / 2,
            height - 6,
            _("session at which the change was first seen"),
            text_anchor="middle",
            fill=MUTED,
        )
    )
    desc = "; ".join(
        _("session %(k)s: %(n)s courses") % {"k": k, "n": c} for k, c in sorted(counts.items())
    )
    desc = (desc + "; " if desc else "") + _("not reached: %(n)s") % {"n": not_reached}
    return svg(width, height, title, desc, "".join(parts), css_class="chart histogram")
