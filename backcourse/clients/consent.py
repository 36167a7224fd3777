"""Consent: which published texts a client still has to agree to.

A practice that publishes no consent texts manages consent on paper; then nothing is
missing and nothing is blocked.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backcourse.clients.models import ConsentRecord, ConsentText
from backcourse.practices.reference import practice_reference


def consent_current_texts(practice, *, now=None) -> list[ConsentText]:
    """The newest published text of each kind for a practice.

    The practice's published texts are kept in memory per process (practices/reference.py:
    read again after any change); which of them are published by `now` is decided here,
    so a text published for a later date becomes current on time."""
    now = now or timezone.now()
    published = practice_reference(
        practice,
        "consent_texts",
        lambda: list(
            ConsentText.objects.filter(practice=practice, published_at__isnull=False).order_by(
                "kind", "-version"
            )
        ),
    )
    current: dict[str, ConsentText] = {}
    for text in published:
        if text.published_at <= now:
            current.setdefault(text.kind, text)
    return [current[k] for k in ConsentText.Kind.values if k in current]


def consent_missing_texts(client, *, now=None) -> list[ConsentText]:
    current = consent_current_texts(client.practice, now=now)
    if not current:  # consent on paper: nothing to ask the database
        return []
    agreed = set(
        ConsentRecord.objects.filter(client=client, text__in=current).values_list(
            "text_id", flat=True
        )
    )
    return [t for t in current if t.pk not in agreed]


def consent_missing(client, *, now=None) -> list[str]:
    """Kinds ("treatment", "health_data") whose current version the client has not
    agreed to. Empty when everything is in order."""
    return [t.kind for t in consent_missing_texts(client, now=now)]


DEFAULT_TEXTS = {
    ConsentText.Kind.TREATMENT: _(
        "I agree to be treated with therapeutic massage by the therapists of this practice. "
        "I have told them about my health, medication and any changes, and I will tell them "
        "about new complaints. Massage does not replace a doctor's diagnosis. I may stop a "
        "treatment at any time."
    ),
    ConsentText.Kind.HEALTH_DATA: _(
        "I agree that this practice records and processes data about my health (my "
        "complaints, screening answers, measurements and treatment notes) to plan and "
        "document my treatment (GDPR art. 9(2)(a)). Only the practice's staff can see it. "
        "I can download my data and withdraw this consent at any time; records the law "
        "requires the practice to keep are kept for the legal period."
    ),
}


def consent_texts_default(practice, *, publish: bool = True) -> list[ConsentText]:
    """Create version 1 of both consent texts for a practice (idempotent). Call it from
    demo seeding or practice creation; the practice edits them in the admin."""
    created = []
    for kind, text in DEFAULT_TEXTS.items():
        obj, _new = ConsentText.objects.get_or_create(
            practice=practice,
            kind=kind,
            version=1,
            defaults={"text": str(text), "published_at": timezone.now() if publish else None},
        )
        created.append(obj)
    return created
