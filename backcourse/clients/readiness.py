"""Forms before the visit: has a client agreed to the current consent texts and filled
in the intake? The booking confirmation asks a client for what is missing; the day view
shows it for each session (a few queries for the whole day, not one per client)."""

from __future__ import annotations

from collections.abc import Iterable

from backcourse.clients.consent import consent_current_texts
from backcourse.clients.models import ConsentRecord, Intake

CONSENT = "consent"
INTAKE = "intake"


def forms_missing_by_client(
    practice, client_ids: Iterable[int], *, now=None, with_intake: Iterable[int] | None = None
) -> dict[int, list[str]]:
    """client id -> what is missing ("consent", "intake"); [] when all is done.
    `with_intake`: the clients known to have an intake (saves asking again)."""
    ids = set(client_ids)
    if not ids:
        return {}
    current = [t.pk for t in consent_current_texts(practice, now=now)]
    agreed: dict[int, set[int]] = {}
    agreements = ConsentRecord.objects.filter(client_id__in=ids, text_id__in=current)
    for client_id, text_id in agreements.values_list("client_id", "text_id") if current else ():
        agreed.setdefault(client_id, set()).add(text_id)
    if with_intake is None:
        with_intake = Intake.objects.filter(client_id__in=ids).values_list("client_id", flat=True)
    has_intake = set(with_intake)
    missing = {}
    for client_id in ids:
        wanted = []
        if not set(current) <= agreed.get(client_id, set()):
            wanted.append(CONSENT)
        if client_id not in has_intake:
            wanted.append(INTAKE)
        missing[client_id] = wanted
    return missing


def forms_missing(client, *, now=None) -> list[str]:
    return forms_missing_by_client(client.practice, [client.pk], now=now)[client.pk]
