"""Writing the audit trail. Every function writes in the caller's transaction, so a
change and its audit row are committed (or rolled back) together."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import connections, router
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
    seen: dict[int, int] = {}  # client id -> practice id, in the order shown
    for client in clients:
        seen.setdefault(client.pk, client.practice_id)
    if not seen:
        return 0
    connection = connections[router.db_for_write(AccessEvent)]
    if connection.vendor == "postgresql":
        _insert_for_clients(connection, request, seen, what=what, action=action)
    else:
        AccessEvent.objects.bulk_create(
            [
                _event(request, practice_id=p, client_id=c, what=what, action=action)
                for c, p in seen.items()
            ]
        )
    return len(seen)


# Every column but the client's (and its practice's) is the same in each row of a list
# page, so on PostgreSQL the rows are one INSERT of those values over two arrays of ids:
# bulk_create would prepare each field of each row in Python (50 rows cost more than
# the rest of an API list), for the same rows. The constant values still go through
# each field's own preparation once (IP address, timestamp).
_CONSTANT_FIELDS = ("at", "user", "actor", "action", "channel", "what", "ip_address")


def _insert_for_clients(connection, request, seen: dict[int, int], *, what, action) -> None:
    template = _event(request, practice_id=None, client_id=None, what=what, action=action)
    meta = AccessEvent._meta
    fields = [meta.get_field(name) for name in _CONSTANT_FIELDS]
    values = [f.get_db_prep_save(f.pre_save(template, add=True), connection) for f in fields]
    columns = [f.column for f in fields]
    practice, client, ref = (
        meta.get_field(name).column for name in ("practice", "client", "client_ref")
    )
    qn = connection.ops.quote_name
    sql = (
        f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(c) for c in columns)}, "
        f"{qn(practice)}, {qn(client)}, {qn(ref)}) "
        f"SELECT {', '.join(['%s'] * len(columns))}, u.p, u.c, u.c "
        "FROM unnest(%s::bigint[], %s::bigint[]) WITH ORDINALITY AS u(p, c, n) ORDER BY u.n"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, list(seen.values()), list(seen.keys())])


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
