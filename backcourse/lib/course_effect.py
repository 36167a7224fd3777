"""Course effect: how much a course of massage sessions helps, and what to expect next.

This module is plain mathematics (numpy/scipy only; no web, database or Django
imports).  It reads like the method section of a paper.

Public API (what callers use)
-----------------------------
``analyse_course(points, goal, *, higher_is_better=False, prior=None,
planned_sessions=None, floor=None, ceiling=None) -> CourseEffect`` for one course;
``analyse_courses(before, after, days, goal, *, next_day=None, planned_sessions=None,
floor=None, ceiling=None, ...) -> BatchEffect`` for many at once (same numbers).
``SessionPoint(day, before, after, next_day=None)``: ``next_day`` is the next-day
follow-up value (one day after the session).  ``PracticePrior.from_courses``
fits the practice prior (call it from a background task, store the result).

Every figure is an :class:`Estimate` ``(median, low, high)``: a point estimate and
the 80 % range that contains it (low <= median <= high), both from the same
posterior, never of zero width.  When there is no figure, median/low/high are
None and ``code`` says why (machine-readable; the app translates):
``too_few_sessions`` (fewer than 3 values: no interval from so little),
``no_goal``, ``no_planned_sessions``, ``goal_not_reached``, ``not_as_modelled``,
``latest_session_not_at_goal``, ``goal_held_between_sessions``, ``no_sessions``.
``unit`` names the unit: ``points`` (the measure's units, oriented so that
positive = better), ``points_per_day``, ``days``, ``share`` (0-1),
``measure_units`` (the measure's own units and direction), ``sessions``
(further sessions after the latest one).  ``n_sessions``: how
many values the figure rests on.

:class:`CourseEffect` fields:

* ``status``: ``as_modelled`` | ``not_as_modelled`` (the latest before values
  break from the fitted curve: show no forecast) | ``too_few_sessions`` (fewer
  than 3 before values) | ``no_sessions``.
* ``immediate_relief_recent`` [points]: mean relief (before - after) over the
  latest ``RECENT`` = 5 sessions with both values, with its 80 % range
  (Student t, noise variance pooled with the curve's noise estimate so that
  identical values still give a range).  Needs 3 sessions.
* ``lasting_relief_estimate`` [points]: fitted curve at session 1 minus fitted
  curve at the latest session (what the course has achieved, noise removed),
  posterior median and 80 % range.  Needs 3 before values.  On a course that is
  ``not_as_modelled`` the curve does not follow the recent worsening: there it is
  the fitted curve at session 1 minus the latest before value (with its noise).
  ``lasting_relief`` (plain number, no range): first minus latest recorded
  before value, as the client reads it off the chart.
* ``relapse_points_per_day`` [points_per_day]: mean climb back per day over a
  typical gap between sessions (``typical_gap_days``, median of the gaps):
  ``R (1 - exp(-lambda g)) / g`` with R the recent mean relief.
  ``relief_half_life_days`` [days]: days until half a session's relief is lost
  (ln 2 / lambda).  ``retention_estimate`` [share]: share of a session's relief
  still there at the next session after the typical gap (exp(-lambda g)).
  All three from the posterior of lambda (see Relapse); need 3 observed climbs
  (intervals plus next-day values).  ``relapse_per_day`` / ``relapse_range`` =
  ``relapse_points_per_day`` median / (low, high) (kept for older callers);
  ``relapse_n_intervals`` = climbs used.
* ``sessions_to_goal``: further sessions until the typical before value (the
  noise-free curve) meets the goal, median and 80 % range; ``high`` None = beyond
  50 (``sessions_to_goal_open`` True); None with ``code`` ``goal_not_reached``
  when most draws never reach it, ``not_as_modelled`` on a recent worsening,
  ``no_goal``.  ``note`` says when the latest before value already meets the
  goal.
* ``maintenance_interval_days`` [days]: days after a session until the relapse
  brings the value back past the goal: ``-ln(1 - (g - after)/R) / lambda``
  from the latest after value; None with ``goal_not_reached`` or
  ``not_as_modelled`` (as sessions_to_goal: nothing to maintain),
  ``latest_session_not_at_goal`` (the latest session did not bring the value to
  the goal) or ``goal_held_between_sessions`` (the whole relief is smaller than the room to
  the goal: the value does not climb back past it).
* ``level_at_planned_last_session`` [measure_units]: the fitted curve at session
  ``planned_sessions`` (needs it as input; ``no_planned_sessions`` otherwise).
* ``plateau`` [measure_units]: where the course levels off (for linear-decline
  draws: the level 50 sessions ahead).  Also in ``curve.plateau``.
* ``plan_notes``: where the data and the plan disagree (needs
  ``planned_sessions``): ``more_sessions_needed_than_planned`` (median sessions
  to goal > sessions left in the plan), ``goal_not_reached``.
* ``curve_fits_until``: on a course that is ``not_as_modelled``, the last session
  before the latest three before values (the curve fits sessions 1..this one; a
  chart draws it only there); None otherwise.
* ``curve``: ``sessions``, ``fitted`` (posterior median), ``band_low`` /
  ``band_high`` (80 % band of the noise-free curve) for sessions 1..n+5, in the
  measure's units, within floor/ceiling.
* ``immediate_relief`` (per session), ``retention`` (per interval) - the
  client's own numbers, no model; ``noise_sd`` [measure_units] the estimated
  noise of a before value.

Data
----
A course is a sequence of sessions k = 1..n.  Each session has a day (a
``datetime.date`` or a number of days since the start of the course), a *before*
value ``pre_k``, an *after* value ``post_k`` and optionally a next-day value
``f_k`` of one measure (pain 0-10, stress 0-10, sum of palpated tension,
fingertip-to-floor cm, rotation degrees ...).  Any value may be missing (``None``
or NaN); the session still counts in the session numbering.

Orientation and bounds.  Every measure is first *oriented* so that lower is
better: ``s = y`` for lower-is-better measures and ``s = -y`` for
higher-is-better ones.  ``floor`` / ``ceiling`` are the measure's optional
bounds (default: floor 0 for lower-is-better measures, nothing else).  The bound
on the better side ("best": the floor of a lower-is-better measure, the ceiling
of a higher-is-better one) sets the course's scale ``c = max(|s_1 - best|, 1)``
and enables the linear-decline model; without it ``c = max(|s_1|, 1)``.  So a
mirrored course (y -> C - y, direction flipped, floor <-> ceiling, goal
mirrored) gets exactly the same forecast.

Model of the course curve
-------------------------
The oriented before values follow an exponential approach to a plateau over the
session number (not calendar time)::

    s(pre_k) = P + (S - P) * exp(-r (k - 1)) + e_k,      e_k ~ N(0, sigma^2)
             = S - A * x_k(r) + e_k,   A = S - P,  x_k(r) = 1 - exp(-r (k - 1))

with start S, plateau P, gain A = S - P, rate r per session and noise sigma;
linear in (S, A) given r and sigma.  Values are fitted in scale units
``(s - s_1) / c``: the gain fraction ``phi = A / c`` and the noise fraction
``sigma / c`` are comparable across clients and measures.

Prior (empirical Bayes).  A :class:`PracticePrior` holds normal distributions of
log r, phi and log noise fraction across the practice's finished courses
(``PracticePrior.from_courses``: EM on the per-course posteriors; fewer than 5
usable courses -> :meth:`PracticePrior.default`: "a course removes about half
of the distance to the best bound, closing ~30 % of the remaining gap per
session; values vary by ~10 % of that distance").  A forecast uses a practice prior
no narrower than the default (``PRIOR_SD_FLOOR``): a practice of responders must
not make a flat course improve.

Posterior.  r and sigma on a grid (``N_RATE`` x ``N_NOISE`` cells weighted by
the prior); within a cell the posterior of (S', A') is exact bivariate normal
and the marginal likelihood closed-form.  A second model, linear decline to
the best bound (``s = max(S - B (k - 1), best)``, prior weight 0.5, slope prior
``LINEAR_SLOPE`` = N(0.12, 0.02) truncated to B > 0), is one more row of the grid: four points
cannot tell a curve that levels off from a line that keeps falling.
``N_DRAWS`` = 200 posterior draws per course from fixed normal numbers, so a
course's result does not depend on the batch and is reproducible.

Sessions to goal
----------------
For each draw, the first j >= 0 such that the noise-free curve at session n + j
meets the goal (closed form ``k = ceil(1 - log(1 - (S - g)/A) / r)``); 0 when
the curve at the latest session already meets it.  If the latest *observed*
before value does not meet the goal, at least one more session (j >= 1).  Draws
beyond ``MAX_SESSIONS`` = 50 further sessions = never.  The 80 % range of this
discrete quantity is the narrowest central range [q_a, q_(1-a)] whose mid-p
posterior mass (inside plus half of each end value) reaches the calibrated mass; the median is
the posterior median.  Calibrated: the range holds 75 % of the posterior (its own
80 % ranges covered the truth in ~90 % of simulated courses), and the two lumps at
the ends enter it only when they carry enough of the posterior: "beyond 50" (open
top) from 25 % of the draws, 0 from 40 % (``RANGE_CALIBRATION``; these shares and ``LINEAR_SLOPE`` are fitted
by ``scripts/calibrate_effect.py`` on simulated courses other than the
validation set's).

Recent worsening
----------------
When the last three before values do not fall and rise overall, the curve is
refitted without them and they are compared with its prediction: the course is
``not_as_modelled`` if their mean is above the 95 % predictive bound, or if they
climb by at least 2 sqrt(2) sigma (two noise sd of a difference) and the latest
lies more than sigma above the predicted curve.  Then no sessions-to-goal is
given.

Relapse
-------
Between sessions, a session's immediate relief R_k = pre_k - post_k fades
exponentially: the value climbs back toward the pre-session level as
``post_k + R_k (1 - exp(-lambda t))`` after t days.  Every observed climb is a
point on that curve: the next-day follow-up ``f_k`` (t = 1) and the next before
value ``pre_{k+1}`` (t = days to the next session); sessions without relief
(R_k <= 0) give none.  lambda has a weak log-normal prior (median 0.2 per day,
log sd 1.5) on a 64-point log grid; the climbs' noise is integrated out
(Student-t likelihood, prior worth one observation at twice the curve's noise
variance).  Follow-ups add points early in the interval, where the curve bends,
and narrow the range of lambda (see ``scripts/validate_effect.py``).

Validation (``scripts/validate_effect.py``)
-------------------------------------------
:func:`simulate_courses` draws courses from known parameters (the default prior's
population, goal "pain <= 3" or "30 % less"); truth = further sessions until the
noise-free curve meets the goal.  Forecasts after 3, 5, 8 and 12 sessions,
1,000 courses x seeds 1-3 each, regular scenario, pooled, by stratum of the
truth (80 % range covers the truth / median within +-1):
see the script's output and the closing note of issue 14.  Strata whose truth
is a single value ("already at goal" = 0, "never" = beyond 50) are covered
whenever the range reaches that value; with the plain posterior rule (any lump
above ~10 %) a confident, correct forecaster covers them in well over 80 % of
courses (96 % for "never"), hence the calibrated shares above.

Everything here is a descriptive statistic of the client's own data (plus the
practice's experience as a prior), never a diagnosis.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from types import ModuleType

import numpy as np

__all__ = [
    "SessionPoint",
    "PracticePrior",
    "CourseSummary",
    "summarise_course",
    "Estimate",
    "CourseCurve",
    "CourseEffect",
    "BatchEffect",
    "analyse_course",
    "analyse_courses",
    "clinically_important_session",
    "pack_courses",
    "simulate_courses",
    "simulate_relapse_courses",
    "SimulatedCourses",
    "true_sessions_to_goal",
    "score_predictions",
    "score_by_stratum",
    "STRATA",
    "MAX_SESSIONS",
    "NEEDS_TWO",
]

MAX_SESSIONS = 50  #: cap on further sessions when predicting the goal
N_DRAWS = 200  #: posterior draws per course
N_RATE = 24  #: grid cells for the rate r
N_NOISE = 5  #: grid cells for the noise fraction
BAND_AHEAD = 5  #: sessions beyond the last one covered by the curve band
LOW_Q, HIGH_Q = 0.10, 0.90  #: 80 % ranges
_CHUNK = 2048  #: courses per vectorised block (keeps arrays cache-sized)
_START_PRIOR_SD = 1.0  #: prior sd of the start S' in scale units
_MIN_SCALE = 1.0  #: floor of the scale c (measure units)
MAX_PRIOR_COURSES = 5000  #: courses used at most to fit the practice prior
MIN_VALUES = 3  #: fewer values than this give "too few sessions" instead of an interval
RECENT = 5  #: sessions in the recent immediate-relief mean
#: prior of the linear-decline model's slope per session (fraction of the scale):
#: mean, sd; calibrated with RANGE_CALIBRATION (was 0.15, 0.07)
LINEAR_SLOPE = (0.12, 0.02)

NEEDS_TWO = "needs at least 2 sessions with a before value"

# reason / status codes (machine-readable; the app translates them)
TOO_FEW = "too_few_sessions"
NO_SESSIONS = "no_sessions"
NO_GOAL = "no_goal"
NO_PLAN = "no_planned_sessions"
GOAL_NOT_REACHED = "goal_not_reached"
NOT_AS_MODELLED = "not_as_modelled"
AS_MODELLED = "as_modelled"
NOT_AT_GOAL_AFTER = "latest_session_not_at_goal"
GOAL_HELD = "goal_held_between_sessions"
MORE_THAN_PLANNED = "more_sessions_needed_than_planned"
# units
POINTS = "points"  # the measure's own units, oriented so that positive = better
POINTS_PER_DAY = "points_per_day"
DAYS = "days"
SESSIONS = "sessions"  # further sessions from the latest one
SHARE = "share"  # 0..1
MEASURE_UNITS = "measure_units"  # the measure's own units and direction


def _special() -> ModuleType:
    """``scipy.special``, imported on first use: scipy costs a web worker ~30 MB
    (``scipy.stats`` another ~50 MB, so it is not used), and most requests never fit
    a curve."""
    from scipy import special

    return special


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class SessionPoint:
    """One session: its day (date, or days since the start) and the measure
    before and after the session (None/NaN when not recorded)."""

    day: date | float
    before: float | None
    after: float | None
    #: next-day follow-up value (between this session's after and the next before)
    next_day: float | None = None


@dataclass(frozen=True)
class PracticePrior:
    """Distribution of course parameters across a practice's finished courses.

    ``log_rate``: log of the rate per session; ``gain_fraction``: A / c (the share
    of the starting value the course removes, oriented); ``log_noise``: log of the
    noise sd as a fraction of the starting value.  Each is normal(mean, sd).
    """

    log_rate_mean: float
    log_rate_sd: float
    gain_fraction_mean: float
    gain_fraction_sd: float
    log_noise_mean: float
    log_noise_sd: float
    n_courses: int = 0
    higher_is_better: bool = False
    source: str = "default"
    #: prior probability of the linear-decline-to-floor model (bounded measures only)
    linear_weight: float = 0.5
    #: its slope per session as a fraction of the scale, normal truncated to > 0
    #: (calibrated, see ``RANGE_CALIBRATION``; not fitted by the EM)
    linear_slope_mean: float = LINEAR_SLOPE[0]
    linear_slope_sd: float = LINEAR_SLOPE[1]

    @classmethod
    def default(cls, higher_is_better: bool = False, bounded: bool | None = None) -> PracticePrior:
        """Built-in prior for a practice without finished courses.

        Lower-is-better (pain, stress, tension): the course removes about half the
        starting value (sd 0.25), about 30 % of the remaining gap per session
        (rate 0.35, x/÷ 1.8), ratings vary by ~10 % of the start.
        Higher-is-better (range of motion) without a ceiling: a gain of ~25 %
        (sd 0.25).  ``bounded``: the measure has a bound on its better side (floor
        of a lower-is-better, ceiling of a higher-is-better measure; default: only
        lower-is-better measures); the scale is then the distance to that bound and
        the gain prior is the same in both directions (mirrored courses agree).
        """
        if bounded is None:
            bounded = not higher_is_better
        return cls(
            log_rate_mean=math.log(0.35),
            log_rate_sd=0.6,
            gain_fraction_mean=0.5 if bounded else 0.25,
            gain_fraction_sd=0.25,
            log_noise_mean=math.log(0.10),
            log_noise_sd=0.5,
            n_courses=0,
            higher_is_better=higher_is_better,
            source="default",
        )

    @classmethod
    def from_courses(
        cls,
        courses: Sequence[Sequence[SessionPoint]],
        higher_is_better: bool = False,
        *,
        min_courses: int = 5,
        min_before_values: int = 4,
        max_iter: int = 50,
        tol: float = 1e-3,
    ) -> PracticePrior:
        """Empirical-Bayes prior from finished courses (see module docstring).
        Same as :meth:`from_summaries` of :func:`summarise_course` of each."""
        return cls.from_summaries(
            [summarise_course(c, higher_is_better) for c in courses],
            higher_is_better,
            min_courses=min_courses,
            min_before_values=min_before_values,
            max_iter=max_iter,
            tol=tol,
        )

    @classmethod
    def from_summaries(
        cls,
        summaries: Sequence[CourseSummary],
        higher_is_better: bool = False,
        *,
        min_courses: int = 5,
        min_before_values: int = 4,
        max_courses: int = MAX_PRIOR_COURSES,
        max_iter: int = 50,
        tol: float = 1e-3,
    ) -> PracticePrior:
        """Empirical-Bayes prior from compact course summaries.

        Meant for a background task run when a course completes: store
        :func:`summarise_course` of each finished course (its before values, one
        short list per course), then fit from the stored summaries - no session
        rows needed.  Courses with fewer than ``min_before_values`` before values
        do not count; with more than ``max_courses`` usable courses an evenly
        spaced, deterministic subset of ``max_courses`` is used (hyper-parameters
        of three normal distributions need no more; keeps the fit to ~2 s CPU
        for any practice).  EM stops when no hyper-parameter moves by more than
        ``tol`` (typically 5-15 iterations) or after ``max_iter``.
        """
        default = cls.default(higher_is_better)
        usable = [
            x
            for x in summaries
            if x is not None and sum(not math.isnan(v) for v in x.before) >= min_before_values
        ]
        if len(usable) < min_courses:
            return default
        n_usable = len(usable)
        if n_usable > max_courses:
            pick = np.linspace(0, n_usable - 1, max_courses).round().astype(int)
            usable = [usable[i] for i in pick]
        k = max(len(x.before) for x in usable)
        before = np.full((len(usable), k), np.nan)
        for i, x in enumerate(usable):
            before[i, : len(x.before)] = x.before
        n = np.array([len(x.before) for x in usable])
        # Start from a wide prior and run EM for the normal hyper-parameters:
        # mean = average posterior mean, variance = average posterior variance +
        # variance of the posterior means (law of total variance).
        current = PracticePrior(
            log_rate_mean=default.log_rate_mean,
            log_rate_sd=1.0,
            gain_fraction_mean=default.gain_fraction_mean,
            gain_fraction_sd=0.5,
            log_noise_mean=default.log_noise_mean,
            log_noise_sd=0.8,
            higher_is_better=higher_is_better,
        )

        def moments(mean: np.ndarray, var: np.ndarray, floor: float) -> tuple[float, float]:
            total = float(np.mean(var) + np.var(mean))
            return float(np.mean(mean)), math.sqrt(max(total, floor**2))

        for _ in range(max_iter):
            post = _fit_posterior(before, n, higher_is_better, current)
            lr_m, lr_s = moments(post["log_rate_mean"], post["log_rate_var"], 0.05)
            g_m, g_s = moments(post["gain_mean"], post["gain_var"], 0.02)
            ln_m, ln_s = moments(post["log_noise_mean"], post["log_noise_var"], 0.05)
            new = (lr_m, lr_s, g_m, g_s, ln_m, ln_s)
            old = (
                current.log_rate_mean,
                current.log_rate_sd,
                current.gain_fraction_mean,
                current.gain_fraction_sd,
                current.log_noise_mean,
                current.log_noise_sd,
            )
            current = PracticePrior(*new, higher_is_better=higher_is_better)
            if max(abs(x - y) for x, y in zip(new, old, strict=True)) < tol:
                break
        return cls(
            log_rate_mean=lr_m,
            log_rate_sd=lr_s,
            gain_fraction_mean=g_m,
            gain_fraction_sd=g_s,
            log_noise_mean=ln_m,
            log_noise_sd=ln_s,
            n_courses=n_usable,
            higher_is_better=higher_is_better,
            source="practice",
        )


@dataclass(frozen=True)
class Estimate:
    """A prediction with its 80 % range; None values come with a ``reason``."""

    median: float | int | None
    low: float | int | None
    high: float | int | None
    reason: str | None = None
    n_sessions: int = 0
    note: str | None = None
    #: machine-readable reason (``too_few_sessions``, ``no_goal`` ...) when no value
    code: str | None = None
    #: unit of median/low/high (``points``, ``points_per_day``, ``days`` ...)
    unit: str | None = None

    def to_dict(self) -> dict:
        d = {
            "median": self.median,
            "low": self.low,
            "high": self.high,
            "n_sessions": self.n_sessions,
        }
        if self.code is not None:
            d["code"] = self.code
        if self.unit is not None:
            d["unit"] = self.unit
        if self.reason is not None:
            d["reason"] = self.reason
        if self.note is not None:
            d["note"] = self.note
        return d


@dataclass(frozen=True)
class CourseSummary:
    """What the practice prior needs from one finished course: its before values
    in session order (measure units, NaN where missing).  Store ``to_dict()``
    when the course completes; rebuild with ``CourseSummary(**d)``."""

    before: tuple[float, ...]
    higher_is_better: bool = False

    def to_dict(self) -> dict:
        return {
            "before": [None if math.isnan(v) else v for v in self.before],
            "higher_is_better": self.higher_is_better,
        }

    def __post_init__(self) -> None:
        vals = tuple(math.nan if v is None else float(v) for v in self.before)
        object.__setattr__(self, "before", vals)


def summarise_course(
    points: Sequence[SessionPoint], higher_is_better: bool = False
) -> CourseSummary:
    """Compact summary of a finished course for :meth:`PracticePrior.from_summaries`."""
    return CourseSummary(
        tuple(_as_float(p.before, f"session {i}: before") for i, p in enumerate(points, 1)),
        higher_is_better,
    )


_NO_VALUE = Estimate(None, None, None, TOO_FEW, 0, code=TOO_FEW)


def curve_level(start: float, plateau: float, rate: float, k: float) -> float:
    """The course curve's model, one value: the noise-free before value at session
    ``k`` (1-based) of a course that starts at ``start`` and approaches ``plateau``
    exponentially at ``rate`` per session, ``plateau + (start - plateau) exp(-rate (k -
    1))``.  The fit (``_curve``) and the simulations (``simulate_courses``) use this
    model in array form; the demo practice draws its courses from it."""
    return plateau + (start - plateau) * math.exp(-rate * (k - 1))


@dataclass(frozen=True)
class CourseCurve:
    """Fitted course curve of the before values (in the measure's own units)."""

    sessions: list[int]
    fitted: list[float]
    band_low: list[float]
    band_high: list[float]
    plateau: Estimate
    rate: Estimate
    start: float
    n_sessions: int

    def to_dict(self) -> dict:
        d = asdict(self)
        d["plateau"] = self.plateau.to_dict()
        d["rate"] = self.rate.to_dict()
        return d


@dataclass(frozen=True)
class CourseEffect:
    """Everything the course-effect analysis says about one course."""

    immediate_relief: list[float | None]
    lasting_relief: float | None
    retention: list[float | None]
    relapse_per_day: float | None
    curve: CourseCurve | None
    sessions_to_goal: Estimate
    maintenance_interval_days: Estimate
    n_sessions: int
    higher_is_better: bool = False
    reasons: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    relapse_range: tuple[float | None, float | None] = (None, None)
    relapse_n_intervals: int = 0
    status: str = AS_MODELLED
    immediate_relief_recent: Estimate = field(default_factory=lambda: _NO_VALUE)
    lasting_relief_estimate: Estimate = field(default_factory=lambda: _NO_VALUE)
    relapse_points_per_day: Estimate = field(default_factory=lambda: _NO_VALUE)
    relief_half_life_days: Estimate = field(default_factory=lambda: _NO_VALUE)
    retention_estimate: Estimate = field(default_factory=lambda: _NO_VALUE)
    level_at_planned_last_session: Estimate = field(default_factory=lambda: _NO_VALUE)
    plateau: Estimate = field(default_factory=lambda: _NO_VALUE)
    sessions_to_goal_open: bool = False
    noise_sd: float | None = None
    typical_gap_days: float | None = None
    plan_notes: list[str] = field(default_factory=list)
    curve_fits_until: int | None = None

    def to_dict(self) -> dict:
        return {
            "plan_notes": list(self.plan_notes),
            "curve_fits_until": self.curve_fits_until,
            "status": self.status,
            "immediate_relief_recent": self.immediate_relief_recent.to_dict(),
            "lasting_relief_estimate": self.lasting_relief_estimate.to_dict(),
            "relapse_points_per_day": self.relapse_points_per_day.to_dict(),
            "relief_half_life_days": self.relief_half_life_days.to_dict(),
            "retention_estimate": self.retention_estimate.to_dict(),
            "level_at_planned_last_session": self.level_at_planned_last_session.to_dict(),
            "plateau": self.plateau.to_dict(),
            "sessions_to_goal_open": self.sessions_to_goal_open,
            "noise_sd": self.noise_sd,
            "typical_gap_days": self.typical_gap_days,
            "n_sessions": self.n_sessions,
            "higher_is_better": self.higher_is_better,
            "immediate_relief": self.immediate_relief,
            "lasting_relief": self.lasting_relief,
            "retention": self.retention,
            "relapse_per_day": self.relapse_per_day,
            "relapse_per_day_range": {
                "low": self.relapse_range[0],
                "high": self.relapse_range[1],
                "n_intervals": self.relapse_n_intervals,
            },
            "sessions_to_goal": self.sessions_to_goal.to_dict(),
            "maintenance_interval_days": self.maintenance_interval_days.to_dict(),
            "curve": None if self.curve is None else self.curve.to_dict(),
            "reasons": dict(self.reasons),
            "notes": list(self.notes),
        }


@dataclass
class BatchEffect:
    """Results of :func:`analyse_courses` as arrays (one row per course).

    Float arrays use NaN for "not available"; sessions-to-goal arrays use
    ``inf`` for "not reached within MAX_SESSIONS" and NaN for "no estimate"
    (no goal, fewer than two before values).
    """

    n_sessions: np.ndarray  # (C,) sessions given
    n_before: np.ndarray  # (C,) sessions with a before value
    immediate_relief: np.ndarray  # (C, K)
    lasting_relief: np.ndarray  # (C,)
    retention: np.ndarray  # (C, K-1)
    relapse_per_day: np.ndarray  # (C,)
    n_intervals: np.ndarray  # (C,) intervals used for relapse
    relapse_range: np.ndarray  # (C, 2) ~80 % CI of the median relapse (>= 3 intervals)
    plateau: np.ndarray  # (C, 3) median, low, high (measure units)
    rate: np.ndarray  # (C, 3)
    start: np.ndarray  # (C,) posterior median start (measure units)
    goal_met: np.ndarray  # (C,) bool: latest before value meets goal
    sessions_to_goal: np.ndarray  # (C, 3) median, low, high
    maintenance_days: np.ndarray  # (C, 3)
    maintenance_n: np.ndarray  # (C,) sessions informing the maintenance interval
    post_ref: np.ndarray  # (C,) latest after value (oriented)
    band: np.ndarray | None = None  # (C, 3, K + ahead) median, low, high
    sessions_to_goal_open: np.ndarray | None = None  # (C,) finite median, open upper end
    not_as_modelled: np.ndarray | None = None  # (C,) bool: recent worsening
    immediate_relief_mean: np.ndarray | None = None  # (C, 3) points, recent sessions
    n_recent_relief: np.ndarray | None = None  # (C,) sessions in that mean
    lasting_relief_model: np.ndarray | None = None  # (C, 3) points, curve(1) - curve(n)
    level_at_planned: np.ndarray | None = None  # (C, 3) measure units
    relapse_rate: np.ndarray | None = None  # (C, 3) lambda per day
    relief_half_life_days: np.ndarray | None = None  # (C, 3) days
    retention_model: np.ndarray | None = None  # (C, 3) share kept over the typical gap
    typical_gap_days: np.ndarray | None = None  # (C,) median days between sessions
    noise_sd: np.ndarray | None = None  # (C,) noise sd of a before value (measure units)
    relief_for_maintenance: np.ndarray | None = None  # (C,) mean recent relief (points)


# ------------------------------------------------------------------ input helpers


def _is_value(v: object) -> bool:
    return v is not None and not (isinstance(v, float) and math.isnan(v))


def _as_float(v: float | None, what: str) -> float:
    if v is None:
        return math.nan
    try:
        x = float(v)
    except (TypeError, ValueError):
        raise ValueError(f"{what} {v!r} is not a number") from None
    if math.isinf(x):
        raise ValueError(f"{what} {v!r} is not finite")
    return x


def _days(points: Sequence[SessionPoint]) -> list[float]:
    if not points:
        return []
    first = points[0].day
    out = []
    for i, p in enumerate(points, start=1):
        d = p.day
        if isinstance(d, date):
            if not isinstance(first, date):
                raise ValueError("session days mix dates and numbers")
            out.append(float((d - first).days))
        else:
            if isinstance(first, date):
                raise ValueError("session days mix dates and numbers")
            out.append(_as_float(d, f"session {i}: day"))
            if math.isnan(out[-1]):
                raise ValueError(f"session {i}: day is missing")
    for i in range(1, len(out)):
        if out[i] < out[i - 1]:
            raise ValueError(f"session {i + 1}: sessions must be in date order")
    return out


def pack_courses(
    courses: Sequence[Sequence[SessionPoint]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Turn lists of sessions into NaN-padded arrays (before, after, days, n)."""
    c = len(courses)
    k = max((len(x) for x in courses), default=0)
    k = max(k, 1)
    before = np.full((c, k), np.nan)
    after = np.full((c, k), np.nan)
    days = np.full((c, k), np.nan)
    n = np.zeros(c, dtype=np.int64)
    for i, pts in enumerate(courses):
        m = len(pts)
        n[i] = m
        if m == 0:
            continue
        days[i, :m] = _days(pts)
        before[i, :m] = [_as_float(p.before, f"session {j}: before") for j, p in enumerate(pts, 1)]
        after[i, :m] = [_as_float(p.after, f"session {j}: after") for j, p in enumerate(pts, 1)]
    return before, after, days, n


def pack_next_day(courses: Sequence[Sequence[SessionPoint]]) -> np.ndarray:
    """Next-day follow-up values as a NaN-padded array shaped like :func:`pack_courses`."""
    k = max(max((len(x) for x in courses), default=0), 1)
    out = np.full((len(courses), k), np.nan)
    for i, pts in enumerate(courses):
        for j, p in enumerate(pts):
            out[i, j] = _as_float(p.next_day, f"session {j + 1}: next day")
    return out


# ------------------------------------------------------------------ posterior core


def _grids(prior: PracticePrior) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Grid of (log r, log noise) cells and their log prior weights."""
    zr = np.linspace(-3.0, 3.0, N_RATE)
    zn = np.linspace(-2.5, 2.5, N_NOISE)
    log_r = prior.log_rate_mean + prior.log_rate_sd * zr
    log_n = prior.log_noise_mean + prior.log_noise_sd * zn
    lw_r = -0.5 * zr**2
    lw_n = -0.5 * zn**2
    return log_r, log_n, lw_r, lw_n


def _orient(a: np.ndarray, higher_is_better: bool) -> np.ndarray:
    return -a if higher_is_better else a


def _first_last(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """First/last non-NaN value per row and their column index (-1 if none)."""
    ok = ~np.isnan(values)
    any_ok = ok.any(axis=1)
    k = values.shape[1]
    i_first = np.where(any_ok, ok.argmax(axis=1), -1)
    i_last = np.where(any_ok, k - 1 - ok[:, ::-1].argmax(axis=1), -1)
    rows = np.arange(values.shape[0])
    first = np.where(any_ok, values[rows, np.maximum(i_first, 0)], np.nan)
    last = np.where(any_ok, values[rows, np.maximum(i_last, 0)], np.nan)
    return first, last, i_first, i_last


def _cell_posteriors(s_pre: np.ndarray, prior: PracticePrior, best: float | None = None) -> dict:
    """Per course and (r, noise) cell: posterior of (S', A') and log weight.

    ``s_pre`` is the oriented before matrix (C, K), NaN where missing.  With
    ``linear`` the grid gets one more "rate" row for the linear-decline-to-floor
    model (design ``x_k = k - 1``, A' = slope per session, prior truncated to
    A' > 0, prior model probability ``prior.linear_weight``); its cells have
    rate 0 in ``r``.  Returns standardised quantities (scale units) plus y1 and c.
    """
    cn, k = s_pre.shape
    y1, _, _, _ = _first_last(s_pre)
    linear = best is not None
    ref = 0.0 if best is None else best
    c = np.maximum(np.abs(np.nan_to_num(y1 - ref)), _MIN_SCALE)
    mask = ~np.isnan(s_pre)
    y = np.where(mask, (s_pre - y1[:, None]) / c[:, None], 0.0)
    m = mask.astype(float)

    log_r, log_n, lw_r, lw_n = _grids(prior)
    r = np.exp(log_r)
    kk = np.arange(k, dtype=float)
    x = 1.0 - np.exp(-np.outer(r, kk))  # (R, K)
    n_rows = N_RATE
    mu_a = np.full(n_rows, prior.gain_fraction_mean)
    ta2 = np.full(n_rows, prior.gain_fraction_sd**2)
    lw_r = lw_r - np.log(np.exp(lw_r).sum())
    lin_w = prior.linear_weight if linear else 0.0
    if lin_w > 0:
        n_rows += 1
        x = np.vstack([x, kk[None, :]])
        mu_a = np.append(mu_a, prior.linear_slope_mean)
        ta2 = np.append(ta2, prior.linear_slope_sd**2)
        lw_r = np.append(lw_r + math.log1p(-lin_w), math.log(lin_w))
        r = np.append(r, 0.0)
        log_r = np.append(log_r, -np.inf)
    mu_a3 = mu_a[None, :, None]
    ta23 = ta2[None, :, None]

    n_obs = m.sum(axis=1)[:, None]  # (C,1)
    # sums per course written out (not BLAS matrix products, whose rounding depends
    # on how many courses are in the block): a course's numbers do not depend on the
    # batch it is computed in
    sx = np.einsum("ck,rk->cr", m, x)  # (C,R)
    sxx = np.einsum("ck,rk->cr", m, x * x)
    sy = y.sum(axis=1)[:, None]
    sxy = np.einsum("ck,rk->cr", y, x)
    syy = (y * y).sum(axis=1)[:, None]

    sig2 = np.exp(2.0 * log_n)[None, None, :]  # (1,1,N)
    ts2 = _START_PRIOR_SD**2
    # Design row h = (1, -x); precision Lambda = H'H/s2 + diag(1/ts2, 1/ta2)
    l11 = n_obs[:, :, None] / sig2 + 1.0 / ts2  # (C,1,N) -> broadcast
    l12 = -sx[:, :, None] / sig2  # (C,R,N)
    l22 = sxx[:, :, None] / sig2 + 1.0 / ta23
    b1 = sy[:, :, None] / sig2
    b2 = -sxy[:, :, None] / sig2 + mu_a3 / ta23
    det = l11 * l22 - l12 * l12
    v11 = l22 / det
    v12 = -l12 / det
    v22 = l11 / det
    mean_s = v11 * b1 + v12 * b2
    mean_a = v12 * b1 + v22 * b2
    loglik = -0.5 * (
        n_obs[:, :, None] * np.log(sig2)
        + np.log(det)
        + np.log(ta23)
        + syy[:, :, None] / sig2
        + mu_a3**2 / ta23
        - (b1 * mean_s + b2 * mean_a)
    )
    if lin_w > 0:
        # truncation A' > 0 of the linear model: posterior mass / prior mass
        special = _special()
        post_mass = special.log_ndtr(mean_a[:, -1:, :] / np.sqrt(v22[:, -1:, :]))
        prior_mass = special.log_ndtr(prior.linear_slope_mean / prior.linear_slope_sd)
        loglik[:, -1:, :] += post_mass - prior_mass
    logw = loglik + lw_r[None, :, None] + lw_n[None, None, :]
    logw = logw - logw.max(axis=(1, 2), keepdims=True)
    w = np.exp(logw)
    w /= w.sum(axis=(1, 2), keepdims=True)
    return {
        "w": w.reshape(cn, -1),
        "mean_s": np.broadcast_to(mean_s, w.shape).reshape(cn, -1),
        "mean_a": mean_a.reshape(cn, -1),
        "v11": np.broadcast_to(v11, w.shape).reshape(cn, -1),
        "v12": v12.reshape(cn, -1),
        "v22": v22.reshape(cn, -1),
        "log_r": np.repeat(log_r, N_NOISE),
        "r": np.repeat(r, N_NOISE),
        "log_n": np.tile(log_n, n_rows),
        "y1": y1,
        "c": c,
        "n_obs": n_obs[:, 0],
        # the measure's floor (0) in scale units; -inf without the linear model
        "floor": (ref - y1) / c if lin_w > 0 else np.full(cn, -np.inf),
    }


def _fit_posterior(
    before: np.ndarray, n: np.ndarray, higher_is_better: bool, prior, best: float | None = None
) -> dict:
    """Posterior moments of log r, gain fraction, log noise (for the prior fit)."""
    s_pre = _orient(before, higher_is_better)
    out = {k: [] for k in ("log_rate_mean", "log_rate_var", "gain_mean", "gain_var")}
    out["log_noise_mean"], out["log_noise_var"] = [], []
    for lo in range(0, s_pre.shape[0], _CHUNK):
        cp = _cell_posteriors(s_pre[lo : lo + _CHUNK], prior, best=best)
        w = cp["w"]
        lr, ln = cp["log_r"][None, :], cp["log_n"][None, :]
        m_lr = (w * lr).sum(1)
        m_ln = (w * ln).sum(1)
        m_a = (w * cp["mean_a"]).sum(1)
        out["log_rate_mean"].append(m_lr)
        out["log_rate_var"].append((w * lr**2).sum(1) - m_lr**2)
        out["log_noise_mean"].append(m_ln)
        out["log_noise_var"].append((w * ln**2).sum(1) - m_ln**2)
        out["gain_mean"].append(m_a)
        out["gain_var"].append((w * (cp["v22"] + cp["mean_a"] ** 2)).sum(1) - m_a**2)
    return {k: np.concatenate(v) for k, v in out.items()}


_BASE_RNG_SEED = 20261125


def _base_normals() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(_BASE_RNG_SEED)
    return rng.standard_normal(N_DRAWS), rng.standard_normal(N_DRAWS)


_Z1, _Z2 = _base_normals()
_Z3 = np.random.default_rng(_BASE_RNG_SEED + 1).standard_normal(N_DRAWS)


def _draws(cp: dict) -> dict:
    """Posterior draws (C, D) of r, S', A' by systematic resampling of cells.

    Draws from a linear-model cell (rate 0) come from the posterior truncated to
    A' > 0: A' by the inverse normal CDF of the same fixed numbers, then S' given A'.
    """
    w = cp["w"]
    cn, ncell = w.shape
    cum = np.cumsum(w, axis=1)
    cum[:, -1] = 1.0
    edges = np.floor(cum * N_DRAWS + 0.5).astype(np.int64)
    counts = np.diff(edges, axis=1, prepend=0)
    flat_cell = np.repeat(np.tile(np.arange(ncell), cn), counts.ravel())
    course = np.repeat(np.arange(cn), N_DRAWS)
    idx = course * ncell + flat_cell
    ms, ma = cp["mean_s"].ravel()[idx], cp["mean_a"].ravel()[idx]
    v11, v12, v22 = cp["v11"].ravel()[idx], cp["v12"].ravel()[idx], cp["v22"].ravel()[idx]
    z1 = np.tile(_Z1, cn)
    z2 = np.tile(_Z2, cn)
    l11 = np.sqrt(v11)
    l21 = v12 / l11
    l22 = np.sqrt(np.maximum(v22 - l21 * l21, 0.0))
    s = ms + l11 * z1
    a = ma + l21 * z1 + l22 * z2
    r = cp["r"][flat_cell]
    sigma = np.exp(cp["log_n"][flat_cell])
    lin = r == 0.0
    if lin.any():
        ma_l, v11_l, v12_l, v22_l = ma[lin], v11[lin], v12[lin], v22[lin]
        sd_a = np.sqrt(v22_l)
        special = _special()
        lo = special.ndtr(-ma_l / sd_a)  # prior-times-data mass below A' = 0
        u = lo + (1.0 - lo) * special.ndtr(z2[lin])
        a_l = ma_l + sd_a * special.ndtri(np.clip(u, 1e-12, 1.0 - 1e-12))
        a_l = np.maximum(a_l, 0.0)
        cond_sd = np.sqrt(np.maximum(v11_l - v12_l * v12_l / v22_l, 0.0))
        s[lin] = cp["mean_s"].ravel()[idx[lin]] + v12_l / v22_l * (a_l - ma_l) + cond_sd * z1[lin]
        a[lin] = a_l
    shape = (cn, N_DRAWS)
    return {
        "s": s.reshape(shape),
        "a": a.reshape(shape),
        "r": r.reshape(shape),
        "linear": lin.reshape(shape),
        "sigma": sigma.reshape(shape),
        "floor": cp["floor"][:, None],
    }


def _quantiles(x: np.ndarray) -> np.ndarray:
    """Median, 10th and 90th percentile along axis 1 (inverted-CDF order stats)."""
    xs = np.sort(x, axis=1)
    d = x.shape[1]
    idx = [max(math.ceil(q * d) - 1, 0) for q in (0.5, LOW_Q, HIGH_Q)]
    return xs[:, idx]


def _curve(dr: dict, kk: np.ndarray) -> np.ndarray:
    """Noise-free oriented curve (scale units) of every draw at ``k - 1 = kk``
    (``kk`` broadcasts against the (C, D) draws): exponential approach to the
    plateau, or for linear-model draws a straight decline stopped at the floor."""
    s, a, r, lin = dr["s"], dr["a"], dr["r"], dr["linear"]
    x = np.where(lin, kk, -np.expm1(-r * kk))
    v = s - a * x
    return np.where(lin, np.maximum(v, dr["floor"]), v)


def _sessions_to_goal(
    dr: dict, g: np.ndarray, n: np.ndarray, goal_met: np.ndarray | None = None
) -> np.ndarray:
    """Draws (C, D) of further sessions until the noise-free curve meets the goal.

    ``g`` is the goal in standardised oriented units, ``n`` sessions given.  0 when
    the curve at session n already meets the goal; courses whose latest observed
    before value does *not* meet the goal (``goal_met`` False) need at least one
    more session (the client is not at the goal yet, whatever the curve says).
    """
    s, a, r, lin = dr["s"], dr["a"], dr["r"], dr["linear"]
    g = g[:, None]
    nn = n[:, None].astype(float)
    at_n = _curve(dr, nn - 1.0) <= g
    at_next = _curve(dr, nn) <= g
    with np.errstate(divide="ignore", invalid="ignore"):
        q = (s - g) / a
        k = np.ceil(1.0 - np.log1p(-q) / r)
        k_lin = np.ceil(1.0 + q)  # linear: s - a (k - 1) <= g
    ok = (a > 0) & (q < 1.0)
    ok_lin = (a > 0) & (g >= dr["floor"])
    j = np.where(lin, np.where(ok_lin, k_lin - nn, np.inf), np.where(ok, k - nn, np.inf))
    j = np.where(at_next, 1.0, np.maximum(j, 1.0))
    j = np.where(at_n, 0.0, j)
    if goal_met is not None:
        j = np.where(goal_met[:, None], j, np.maximum(j, 1.0))
    j[j > MAX_SESSIONS] = np.inf
    return j


_RANGE_LEVELS = np.arange(0.10, 0.401, 0.02)  #: tail shares tried for the 80 % range

#: Calibration of the sessions-to-goal forecast, fitted by ``scripts/calibrate_effect.py``
#: on a *calibration* set of simulated courses (seeds 11-13, 1,000 courses x forecasts
#: after 3, 5, 8, 12 sessions) and checked on the separate validation set of
#: ``scripts/validate_effect.py`` (seeds 1-3):
#:
#: * :data:`LINEAR_SLOPE` (``PracticePrior.linear_slope_mean`` / ``_sd``): prior of
#:   the linear-decline model's slope (N(0.15, 0.07) before; a narrower prior of a
#:   gentler decline brings the median of "needs 1-5 more" within +-1 more often
#:   without letting flat courses decline to the floor - non-responders keep "never");
#: * ``mass``: posterior mass the 80 % range holds (mid-p, see :func:`_sessions_range`):
#:   0.75 - the ranges of the posterior's own 80 % covered the truth in ~90 % of courses;
#: * ``include_never``: the range is open at the top ("beyond 50") only when at least
#:   this share of the draws never reach the goal - a lump of a few draws at "never"
#:   otherwise stretches the range of a course that is heading to its goal;
#: * ``include_zero``: the range starts at 0 ("no further session") only when at least
#:   this share of the draws are at the goal already (the median is then 0 too).
RANGE_CALIBRATION = {"mass": 0.75, "include_never": 0.25, "include_zero": 0.4}


def _sessions_range(j: np.ndarray, calibration: dict | None = None) -> np.ndarray:
    """Median and 80 % range of sessions-to-goal draws (C, D), values 0..MAX_SESSIONS
    or inf.  The range is the narrowest central range [q_a, q_(1-a)] (a = 0.10 ..
    0.40) whose *mid-p* posterior mass - the values strictly inside plus half the
    mass at each end (the usual treatment of a discrete quantity) - is at least
    ``mass`` (80 %).  The plain 10th-90th percentile range of a discrete quantity
    holds far more than 80 % when a few values carry most of the mass (it covered
    the truth in 91 % of simulated courses) - too wide for its label.  The two lumps
    at the ends ("never", 0) enter the range only above their calibrated shares
    (:data:`RANGE_CALIBRATION`); then the range ends at the largest finite / the
    smallest positive value of the draws."""
    cal = RANGE_CALIBRATION if calibration is None else calibration
    cn, d = j.shape
    vals = np.where(np.isinf(j), MAX_SESSIONS + 1, j).astype(np.int64)
    nv = MAX_SESSIONS + 2
    counts = np.bincount((np.arange(cn)[:, None] * nv + vals).ravel(), minlength=cn * nv)
    p = counts.reshape(cn, nv) / d
    cdf = np.cumsum(p, axis=1)
    rows = np.arange(cn)

    # inverted-CDF quantiles (as in _quantiles) at 0.5 and every tail share, at once
    tails = _RANGE_LEVELS
    levels = np.concatenate([[0.5], tails, 1.0 - tails])
    thr = np.ceil(levels * d - 1e-9) / d - 1e-12
    qs = (cdf[:, None, :] < thr[None, :, None]).sum(axis=2)  # (C, 1 + 2L)
    nl = tails.size
    med, lv, hv = qs[:, 0], qs[:, 1 : 1 + nl], qs[:, 1 + nl :]
    r2 = rows[:, None]
    inside = cdf[r2, np.maximum(hv - 1, 0)] * (hv > 0) - cdf[r2, lv]
    mass = np.where(lv == hv, p[r2, lv], np.maximum(inside, 0.0) + 0.5 * (p[r2, lv] + p[r2, hv]))
    ok = mass >= cal["mass"] - 1e-12
    ok[:, 0] = True  # the 10th-90th percentile range always holds at least 80 %
    last_ok = nl - 1 - np.argmax(ok[:, ::-1], axis=1)  # largest tail share that holds 80 %
    lo, hi = lv[rows, last_ok], hv[rows, last_ok]
    never = nv - 1
    finite = p[:, :never] > 0
    largest_finite = never - 1 - np.argmax(finite[:, ::-1], axis=1)
    drop_top = (hi == never) & (med < never) & (p[:, never] < cal["include_never"])
    hi = np.where(drop_top & finite.any(axis=1), np.maximum(largest_finite, med), hi)
    positive = p[:, 1:] > 0
    smallest_positive = 1 + np.argmax(positive, axis=1)
    drop_zero = (lo == 0) & (med > 0) & (p[:, 0] < cal["include_zero"]) & positive.any(axis=1)
    lo = np.where(drop_zero, np.minimum(smallest_positive, med), lo)
    out = np.stack([med, lo, hi], axis=1).astype(float)
    out[out > MAX_SESSIONS] = np.inf
    return out


@functools.lru_cache(maxsize=1)
def _t90_table() -> np.ndarray:
    """90th percentile of Student's t for 0..400 degrees of freedom (0 -> inf)."""
    df = np.arange(401, dtype=float)
    out = np.full(401, np.inf)
    out[1:] = _special().stdtrit(df[1:], 0.9)  # = scipy.stats.t.ppf(0.9, df)
    return out


def _grid_quantiles(w: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Median, 10th and 90th percentile of a distribution given by weights ``w``
    (C, L) on ``grid`` (L,), linearly interpolated between grid points."""
    cum = np.cumsum(w, axis=1)
    cum /= cum[:, -1:]
    out = np.empty((w.shape[0], 3))
    for i, q in enumerate((0.5, LOW_Q, HIGH_Q)):
        idx = np.clip((cum < q).sum(axis=1), 1, grid.size - 1)
        rows = np.arange(w.shape[0])
        c0, c1 = cum[rows, idx - 1], cum[rows, idx]
        f = np.clip((q - c0) / np.maximum(c1 - c0, 1e-300), 0.0, 1.0)
        out[:, i] = grid[idx - 1] + f * (grid[idx] - grid[idx - 1])
    return out


#: grid of the relapse rate lambda (per day) and its weak prior on log lambda
_LAMBDA_LOG = np.linspace(math.log(0.005), math.log(5.0), 64)
_LAMBDA_PRIOR = -0.5 * ((_LAMBDA_LOG - math.log(0.2)) / 1.5) ** 2


def _relapse_posterior(
    s_pre: np.ndarray,
    s_post: np.ndarray,
    days: np.ndarray,
    s_next: np.ndarray,
    next_days: np.ndarray,
    sigma: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Posterior quantiles of the relapse rate lambda (per day) and the number of
    observed climbs used.  See "Relapse" in the module docstring."""
    cn, k = s_pre.shape
    relief = s_pre - s_post
    ok_r = relief > 0
    t_a = np.full((cn, k), np.nan)
    y_a = np.full((cn, k), np.nan)
    if k > 1:
        t_a[:, :-1] = days[:, 1:] - days[:, :-1]
        y_a[:, :-1] = s_pre[:, 1:] - s_post[:, :-1]
    t_b = next_days
    y_b = s_next - s_post
    t = np.concatenate([t_a, t_b], axis=1)
    y = np.concatenate([y_a, y_b], axis=1)
    rr = np.concatenate([relief, relief], axis=1)
    ok = np.concatenate([ok_r, ok_r], axis=1) & (t > 0) & np.isfinite(y) & np.isfinite(t)
    n_obs = ok.sum(axis=1)
    q = np.full((cn, 3), np.nan)
    lam = np.exp(_LAMBDA_LOG)
    var = np.maximum(2.0 * sigma**2, 1e-12)
    # only courses with enough climbs, and only their observed climbs (a flat list in
    # course order, summed per course): no work on padding or missing values
    used = np.nonzero(n_obs >= MIN_VALUES)[0]
    for lo in range(0, used.size, _CHUNK):
        ii = used[lo : lo + _CHUNK]
        m = ok[ii]
        rows, cols = np.nonzero(m)
        tt = t[ii][rows, cols][:, None]
        pred = rr[ii][rows, cols][:, None] * -np.expm1(-lam[None, :] * tt)
        res = y[ii][rows, cols][:, None] - pred
        m_obs = n_obs[ii]
        starts = np.concatenate([[0], np.cumsum(m_obs)[:-1]])
        sse = np.add.reduceat(res * res, starts, axis=0)
        # noise of a climb integrated out (scaled-inverse-chi2 prior worth one
        # observation at the curve's noise variance): Student-t likelihood
        logw = (
            -0.5 * (m_obs[:, None] + 1.0) * np.log(sse + 0.5 * var[ii, None])
            + _LAMBDA_PRIOR[None, :]
        )
        logw -= logw.max(axis=1, keepdims=True)
        q[ii] = np.exp(_grid_quantiles(np.exp(logw), _LAMBDA_LOG))
    return q, n_obs


def _last_three(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The last three available values per row (C, 3), oldest first, and their
    column indices (C, 3); NaN / -1 where fewer than three."""
    ok = ~np.isnan(values)
    rank = np.cumsum(ok[:, ::-1], axis=1)[:, ::-1] * ok  # 1 = latest
    out = np.full((values.shape[0], 3), np.nan)
    idx = np.full((values.shape[0], 3), -1)
    cols = np.arange(values.shape[1])
    for i, rk in enumerate((3, 2, 1)):
        sel = rank == rk
        has = sel.any(axis=1)
        j = sel.argmax(axis=1)
        out[:, i] = np.where(has, values[np.arange(values.shape[0]), j], np.nan)
        idx[:, i] = np.where(has, cols[j], -1)
    return out, idx


def _not_as_modelled(
    s_pre: np.ndarray, prior: PracticePrior, best: float | None, candidates: np.ndarray
) -> np.ndarray:
    """Recent worsening: the last three before values rise and lie above what the
    curve fitted to the *earlier* sessions predicts: either their mean fails a
    one-sided 5 % test against the posterior predictive, or they climb by at least
    two noise sd of a difference (2 sqrt(2) sigma) and the latest lies more than
    one sigma above the predicted curve (sigma: the noise sd the early fit
    estimates)."""
    flag = np.zeros(s_pre.shape[0], dtype=bool)
    ii = np.nonzero(candidates)[0]
    if ii.size == 0:
        return flag
    last3, idx = _last_three(s_pre[ii])
    early = s_pre[ii].copy()
    early[np.arange(ii.size)[:, None], idx] = np.nan
    cp = _cell_posteriors(early, prior, best=best)
    dr = _draws(cp)
    c = cp["c"][:, None]
    pred = np.stack([_curve(dr, idx[:, i : i + 1].astype(float)) for i in range(3)])
    pred_mean = c * pred.mean(axis=0) + cp["y1"][:, None]  # (C, D) measure units
    sd = c * dr["sigma"] / math.sqrt(3.0)
    draws = pred_mean + sd * _Z3[None, :]
    obs = np.nanmean(last3, axis=1)[:, None]
    p_above = (draws >= obs).mean(axis=1)
    rise = last3[:, 2] - last3[:, 0]
    sig = np.median(c * dr["sigma"], axis=1)
    latest_pred = np.median(c * pred[2] + cp["y1"][:, None], axis=1)
    # either the three together lie clearly above the prediction, or they climb by
    # more than two noise sd of a difference and the latest is above the prediction
    clear = (p_above < 0.05) & (rise > math.sqrt(2.0) * sig)
    climb = (rise >= 2.0 * math.sqrt(2.0) * sig) & (last3[:, 2] > latest_pred + sig)
    flag[ii] = clear | climb
    return flag


def _keep_width(q: np.ndarray, width: np.ndarray, lo_m: float, hi_m: float) -> np.ndarray:
    """Ranges (C, 3[, K]) of a level (median, low, high in measure units) widened to at
    least ``width`` (C,), within the measure's bounds ``lo_m``..``hi_m``.

    Draws of a level pile up at a bound (the linear decline stops at the floor; the
    curve is clipped there), and their quantiles then collapse to one value ("-30 to
    -30").  No level is known better than the noise of the values it rests on allows:
    ``width`` is the 80 % range of a mean of the course's before values (2 x 1.28
    noise sd / sqrt(n)); a narrower range is extended on the side away from the bound.
    """
    q = q.copy()
    w = width.reshape((-1,) + (1,) * (q.ndim - 2))
    low, high = q[:, 1], q[:, 2]
    need = np.maximum(w - (high - low), 0.0)
    need = np.where(np.isfinite(need), need, 0.0)
    room_up = np.maximum(hi_m - high, 0.0)
    room_down = np.maximum(low - lo_m, 0.0)
    up = np.minimum(0.5 * need, room_up)
    down = np.minimum(need - up, room_down)
    up = np.minimum(need - down, room_up)
    q[:, 1] = low - down
    q[:, 2] = high + up
    return q


def analyse_courses(
    before: np.ndarray,
    after: np.ndarray,
    days: np.ndarray,
    goal: float | np.ndarray | None,
    *,
    n_sessions: np.ndarray | None = None,
    higher_is_better: bool = False,
    prior: PracticePrior | None = None,
    band_ahead: int | None = None,
    next_day: np.ndarray | None = None,
    next_day_days: np.ndarray | None = None,
    planned_sessions: float | np.ndarray | None = None,
    floor: float | None = None,
    ceiling: float | None = None,
    workers: int = 1,
) -> BatchEffect:
    """Analyse many courses at once (vectorised).

    ``before``, ``after``, ``days``: arrays (C, K), one row per course, NaN-padded
    (see :func:`pack_courses`); ``goal``: scalar or (C,) in measure units (NaN or
    None = no goal); ``n_sessions``: sessions given per course (default: the
    number of non-NaN days, or K).  ``band_ahead``: if given, also compute the
    curve band for sessions 1..K+band_ahead (costly for very many courses).
    ``next_day``: (C, K) next-day follow-up values (NaN = none), taken
    ``next_day_days`` (C, K) days after the session (default 1).
    ``planned_sessions``: scalar or (C,) planned number of sessions of the course
    (NaN = not planned).  ``floor`` / ``ceiling``: the measure's bounds (default
    floor 0 for lower-is-better measures, no ceiling).  ``workers``: split a large
    batch (from ``_PARALLEL_MIN`` courses per process) over this many processes
    (forked; the caller's process does one part) - the same numbers, as each
    course's result is its own.  For batch jobs and scripts, not web requests.
    """
    kwargs = {
        "n_sessions": n_sessions,
        "higher_is_better": higher_is_better,
        "prior": prior,
        "band_ahead": band_ahead,
        "next_day": next_day,
        "next_day_days": next_day_days,
        "planned_sessions": planned_sessions,
        "floor": floor,
        "ceiling": ceiling,
    }
    cn = np.shape(before)[0]
    parts = min(workers, cn // _PARALLEL_MIN)
    if parts > 1:
        return _analyse_in_parts(before, after, days, goal, kwargs, parts)
    return _analyse_courses(before, after, days, goal, **kwargs)


_PARALLEL_MIN = 4 * 2048  #: courses per process at least (below that a fork costs more)
_JOB: dict = {}  #: the batch being split (read by the forked processes)


def _part_rows(cn: int, parts: int, i: int) -> slice:
    """The rows of part i; parts start at whole blocks of ``_CHUNK`` courses, so every
    block is the one a single process computes (bit for bit the same numbers)."""
    size = -(-cn // parts)
    size = -(-size // _CHUNK) * _CHUNK
    return slice(min(i * size, cn), min((i + 1) * size, cn))


def _run_part(i: int) -> BatchEffect:
    job = _JOB
    cn, parts = job["cn"], job["parts"]
    rows = _part_rows(cn, parts, i)

    def cut(v):  # per-course arrays are split; scalars and None pass through
        if isinstance(v, np.ndarray) and v.ndim >= 1 and v.shape[0] == cn:
            return v[rows]
        return v

    kwargs = {key: cut(v) for key, v in job["kwargs"].items()}
    return _analyse_courses(
        job["before"][rows], job["after"][rows], job["days"][rows], cut(job["goal"]), **kwargs
    )


def _analyse_in_parts(before, after, days, goal, kwargs: dict, parts: int) -> BatchEffect:
    import multiprocessing

    before = np.asarray(before, dtype=float)
    cn = before.shape[0]
    if kwargs["n_sessions"] is None:  # decided on the whole batch, as in one process
        d = np.asarray(days, dtype=float)
        kwargs["n_sessions"] = (
            (~np.isnan(d)).sum(axis=1) if np.isnan(d).any() else np.full(cn, d.shape[1])
        )
    kwargs = {
        key: np.asarray(v) if isinstance(v, np.ndarray | list) else v for key, v in kwargs.items()
    }
    _JOB.update(
        cn=cn,
        parts=parts,
        before=before,
        after=np.asarray(after, dtype=float),
        days=np.asarray(days, dtype=float),
        goal=np.asarray(goal, dtype=float) if goal is not None else None,
        kwargs=kwargs,
    )
    try:
        with multiprocessing.get_context("fork").Pool(parts - 1) as pool:
            pending = pool.map_async(_run_part, range(1, parts))
            first = _run_part(0)
            results = [first, *pending.get()]
    finally:
        _JOB.clear()
    out = {}
    for name in BatchEffect.__dataclass_fields__:
        vals = [getattr(r, name) for r in results]
        out[name] = None if vals[0] is None else np.concatenate(vals, axis=0)
    return BatchEffect(**out)


#: the spreads of the built-in prior: a practice prior is used no narrower than these
PRIOR_SD_FLOOR = {"log_rate_sd": 0.6, "gain_fraction_sd": 0.25, "log_noise_sd": 0.5}


def _as_used(prior: PracticePrior) -> PracticePrior:
    """The prior as a forecast uses it: its spreads no narrower than the built-in
    prior's (``PRIOR_SD_FLOOR``).  A prior fitted on a practice whose finished courses
    mostly improved is narrow (gain 0.47 +- 0.20, noise +- 0.24 on the log scale in
    the demo practice) and leaves no room for a client who does not respond: it held a
    flat course 7, 7, 7, 7 to a lasting relief of 1.5 (0.3 to 2.4).  The stored prior
    keeps the fitted spreads (they describe the practice); its means are used as
    fitted."""
    wider = {k: v for k, v in PRIOR_SD_FLOOR.items() if getattr(prior, k) < v}
    return replace(prior, **wider) if wider else prior


def _analyse_courses(
    before: np.ndarray,
    after: np.ndarray,
    days: np.ndarray,
    goal: float | np.ndarray | None,
    *,
    n_sessions: np.ndarray | None = None,
    higher_is_better: bool = False,
    prior: PracticePrior | None = None,
    band_ahead: int | None = None,
    next_day: np.ndarray | None = None,
    next_day_days: np.ndarray | None = None,
    planned_sessions: float | np.ndarray | None = None,
    floor: float | None = None,
    ceiling: float | None = None,
) -> BatchEffect:
    before = np.asarray(before, dtype=float)
    after = np.asarray(after, dtype=float)
    days = np.asarray(days, dtype=float)
    cn, k = before.shape
    if n_sessions is None:
        n_sessions = (~np.isnan(days)).sum(axis=1) if np.isnan(days).any() else np.full(cn, k)
    n = np.asarray(n_sessions, dtype=np.int64)
    if floor is None and not higher_is_better:
        floor = 0.0
    best = (-ceiling if ceiling is not None else None) if higher_is_better else floor
    prior = _as_used(prior or PracticePrior.default(higher_is_better, bounded=best is not None))
    goal_arr = (
        np.full(cn, np.nan) if goal is None else np.broadcast_to(np.asarray(goal, float), (cn,))
    )
    planned = (
        np.full(cn, np.nan)
        if planned_sessions is None
        else np.broadcast_to(np.asarray(planned_sessions, float), (cn,))
    )
    worst = (-floor if floor is not None else None) if higher_is_better else ceiling
    sign = -1.0 if higher_is_better else 1.0

    s_pre = _orient(before, higher_is_better)
    s_post = _orient(after, higher_is_better)
    g = _orient(goal_arr, higher_is_better)
    if next_day is None:
        s_next = np.full((cn, k), np.nan)
    else:
        s_next = _orient(np.asarray(next_day, dtype=float), higher_is_better)
    nd_days = (
        np.where(np.isfinite(s_next), 1.0, np.nan)
        if next_day_days is None
        else np.asarray(next_day_days, dtype=float)
    )

    # --- descriptive statistics
    relief = s_pre - s_post
    first, last, _, _ = _first_last(s_pre)
    n_before = (~np.isnan(s_pre)).sum(axis=1)
    lasting = np.where(n_before >= 2, first - last, np.nan)
    r_k = relief[:, :-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        retention = np.where(r_k > 0, (s_pre[:, :-1] - s_pre[:, 1:]) / r_k, np.nan)
        gap = days[:, 1:] - days[:, :-1]
    _, post_ref, _, i_post = _first_last(s_post)
    goal_met = (last <= g) & ~np.isnan(g)

    # --- course curve
    scale0 = np.maximum(np.abs(np.nan_to_num(first - (0.0 if best is None else best))), _MIN_SCALE)
    sigma = scale0 * math.exp(prior.log_noise_mean)  # noise sd (measure units), prior guess
    plateau = np.full((cn, 3), np.nan)
    level_planned = np.full((cn, 3), np.nan)
    lasting_est = np.full((cn, 3), np.nan)
    rate = np.full((cn, 3), np.nan)
    start = np.full(cn, np.nan)
    stg = np.full((cn, 3), np.nan)
    kb = k + (band_ahead or 0)
    band = np.full((cn, 3, kb), np.nan) if band_ahead is not None else None
    idx_fit = np.nonzero(n_before >= 2)[0]

    # --- recent worsening (before the curve: a course that breaks from it measures its
    # lasting relief to the latest value, not to the curve)
    last3, _ = _last_three(s_pre)
    rising = (
        (last3[:, 0] <= last3[:, 1]) & (last3[:, 1] <= last3[:, 2]) & (last3[:, 2] > last3[:, 0])
    )
    not_as_modelled = _not_as_modelled(s_pre, prior, best, rising & (n_before >= 5))
    lo_b = -np.inf if best is None else best
    hi_b = np.inf if worst is None else worst

    def units(cp, x):  # scale units -> oriented measure units, within the bounds
        return np.clip(cp["y1"][:, None] + cp["c"][:, None] * x, lo_b, hi_b)

    def q_units(x):  # quantiles of oriented draws, back in the measure's direction
        q = sign * _quantiles(x)
        return q[:, [0, 2, 1]] if higher_is_better else q

    for lo in range(0, idx_fit.size, _CHUNK):
        ii = idx_fit[lo : lo + _CHUNK]
        cp = _cell_posteriors(s_pre[ii], prior, best=best)
        dr = _draws(cp)
        sigma[ii] = cp["c"] * (cp["w"] * np.exp(cp["log_n"])[None, :]).sum(axis=1)
        lin = dr["linear"]
        h = (n[ii] - 1 + MAX_SESSIONS)[:, None].astype(float)
        plateau[ii] = q_units(units(cp, np.where(lin, _curve(dr, h), dr["s"] - dr["a"])))
        pl = planned[ii]
        has_plan = np.isfinite(pl) & (pl >= 1)
        if has_plan.any():
            kk = np.where(has_plan, pl - 1.0, 0.0)[:, None]
            level_planned[ii] = np.where(
                has_plan[:, None], q_units(units(cp, _curve(dr, kk))), np.nan
            )
        last_k = (n[ii] - 1)[:, None].astype(float)
        gained = cp["c"][:, None] * (_curve(dr, 0.0) - _curve(dr, last_k))
        broke = not_as_modelled[ii]
        if broke.any():
            # the fitted curve's start minus the latest before value (with its noise):
            # the curve does not follow a recent worsening
            c_b, y1_b = cp["c"][broke][:, None], cp["y1"][broke][:, None]
            start_b = y1_b + c_b * _curve({k: v[broke] for k, v in dr.items()}, 0.0)
            latest = last[ii][broke][:, None] + c_b * dr["sigma"][broke] * _Z3[None, :]
            gained[broke] = start_b - latest
        lasting_est[ii] = _quantiles(gained)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.clip(dr["a"] / (dr["s"] - dr["floor"]), 0.0, 0.999)
        rate[ii] = _quantiles(np.where(lin, -np.log1p(-share), dr["r"]))
        start[ii] = sign * np.median(units(cp, dr["s"]), axis=1)
        has_goal = ~np.isnan(g[ii])
        gs = np.where(has_goal, (g[ii] - cp["y1"]) / cp["c"], 0.0)
        q = _sessions_range(_sessions_to_goal(dr, gs, n[ii], goal_met[ii]))
        q[~has_goal] = np.nan
        stg[ii] = q
        if band is not None:
            kk = np.arange(kb, dtype=float)
            d3 = {key: (v[:, :, None] if np.ndim(v) == 2 else v) for key, v in dr.items()}
            curve = np.clip(
                cp["y1"][:, None, None] + cp["c"][:, None, None] * _curve(d3, kk), lo_b, hi_b
            )
            qs = sign * np.moveaxis(np.quantile(curve, [0.5, LOW_Q, HIGH_Q], axis=1), 0, 1)
            band[ii] = qs[:, [0, 2, 1], :] if higher_is_better else qs
    # no range of a level narrower than the noise allows (never "0 to 0" at the floor)
    lo_m = floor if floor is not None else -np.inf
    hi_m = ceiling if ceiling is not None else np.inf
    min_width = 2.0 * 1.2816 * sigma / np.sqrt(np.maximum(n_before, 1))
    plateau = _keep_width(plateau, min_width, lo_m, hi_m)
    level_planned = _keep_width(level_planned, min_width, lo_m, hi_m)
    if band is not None:
        band = _keep_width(band, min_width, lo_m, hi_m)
    lasting_est[n_before < MIN_VALUES] = np.nan
    stg_open = np.isfinite(stg[:, 0]) & np.isinf(stg[:, 2])

    # --- immediate relief: mean of the latest (up to) RECENT sessions
    ok_rel = np.isfinite(relief)
    rank = np.cumsum(ok_rel[:, ::-1], axis=1)[:, ::-1] * ok_rel
    recent = ok_rel & (rank <= RECENT)
    m = recent.sum(axis=1)
    rel0 = np.where(recent, relief, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_rel = rel0.sum(axis=1) / m
        ss = (np.where(recent, relief - mean_rel[:, None], 0.0) ** 2).sum(axis=1)
        s2 = (ss + 2.0 * (2.0 * sigma**2)) / np.maximum(m - 1 + 2, 1)
        half = _t90_table()[np.minimum(m - 1 + 2, 400)] * np.sqrt(s2 / m)
    imm = np.stack([mean_rel, mean_rel - half, mean_rel + half], axis=1)
    imm[m < MIN_VALUES] = np.nan

    # --- relapse between sessions (exponential return of a session's relief)
    lam, n_climbs = _relapse_posterior(s_pre, s_post, days, s_next, nd_days, sigma)
    r_bar = np.where(m > 0, mean_rel, np.nan)
    typical_gap = np.full(cn, 7.0)  # no gap yet: a week
    if k > 1:
        # median of the positive gaps (sorted, invalid ones last as inf); np.nanmedian
        # is slow on small arrays
        with np.errstate(invalid="ignore"):
            gs = np.sort(np.where(gap > 0, gap, np.inf), axis=1)
        n_gap = np.isfinite(gs).sum(axis=1)
        rows = np.arange(cn)
        mid = 0.5 * (gs[rows, np.maximum(n_gap - 1, 0) // 2] + gs[rows, n_gap // 2 - (n_gap == 0)])
        typical_gap = np.where(n_gap > 0, mid, 7.0)
    lam_sorted = lam[:, [0, 2, 1]]  # median, high lambda, low lambda
    half_life = math.log(2.0) / lam_sorted
    retention_est = np.exp(-lam_sorted * typical_gap[:, None])
    relapse_ppd = r_bar[:, None] * -np.expm1(-lam * typical_gap[:, None]) / typical_gap[:, None]
    relapse_ppd[~(r_bar > 0)] = np.nan
    room = g - post_ref
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = room / r_bar
        t_frac = -np.log1p(-frac)
        maint = t_frac[:, None] / lam_sorted
    maint_ok = (room >= 0) & (frac < 1) & (r_bar > 0)
    maint[~maint_ok] = np.nan

    return BatchEffect(
        n_sessions=n,
        n_before=n_before,
        immediate_relief=relief,
        lasting_relief=lasting,
        retention=retention,
        relapse_per_day=relapse_ppd[:, 0],
        n_intervals=n_climbs,
        relapse_range=relapse_ppd[:, 1:],
        plateau=plateau,
        rate=rate,
        start=start,
        goal_met=goal_met,
        sessions_to_goal=stg,
        maintenance_days=maint,
        maintenance_n=n_climbs,
        post_ref=post_ref,
        band=band,
        sessions_to_goal_open=stg_open,
        not_as_modelled=not_as_modelled,
        immediate_relief_mean=imm,
        n_recent_relief=m,
        lasting_relief_model=lasting_est,
        level_at_planned=level_planned,
        relapse_rate=lam,
        relief_half_life_days=half_life,
        retention_model=retention_est,
        typical_gap_days=typical_gap,
        noise_sd=sigma,
        relief_for_maintenance=r_bar,
    )


# ------------------------------------------------------------------ one course


def _num(x: float) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)


def _int_or_none(x: float) -> int | None:
    return None if not np.isfinite(x) else int(x)


def analyse_course(
    points: Sequence[SessionPoint],
    goal: float | None,
    *,
    higher_is_better: bool = False,
    prior: PracticePrior | None = None,
    planned_sessions: int | None = None,
    floor: float | None = None,
    ceiling: float | None = None,
) -> CourseEffect:
    """Analyse one course (sessions in date order); see the module docstring.

    ``goal`` is in the measure's units (e.g. 3 for "pain <= 3"; for "30 % less"
    pass 0.7 x the first before value), None when the course has no goal.
    ``planned_sessions``: the course's planned number of sessions (for the level
    at the planned last session).  ``floor`` / ``ceiling``: the measure's bounds.
    Raises ValueError for sessions out of date order or non-numeric values.
    """
    points = list(points)
    n = len(points)
    bounded = (ceiling is not None) if higher_is_better else True
    prior = prior or PracticePrior.default(higher_is_better, bounded=bounded)
    notes: list[str] = []
    reasons: dict[str, str] = {}
    if prior.higher_is_better != higher_is_better:
        notes.append("the prior was fitted for the opposite direction of the measure")
    if goal is not None:
        goal = _as_float(goal, "goal")
        if math.isnan(goal):
            goal = None
    if n == 0:
        none = Estimate(None, None, None, "no sessions", 0, code=NO_SESSIONS)
        return CourseEffect(
            immediate_relief=[],
            lasting_relief=None,
            retention=[],
            relapse_per_day=None,
            curve=None,
            sessions_to_goal=none,
            maintenance_interval_days=none,
            n_sessions=0,
            higher_is_better=higher_is_better,
            reasons={"curve": "no sessions"},
            status=NO_SESSIONS,
        )
    before, after, days, nn = pack_courses([points])
    res = analyse_courses(
        before,
        after,
        days,
        np.nan if goal is None else goal,
        n_sessions=nn,
        higher_is_better=higher_is_better,
        prior=prior,
        band_ahead=BAND_AHEAD,
        next_day=pack_next_day([points]),
        planned_sessions=np.nan if planned_sessions is None else float(planned_sessions),
        floor=floor,
        ceiling=ceiling,
    )
    n_before = int(res.n_before[0])
    relief = [_num(v) for v in res.immediate_relief[0]]
    retention = [_num(v) for v in res.retention[0]] if n > 1 else []
    lasting = _num(res.lasting_relief[0])
    if lasting is None:
        reasons["lasting_relief"] = NEEDS_TWO
    if n_before and math.isnan(before[0, 0]):
        notes.append(
            "the first session has no before value; lasting relief and the "
            "curve start from the first recorded before value"
        )
    n_climbs = int(res.n_intervals[0])

    def est(row, n_used, *, unit, needed=n_before, code=None) -> Estimate:
        if code is None and needed < MIN_VALUES:
            code = TOO_FEW
        if code is None and not np.all(np.isfinite(row)):
            code = TOO_FEW
        if code is not None:
            return Estimate(None, None, None, code, n_used, code=code, unit=unit)
        return Estimate(float(row[0]), float(row[1]), float(row[2]), None, n_used, unit=unit)

    n_rel = int(res.n_recent_relief[0])
    immediate = est(res.immediate_relief_mean[0], n_rel, unit=POINTS, needed=n_rel)
    lasting_model = est(res.lasting_relief_model[0], n_before, unit=POINTS)
    relapse_ppd = est(
        np.array([res.relapse_per_day[0], *res.relapse_range[0]]),
        n_climbs,
        unit=POINTS_PER_DAY,
        needed=n_climbs,
    )
    half_life = est(res.relief_half_life_days[0], n_climbs, unit=DAYS, needed=n_climbs)
    retention_model = est(res.retention_model[0], n_climbs, unit=SHARE, needed=n_climbs)
    relapse = relapse_ppd.median
    if relapse is None:
        reasons["relapse_per_day"] = (
            "needs at least one pair of an after value and the next session's before "
            "value on different days"
        )

    # curve
    curve = None
    plateau = Estimate(None, None, None, TOO_FEW, n_before, code=TOO_FEW, unit=MEASURE_UNITS)
    if n_before >= 2:
        pl, rt, band = res.plateau[0], res.rate[0], res.band[0]
        ks = list(range(1, n + BAND_AHEAD + 1))
        curve = CourseCurve(
            sessions=ks,
            fitted=[float(v) for v in band[0, : len(ks)]],
            band_low=[float(v) for v in band[1, : len(ks)]],
            band_high=[float(v) for v in band[2, : len(ks)]],
            plateau=Estimate(float(pl[0]), float(pl[1]), float(pl[2]), None, n_before),
            rate=Estimate(float(rt[0]), float(rt[1]), float(rt[2]), None, n_before),
            start=float(res.start[0]),
            n_sessions=n_before,
        )
        if n_before >= MIN_VALUES:
            plateau = Estimate(
                float(pl[0]), float(pl[1]), float(pl[2]), None, n_before, unit=MEASURE_UNITS
            )
    else:
        reasons["curve"] = NEEDS_TWO
    if planned_sessions is None:
        level_planned = Estimate(
            None, None, None, NO_PLAN, n_before, code=NO_PLAN, unit=MEASURE_UNITS
        )
    else:
        level_planned = est(res.level_at_planned[0], n_before, unit=MEASURE_UNITS)

    not_as_modelled = bool(res.not_as_modelled[0])
    status = AS_MODELLED
    if n_before < MIN_VALUES:
        status = TOO_FEW
    elif not_as_modelled:
        status = NOT_AS_MODELLED
    # On a course not going as modelled the curve fits only the sessions before the
    # latest three before values (the worsening it does not follow).
    curve_fits_until = None
    if not_as_modelled:
        with_before = [k for k, p in enumerate(points, 1) if _is_value(p.before)]
        curve_fits_until = with_before[-3] - 1

    # sessions to goal
    st = res.sessions_to_goal[0]
    if goal is None:
        stg = Estimate(None, None, None, "no goal set for this course", n_before, code=NO_GOAL)
    elif not_as_modelled:
        stg = Estimate(
            None,
            None,
            None,
            "not going as modelled: the latest before values rise above the fitted curve",
            n_before,
            code=NOT_AS_MODELLED,
        )
    elif n_before < 2 and bool(res.goal_met[0]):
        stg = Estimate(
            0, 0, 0, None, n_before, "the latest before value already meets the goal", unit=SESSIONS
        )
    elif n_before < 2:
        stg = Estimate(None, None, None, NEEDS_TWO, n_before, code=TOO_FEW)
    elif not np.isfinite(st[0]):
        stg = Estimate(
            None,
            _int_or_none(st[1]),
            None,
            f"goal not reached within {MAX_SESSIONS} further sessions in most posterior "
            "draws: the fitted course levels off short of the goal",
            n_before,
            code=GOAL_NOT_REACHED,
        )
    else:
        note = None
        if bool(res.goal_met[0]):
            note = "the latest before value already meets the goal"
        if not np.isfinite(st[2]):
            note = f"upper end of the range is beyond {MAX_SESSIONS} further sessions"
        stg = Estimate(
            int(st[0]), int(st[1]), _int_or_none(st[2]), None, n_before, note, unit=SESSIONS
        )
    if stg.reason:
        reasons["sessions_to_goal"] = stg.reason
    plan_notes: list[str] = []
    if planned_sessions is not None and goal is not None:
        left = max(int(planned_sessions) - n, 0)
        if stg.median is not None and stg.median > left:
            plan_notes.append(MORE_THAN_PLANNED)
        elif stg.code == GOAL_NOT_REACHED:
            plan_notes.append(GOAL_NOT_REACHED)

    # maintenance interval
    md = res.maintenance_days[0]
    post_ref = res.post_ref[0]
    g_or = None if goal is None else (-goal if higher_is_better else goal)
    r_bar = res.relief_for_maintenance[0]
    if goal is None:
        mi = Estimate(None, None, None, "no goal set for this course", n_climbs, code=NO_GOAL)
    elif stg.code in (NOT_AS_MODELLED, GOAL_NOT_REACHED):
        # a maintenance interval only means something for a course heading to its goal
        mi = Estimate(None, None, None, stg.reason, n_climbs, code=stg.code)
    elif math.isnan(post_ref):
        mi = Estimate(None, None, None, "needs at least one after value", n_climbs, code=TOO_FEW)
    elif post_ref > g_or:
        mi = Estimate(
            None,
            None,
            None,
            "the latest session did not bring the value to the goal",
            n_climbs,
            code=NOT_AT_GOAL_AFTER,
        )
    elif relapse is None:
        mi = Estimate(None, None, None, reasons["relapse_per_day"], n_climbs, code=TOO_FEW)
    elif not (r_bar > 0) or g_or - post_ref >= r_bar:
        mi = Estimate(
            None,
            None,
            None,
            "no measurable relapse: the value did not climb back between sessions",
            n_climbs,
            code=GOAL_HELD,
        )
    else:
        mi = Estimate(float(md[0]), _num(md[1]), _num(md[2]), None, n_climbs, unit=DAYS)
    if mi.reason:
        reasons["maintenance_interval_days"] = mi.reason

    return CourseEffect(
        immediate_relief=relief,
        lasting_relief=lasting,
        retention=retention,
        relapse_per_day=relapse,
        relapse_range=(relapse_ppd.low, relapse_ppd.high),
        relapse_n_intervals=n_climbs,
        curve=curve,
        sessions_to_goal=stg,
        maintenance_interval_days=mi,
        n_sessions=n,
        higher_is_better=higher_is_better,
        reasons=reasons,
        notes=notes,
        status=status,
        immediate_relief_recent=immediate,
        lasting_relief_estimate=lasting_model,
        relapse_points_per_day=relapse_ppd,
        relief_half_life_days=half_life,
        retention_estimate=retention_model,
        level_at_planned_last_session=level_planned,
        plateau=plateau,
        sessions_to_goal_open=bool(res.sessions_to_goal_open[0]) and stg.median is not None,
        noise_sd=_num(res.noise_sd[0]),
        typical_gap_days=float(res.typical_gap_days[0]),
        plan_notes=plan_notes,
        curve_fits_until=curve_fits_until,
    )


# ------------------------------------------------------------------ outcomes helper


def clinically_important_session(
    before_values: Sequence[float | None],
    *,
    higher_is_better: bool = False,
    min_points: float = 2.0,
    min_fraction: float = 0.30,
) -> int | None:
    """Session number (1-based) at which the before value first improved by at
    least ``min_points`` or ``min_fraction`` of the first recorded before value
    (the usual thresholds for a clinically important change in 0-10 pain).
    None if it never did or there is no before value.  Missing values skipped.
    """
    sign = -1.0 if higher_is_better else 1.0
    first = None
    for i, v in enumerate(before_values, start=1):
        if not _is_value(v):
            continue
        x = sign * float(v)
        if first is None:
            first = x
            continue
        drop = first - x
        if drop >= min_points - 1e-12:
            return i
        if first != 0 and drop >= min_fraction * abs(first) - 1e-12:
            return i
    return None


# ------------------------------------------------------------------ simulation


@dataclass
class SimulatedCourses:
    """Synthetic courses with their true parameters (for validation)."""

    before: np.ndarray
    after: np.ndarray
    days: np.ndarray
    goal: np.ndarray
    start: np.ndarray
    gain: np.ndarray
    rate: np.ndarray
    true_curve: np.ndarray  # noise-free before values, sessions 1..n+MAX_SESSIONS
    truth: np.ndarray  # true sessions to goal from session n (inf = not reached)
    n: int


def simulate_courses(
    count: int,
    n: int = 8,
    *,
    seed: int = 0,
    prior: PracticePrior | None = None,
    missing: float = 0.0,
    irregular: bool = False,
    non_responders: bool = False,
    rounding: float | None = None,
) -> SimulatedCourses:
    """Simulate ``count`` pain courses of ``n`` sessions from known parameters.

    Population (lower-is-better pain, 0-10): start S ~ U(4, 9); gain fraction,
    log rate and log noise fraction drawn from ``prior`` (default prior) - the
    empirical-Bayes assumption that the client is like the practice's earlier
    clients.  Plateau = S (1 - gain fraction).  Before values = curve + N(0, sigma).
    After values = before - relief, relief ~ U(0.15, 0.4) x S per course plus
    noise.  Goal: half the courses "pain <= 3", half "30 % less than the first
    before value".  Weekly sessions.

    Variants: ``missing`` - each before/after value is missing with this
    probability; ``irregular`` - gaps drawn from 3-28 days, and every day beyond
    a week adds 0.005 x S to the next before value (a misspecification the curve
    does not model); ``non_responders`` - gain fraction ~ N(0, 0.1) instead of the
    prior; ``rounding`` - values rounded to this step and clipped to 0-10.
    """
    prior = prior or PracticePrior.default()
    rng = np.random.default_rng(seed)
    s = rng.uniform(4.0, 9.0, count)
    if non_responders:
        phi = rng.normal(0.0, 0.1, count)
    else:
        phi = rng.normal(prior.gain_fraction_mean, prior.gain_fraction_sd, count)
    r = np.exp(rng.normal(prior.log_rate_mean, prior.log_rate_sd, count))
    sigma = s * np.exp(rng.normal(prior.log_noise_mean, prior.log_noise_sd, count))
    kk = np.arange(n + MAX_SESSIONS, dtype=float)
    curve = s[:, None] - (s * phi)[:, None] * (1.0 - np.exp(-r[:, None] * kk))
    if irregular:
        gaps = rng.integers(3, 29, (count, n - 1)).astype(float)
    else:
        gaps = np.full((count, n - 1), 7.0)
    days = np.concatenate([np.zeros((count, 1)), np.cumsum(gaps, axis=1)], axis=1)
    pre = curve[:, :n] + rng.normal(0.0, 1.0, (count, n)) * sigma[:, None]
    if irregular:
        pre[:, 1:] += 0.005 * s[:, None] * np.maximum(gaps - 7.0, 0.0)
    relief = rng.uniform(0.15, 0.4, count)[:, None] * s[:, None]
    post = pre - relief + rng.normal(0.0, 1.0, (count, n)) * sigma[:, None] * 0.5
    if rounding:
        pre = np.clip(np.round(pre / rounding) * rounding, 0, 10)
        post = np.clip(np.round(post / rounding) * rounding, 0, 10)
    if missing > 0:
        pre[rng.random((count, n)) < missing] = np.nan
        post[rng.random((count, n)) < missing] = np.nan
    first_obs = np.where(np.isnan(pre[:, 0]), s, pre[:, 0])
    relative = rng.random(count) < 0.5
    goal = np.where(relative, 0.7 * first_obs, 3.0)
    truth = true_sessions_to_goal(curve, goal, n)
    return SimulatedCourses(pre, post, days, goal, s, phi, r, curve, truth, n)


def simulate_relapse_courses(
    count: int, n: int = 8, *, seed: int = 0, followups: bool = True
) -> dict:
    """Courses whose relief returns exponentially between sessions (for the
    relapse estimate): before_1 ~ U(5, 9); each session relieves a share
    U(0.3, 0.5) of the before value; the relief fades as exp(-lambda t) with
    lambda ~ exp(N(log 0.15, 0.5)) per day; a next-day follow-up (if
    ``followups``) is taken 1 day after each session; weekly sessions; every value
    has noise N(0, 0.3).  Returns arrays ``before``, ``after``, ``next_day``,
    ``days`` (C, n) and the true ``lam`` (C,)."""
    rng = np.random.default_rng(seed)
    lam = np.exp(rng.normal(math.log(0.15), 0.5, count))
    share = rng.uniform(0.3, 0.5, count)
    level = rng.uniform(5.0, 9.0, count)
    pre = np.empty((count, n))
    post = np.empty((count, n))
    nxt = np.full((count, n), np.nan)
    days = np.tile(np.arange(n, dtype=float) * 7.0, (count, 1))
    for j in range(n):
        pre[:, j] = level
        relief = share * level
        post[:, j] = level - relief
        if followups:
            nxt[:, j] = level - relief * np.exp(-lam)
        level = level - relief * np.exp(-lam * 7.0)
    noise = 0.3
    pre += rng.normal(0, noise, pre.shape)
    post += rng.normal(0, noise, post.shape)
    nxt += rng.normal(0, noise, nxt.shape)
    return {"before": pre, "after": post, "next_day": nxt, "days": days, "lam": lam}


def true_sessions_to_goal(
    curve: np.ndarray, goal: np.ndarray, n: int, observed_met: np.ndarray | None = None
) -> np.ndarray:
    """True further sessions to goal, counted from session n.

    Definition A (``observed_met`` None): 0 if the noise-free curve at session n
    meets the goal, else the first j in 1..MAX_SESSIONS with curve(n + j) <= goal,
    else inf.  Definition B (``observed_met`` given, the product's rule): 0 where
    the latest *observed* before value meets the goal (a fact, not a prediction),
    otherwise the first j >= 1 as above.
    """
    met = curve[:, n - 1 :] <= goal[:, None]  # column 0 = session n
    if observed_met is not None:
        met = met.copy()
        met[:, 0] = observed_met
    any_met = met.any(axis=1)
    first = met.argmax(axis=1).astype(float)
    first[~any_met] = np.inf
    first[first > MAX_SESSIONS] = np.inf
    return first


def score_predictions(pred: np.ndarray, truth: np.ndarray) -> dict:
    """Share of courses with the median within +-1 of the truth and the share
    whose 80 % range contains it.  "Not reached" (inf) only matches "not
    reached"; a range with an open upper end (inf) covers any larger truth."""
    med, low, high = pred[:, 0], pred[:, 1], pred[:, 2]
    both_inf = np.isinf(med) & np.isinf(truth)
    with np.errstate(invalid="ignore"):
        within = both_inf | (np.abs(med - truth) <= 1)
    covered = (low <= truth) & (truth <= high)
    return {
        "within1": float(np.mean(within)),
        "coverage": float(np.mean(covered)),
        "not_reached_truth": float(np.mean(np.isinf(truth))),
        "already_met_truth": float(np.mean(truth == 0)),
    }


STRATA = {
    "already at goal": (0, 0),
    "needs 1-5 more": (1, 5),
    "needs 6-20 more": (6, 20),
    "needs 21-50 more": (21, MAX_SESSIONS),
    "never reaches the goal": (math.inf, math.inf),
}


def score_by_stratum(pred: np.ndarray, truth: np.ndarray) -> dict:
    """Scores of sessions-to-goal forecasts by the true number of further sessions.

    ``pred`` (C, 3) median, low, high (inf = beyond MAX_SESSIONS, NaN = no
    forecast); ``truth`` (C,).  Per stratum of :data:`STRATA`: ``n`` courses,
    ``coverage`` (share whose 80 % range contains the truth), ``within1`` (median
    within +-1 session; "not reached" matches "not reached"), ``no_forecast``
    (share without a forecast, e.g. "not going as modelled": counted as not
    covered).  Overall: ``open_ended`` = share of forecasts with a finite median
    and an upper end beyond MAX_SESSIONS.
    """
    out: dict = {}
    for name, (lo, hi) in STRATA.items():
        sel = (truth >= lo) & (truth <= hi)
        p, t = pred[sel], truth[sel]
        with np.errstate(invalid="ignore"):
            covered = (p[:, 1] <= t) & (t <= p[:, 2])
            within = (np.abs(p[:, 0] - t) <= 1) | (np.isinf(p[:, 0]) & np.isinf(t))
        out[name] = {
            "n": int(sel.sum()),
            "coverage": float(covered.mean()) if sel.any() else math.nan,
            "within1": float(within.mean()) if sel.any() else math.nan,
            "no_forecast": float(np.isnan(p[:, 0]).mean()) if sel.any() else math.nan,
        }
    has = ~np.isnan(pred[:, 0])
    out["open_ended"] = float(np.mean(np.isfinite(pred[has, 0]) & np.isinf(pred[has, 2])))
    return out
