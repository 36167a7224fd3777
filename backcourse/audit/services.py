"""Writing the audit trail. Every function writes in the caller's transaction, so a
change and its audit row are committed (or rolled back) together."""

from __future__ import annotations

import re
from collections.abc import Iterable
from contextlib import nullcontext

from django.db import connections, router, transaction
from django.http import HttpRequest
from django.utils import timezone

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
    """One row per distinct client shown on a list page (day, week, feed, API list).

    The rows are the ones `_event` makes, written with one multi-row INSERT per batch
    rather than through a model instance per row: a list page logs up to a few hundred
    clients, and building and compiling that many instances cost more than the rest of
    the page. The values the rows share are prepared once by the model's own fields."""
    seen: dict[int, int] = {}
    for client in clients:
        seen.setdefault(client.pk, client.practice_id)
    if not seen:
        return 0
    using = router.db_for_write(AccessEvent)
    connection = connections[using]
    user, actor = _who(request)
    shared = {
        "at": timezone.now(),  # `auto_now_add`: the same instant for the request's rows
        "user": user.pk if user is not None else None,
        "actor": actor,
        "action": action,
        "channel": _channel(request),
        "what": what[:200],
        "ip_address": (request.META.get("REMOTE_ADDR") or None) if request is not None else None,
    }
    meta = AccessEvent._meta
    prepared = {
        name: meta.get_field(name).get_db_prep_save(value, connection)
        for name, value in shared.items()
    }
    # practice, client and client_ref differ per row (integers, passed as they are).
    names = [*shared, "practice", "client", "client_ref"]
    head = [prepared[name] for name in shared]
    quote = connection.ops.quote_name
    insert = (
        f"INSERT INTO {quote(meta.db_table)} "
        f"({', '.join(quote(meta.get_field(name).column) for name in names)}) "
    )
    if connection.vendor == "postgresql":
        # A few parameters instead of ten per row: the driver binds parameters on the
        # client, and a thousand of them cost milliseconds. Arrays bound in one piece.
        values = ", ".join(
            f"CAST(%s AS {meta.get_field(name).db_type(connection)})" for name in shared
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"{insert}SELECT {values}, u.practice, u.client, u.client "
                "FROM unnest(CAST(%s AS bigint[]), CAST(%s AS bigint[])) AS u(practice, client)",
                [*head, list(seen.values()), list(seen)],
            )
        return len(seen)
    rows = [(*head, practice_id, client_id, client_id) for client_id, practice_id in seen.items()]
    size = min(500, connection.ops.bulk_batch_size(names, rows) or 500)
    row_sql = "(" + ", ".join(["%s"] * len(names)) + ")"
    # One statement is atomic by itself; several batches share a transaction.
    together = (
        transaction.atomic(using=using, savepoint=False) if len(rows) > size else nullcontext()
    )
    with together, connection.cursor() as cursor:
        for i in range(0, len(rows), size):
            batch = rows[i : i + size]
            cursor.execute(
                f"{insert}VALUES " + ", ".join([row_sql] * len(batch)),
                [value for row in batch for value in row],
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
