"""Erasure, step "revoke": everything that lets anyone reach the client's data without
signing in again ends in the same transaction as the erasure itself.

- calendar feeds of the client (revoked, so the feed URL answers 404),
- email links (sign-in, follow-up) of the client (deleted),
- the client's login sessions (ended) and password (made unusable).

API tokens belong to staff, never to clients, so there are none to revoke.
"""

from __future__ import annotations

from django.contrib.sessions.models import Session as LoginSession
from django.utils import timezone

from backcourse.notifications.models import CalendarFeed
from backcourse.portal.models import EmailToken


def erasure_revoke_access(*, client, by_user, now=None) -> dict[str, int]:
    now = now or timezone.now()
    feeds = CalendarFeed.objects.filter(client=client, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=by_user
    )
    links, _ = EmailToken.objects.filter(client=client).delete()
    sessions = 0
    user = client.user
    if user is not None:
        user.set_unusable_password()  # also invalidates every session's auth hash
        user.save(update_fields=["password"])
        sessions = login_sessions_end(user_id=user.pk, now=now)
    return {"feeds": feeds, "links": links, "sessions": sessions}


def login_sessions_end(*, user_id: int, now=None) -> int:
    """Delete the database sessions of one user (the session engine is the database)."""
    now = now or timezone.now()
    ended = 0
    for row in LoginSession.objects.filter(expire_date__gt=now).iterator():
        data = row.get_decoded()
        if str(data.get("_auth_user_id")) == str(user_id):
            row.delete()
            ended += 1
    return ended
