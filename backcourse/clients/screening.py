"""Red-flag and contraindication screening: default questions and client flags."""

from dataclasses import dataclass

from django.db.models import Subquery
from django.utils.translation import gettext_lazy as _

from backcourse.clients.models import Intake, ScreeningAnswer, ScreeningQuestion

# code, kind, question, advice. Copied into each practice as editable rows.
SEE_DOCTOR = _("Please see a doctor before your massage and tell your therapist what they said.")
DEFAULT_QUESTIONS = [
    ("fever", "red_flag", _("Do you have a fever or feel generally unwell?"), SEE_DOCTOR),
    (
        "weight_loss",
        "red_flag",
        _("Have you lost weight recently without trying?"),
        SEE_DOCTOR,
    ),
    ("cancer", "red_flag", _("Have you ever had cancer?"), SEE_DOCTOR),
    (
        "trauma",
        "red_flag",
        _("Have you recently had a fall, accident or a broken bone?"),
        SEE_DOCTOR,
    ),
    (
        "saddle_bladder",
        "red_flag",
        _(
            "Do you have numbness between your legs or around your bottom, or new problems "
            "controlling your bladder or bowel?"
        ),
        _(
            "Please get medical help today (emergency department or on-call doctor). "
            "Do not wait for your massage."
        ),
    ),
    (
        "leg_weakness",
        "red_flag",
        _("Are your legs getting weaker, or do you trip or stumble more?"),
        SEE_DOCTOR,
    ),
    (
        "thrombosis",
        "contraindication",
        _("Could you have a blood clot (a swollen, warm, painful calf, or a known thrombosis)?"),
        _("Please see a doctor first: massage must wait until a clot has been ruled out."),
    ),
    (
        "anticoagulants",
        "contraindication",
        _("Do you take blood thinners (anticoagulants)?"),
        _("Please tell your therapist; pressure will be adjusted. Ask your doctor if unsure."),
    ),
    (
        "pregnancy",
        "contraindication",
        _("Are you pregnant?"),
        _("Please tell your therapist and check with your doctor or midwife first."),
    ),
]


def screening_questions_default(practice, *, models=None) -> int:
    """Give a practice the default questions it does not have yet (by code). Returns how
    many were created. `models` lets a data migration pass its historical model."""
    model = ScreeningQuestion if models is None else models
    created = 0
    for order, (code, kind, text, advice) in enumerate(DEFAULT_QUESTIONS, start=1):
        _obj, new = model.objects.get_or_create(
            practice=practice,
            code=code,
            defaults={"kind": kind, "text": str(text), "advice": str(advice), "order": order * 10},
        )
        created += int(new)
    return created


@dataclass(frozen=True)
class Flag:
    kind: str
    question: str
    advice: str

    @property
    def is_red_flag(self) -> bool:
        return self.kind == "red_flag"


def client_flags(client) -> list[Flag]:
    """Positive screening answers of the client's newest intake, red flags first."""
    return flags_by_client([client.pk])[client.pk]


# Which of a client's intakes counts: the newest.
NEWEST_INTAKE_FIRST = ("-submitted_at", "-id")


def newest_intake_id(client_id):
    """A client's newest intake id as a subquery (`client_id` may be an OuterRef): lets
    a list page read it with its own rows instead of asking `newest_intakes` apart."""
    return Subquery(
        Intake.objects.filter(client_id=client_id).order_by(*NEWEST_INTAKE_FIRST).values("id")[:1]
    )


def newest_intake(client, *, regions: bool = True) -> Intake | None:
    """The client's newest intake with its answers (and regions) loaded, or None: with
    `intake_flags`, the client's flags and intake in one go (2 to 3 queries)."""
    lookups = ["regions", "answers"] if regions else ["answers"]
    return (
        Intake.objects.filter(client=client)
        .prefetch_related(*lookups)
        .order_by(*NEWEST_INTAKE_FIRST)
        .first()
    )


def intake_flags(intake: Intake | None) -> list[Flag]:
    """`client_flags` of the client whose newest intake is `intake` (from `newest_intake`,
    its answers loaded): no query."""
    if intake is None:
        return []
    return _flags(a for a in intake.answers.all() if a.answer)


def newest_intakes(client_ids) -> dict[int, int]:
    """client id -> id of their newest intake, for the clients who filled one in."""
    newest: dict[int, int] = {}
    for intake_id, client_id in (
        Intake.objects.filter(client_id__in=client_ids)
        .order_by(*NEWEST_INTAKE_FIRST)
        .values_list("id", "client_id")
    ):
        newest.setdefault(client_id, intake_id)
    return newest


def flags_by_client(client_ids, *, newest: dict[int, int] | None = None) -> dict[int, list[Flag]]:
    """`client_flags` for many clients in two queries (a day view shows many); one when
    the caller already has their `newest_intakes`."""
    if newest is None:
        newest = newest_intakes(client_ids)
    positive: dict[int, list[ScreeningAnswer]] = {cid: [] for cid in client_ids}
    client_of = {intake_id: cid for cid, intake_id in newest.items()}
    answers = ScreeningAnswer.objects.filter(intake_id__in=client_of, answer=True).order_by("id")
    for a in answers if client_of else ():  # no intakes: nothing to ask
        positive[client_of[a.intake_id]].append(a)
    return {cid: _flags(found) for cid, found in positive.items()}


def _flags(positive_answers) -> list[Flag]:
    """The flags of an intake's positive answers: in the order asked, red flags first."""
    flags = [
        Flag(kind=a.kind, question=a.question_text, advice=a.advice)
        for a in sorted(positive_answers, key=lambda a: a.pk)
    ]
    return sorted(flags, key=lambda f: not f.is_red_flag)
