"""Validated questionnaires: item definitions, licence terms and scoring.

Plain Python (no database): each instrument validates its answers and returns a score,
or raises QuestionnaireError with a message for the client. Instruments that are not
free for clinical use are left out.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _


class QuestionnaireError(ValueError):
    pass


@dataclass(frozen=True)
class Instrument:
    code: str
    name: str
    short_name: str
    instructions: str
    low: int  # lowest possible score
    high: int  # highest possible score
    lower_is_better: bool
    licence: str
    items: list = field(default_factory=list)


# --- Roland-Morris Disability Questionnaire (RMDQ), 24-item version -----------------
# LICENCE: Roland M, Morris R. Spine 1983;8:141-4. The authors allow use of the
# questionnaire in clinical practice and research without a fee; it is widely reproduced
# as free for clinicians (the authors' site offers the forms and translations; official
# translations may carry their own terms). Item wording must not be changed. Checked
# November 2026; re-check the authors' page (rmdq.org) before shipping a translation.
RMDQ_ITEMS = [
    _("I stay at home most of the time because of my back."),
    _("I change position frequently to try and get my back comfortable."),
    _("I walk more slowly than usual because of my back."),
    _("Because of my back I am not doing any of the jobs that I usually do around the house."),
    _("Because of my back, I use a handrail to get upstairs."),
    _("Because of my back, I lie down to rest more often."),
    _("Because of my back, I have to hold on to something to get out of an easy chair."),
    _("Because of my back, I try to get other people to do things for me."),
    _("I get dressed more slowly than usual because of my back."),
    _("I only stand for short periods of time because of my back."),
    _("Because of my back, I try not to bend or kneel down."),
    _("I find it difficult to get out of a chair because of my back."),
    _("My back is painful almost all the time."),
    _("I find it difficult to turn over in bed because of my back."),
    _("My appetite is not very good because of my back pain."),
    _("I have trouble putting on my socks (or stockings) because of the pain in my back."),
    _("I only walk short distances because of my back."),
    _("I sleep less well because of my back."),
    _("Because of my back pain, I get dressed with help from someone else."),
    _("I sit down for most of the day because of my back."),
    _("I avoid heavy jobs around the house because of my back."),
    _("Because of my back pain, I am more irritable and bad tempered with people than usual."),
    _("Because of my back, I go upstairs more slowly than usual."),
    _("I stay in bed most of the time because of my back."),
]

RMDQ = Instrument(
    code="rmdq",
    name=_("Roland-Morris Disability Questionnaire"),
    short_name=_("Roland-Morris"),
    instructions=_(
        "When your back hurts, you may find it difficult to do some of the things you normally "
        "do. Tick only the sentences that describe you today."
    ),
    low=0,
    high=24,
    lower_is_better=True,
    licence="Free for clinical use and research (Roland & Morris 1983); wording unchanged.",
    items=RMDQ_ITEMS,
)


def score_rmdq(answers: dict) -> Decimal:
    """Number of statements ticked, 0-24. `answers` maps "1".."24" to true/false."""
    values = []
    for i in range(1, len(RMDQ_ITEMS) + 1):
        raw = answers.get(str(i), False)
        if raw not in (True, False, "yes", "no", "on", "", None, 0, 1, "0", "1"):
            raise QuestionnaireError(_("Please answer each statement with yes or no."))
        values.append(raw in (True, "yes", "on", 1, "1"))
    extra = set(answers) - {str(i) for i in range(1, len(RMDQ_ITEMS) + 1)}
    if extra:
        raise QuestionnaireError(_("The form contained answers to unknown statements."))
    return Decimal(sum(values))


# --- Patient-Specific Functional Scale (PSFS) ---------------------------------------
# LICENCE: Stratford P, Gill C, Westaway M, Binkley J. Physiother Can 1995;47:258-63.
# Free to use in clinical practice without permission or fee; the authors are cited.
PSFS = Instrument(
    code="psfs",
    name=_("Patient-Specific Functional Scale"),
    short_name=_("PSFS"),
    instructions=_(
        "Name up to five important activities that you cannot do, or find hard, because of "
        "your back. Rate each from 0 (unable to do it) to 10 (able to do it as well as before "
        "the problem)."
    ),
    low=0,
    high=10,
    lower_is_better=False,
    licence="Free for clinical use (Stratford et al. 1995); cite the authors.",
)
PSFS_MIN_ACTIVITIES, PSFS_MAX_ACTIVITIES = 1, 5


def score_psfs(answers: dict) -> Decimal:
    """Mean rating of the named activities, 0-10. `answers` = {"activities": [{"name":
    str, "rating": int}]}; rows without a name are ignored."""
    rows = answers.get("activities")
    if not isinstance(rows, list):
        raise QuestionnaireError(_("Please name at least one activity and rate it."))
    ratings = []
    for row in rows:
        name = str(row.get("name", "")).strip()
        rating = row.get("rating")
        if not name:
            if rating not in (None, ""):
                raise QuestionnaireError(_("Please name each activity you rate."))
            continue
        try:
            value = int(rating)
        except (TypeError, ValueError) as exc:
            raise QuestionnaireError(
                _("Please rate “%(a)s” from 0 to 10.") % {"a": name[:60]}
            ) from exc
        if not 0 <= value <= 10:
            raise QuestionnaireError(_("Please rate “%(a)s” from 0 to 10.") % {"a": name[:60]})
        ratings.append(value)
    if not PSFS_MIN_ACTIVITIES <= len(ratings) <= PSFS_MAX_ACTIVITIES:
        raise QuestionnaireError(_("Please name and rate one to five activities."))
    mean = Decimal(sum(ratings)) / Decimal(len(ratings))
    return mean.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- Perceived Stress Scale, 4-item version (PSS-4) ---------------------------------
# LICENCE: Cohen S, Kamarck T, Mermelstein R. J Health Soc Behav 1983;24:385-96; Cohen &
# Williamson 1988. The author states that no permission is needed to use the scale
# (it was made as an economical, freely usable tool); it is used without fee in clinical
# and non-profit settings. Some distributors sell formatted copies for commercial
# products — if Backcourse is sold as a service, re-check the author's terms.
PSS4_ITEMS = [
    _(
        "In the last month, how often have you felt that you were unable to control the "
        "important things in your life?"
    ),
    _(
        "In the last month, how often have you felt confident about your ability to handle "
        "your personal problems?"
    ),
    _("In the last month, how often have you felt that things were going your way?"),
    _(
        "In the last month, how often have you felt difficulties were piling up so high that "
        "you could not overcome them?"
    ),
]
PSS4_CHOICES = [
    (0, _("Never")),
    (1, _("Almost never")),
    (2, _("Sometimes")),
    (3, _("Fairly often")),
    (4, _("Very often")),
]
PSS4_REVERSED = {2, 3}  # positively worded items

PSS4 = Instrument(
    code="pss4",
    name=_("Perceived Stress Scale (4 items)"),
    short_name=_("PSS-4"),
    instructions=_("The questions ask about your feelings and thoughts during the last month."),
    low=0,
    high=16,
    lower_is_better=True,
    licence="No permission needed (Cohen et al. 1983); re-check for commercial resale.",
    items=PSS4_ITEMS,
)


def score_pss4(answers: dict) -> Decimal:
    """Sum of 4 items rated 0-4, items 2 and 3 reversed (4 - x); 0-16."""
    total = 0
    for i in range(1, 5):
        raw = answers.get(str(i))
        try:
            value = int(raw)
        except (TypeError, ValueError) as exc:
            raise QuestionnaireError(_("Please answer all four questions.")) from exc
        if not 0 <= value <= 4:
            raise QuestionnaireError(_("Each answer must be one of the five choices."))
        total += (4 - value) if i in PSS4_REVERSED else value
    return Decimal(total)


INSTRUMENTS = {i.code: i for i in (RMDQ, PSFS, PSS4)}
SCORERS = {"rmdq": score_rmdq, "psfs": score_psfs, "pss4": score_pss4}


def questionnaire_score(code: str, answers: dict) -> Decimal:
    if code not in SCORERS:
        raise QuestionnaireError(_("Unknown questionnaire."))
    if not isinstance(answers, dict):
        raise QuestionnaireError(_("The answers could not be read."))
    return SCORERS[code](answers)
