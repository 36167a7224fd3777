"""Writing the audit trail. Every function writes in the caller's transaction, so a
change and its audit row are committed (or rolled back) together."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.http import HttpRequest

from backcourse.audit.models import AccessEvent


def _channel(request) -> str:
    if request is None:
        return AccessEvent.Channel.SYSTEM
    path = request.path
    if path.startswith("/api/"):
        return AccessEvent.Channel.API
    if path.startswith("/cal/"):
        return AccessEvent.Channel.CALENDAR
    if path.startswith("/admin/"):
        return AccessEvent.Channel.ADMIN
    if path.startswith("/me/") and getattr(request, "staff", None) is None:
        return AccessEvent.Channel.PORTAL
    return AccessEvent.Channel.PAGE


def _who(request):
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user, user.get_username()
    return None, ""


def _event(request, *, practice_id, client_id, what, action) -> AccessEvent:
    user, actor = _who(request)
    return AccessEvent(
        user=user,
        actor=actor,
        practice_id=practice_id,
        client_id=client_id,
        client_ref=client_id,
        action=action,
        channel=_channel(request),
        what=what[:200],
        ip_address=(request.META.get("REMOTE_ADDR") or None) if request is not None else None,
    )


def _already(request, client_id, action, kind="") -> bool:
    """Changes are logged once per client and request (a record save touches many rows);
    deletions once per client, request and kind of row."""
    if request is None or action == AccessEvent.Action.VIEW:
        return False
    written = getattr(request, "audit_written", None)
    if written is None:
        return False
    key = (client_id, action, kind)
    if key in written:
        return True
    written.add(key)
    return False


def access_event_record(
    *, request: HttpRequest | None, client, what: str, action: str = AccessEvent.Action.VIEW
) -> AccessEvent | None:
    """Write one audit row for a read (or change) of a client's health data."""
    if _already(request, client.pk, action):
        return None
    event = _event(
        request, practice_id=client.practice_id, client_id=client.pk, what=what, action=action
    )
    event.save()
    return event


def access_events_record_many(
    *, request: HttpRequest, clients: Iterable, what: str, action: str = AccessEvent.Action.VIEW
) -> int:
    """One row per distinct client shown on a list page (day, week, feed, API list)."""
    seen: dict[int, object] = {}
    for client in clients:
        seen.setdefault(client.pk, client)
    AccessEvent.objects.bulk_create(
        [
            _event(request, practice_id=c.practice_id, client_id=c.pk, what=what, action=action)
            for c in seen.values()
        ]
    )
    return len(seen)


def access_event_deleted(*, request, practice_id: int, client_id: int, what: str) -> None:
    """The deletion of a client (or of their data): the id is kept in `client_ref`."""
    if _already(request, client_id, AccessEvent.Action.DELETE, re.sub(r"\d+", "", what)):
        return
    event = _event(
        request,
        practice_id=practice_id,
        client_id=None,
        what=what,
        action=AccessEvent.Action.DELETE,
    )
    event.client_ref = client_id
    event.save()
