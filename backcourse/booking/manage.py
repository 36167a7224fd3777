"""The private link that lets a client who booked online view, move or cancel that
session without an account, and fetch its calendar file.

The link carries a signed token naming the session (Django's signing with SECRET_KEY and
its own salt): it cannot be guessed or changed, and is sent only to the address that
confirmed the booking, like the confirmation link itself. It stays valid while the
session exists; what it may still do is decided by the session's rules at the time
(`services.notice_problem`: only booked sessions, only until the notice period).
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from backcourse.scheduling import errors
from backcourse.scheduling.errors import SchedulingError
from backcourse.scheduling.models import Session

MANAGE_SALT = "backcourse.booking.manage"


def manage_token(session: Session) -> str:
    return signing.dumps({"s": session.pk, "c": session.client_id}, salt=MANAGE_SALT)


def session_from_manage_token(token: str, *, practice) -> Session:
    """The session a manage link points to, in this practice; LINK_INVALID otherwise."""
    try:
        data = signing.loads(token, salt=MANAGE_SALT)
        return Session.objects.select_related(
            "practice", "therapist__user", "room", "session_type", "client"
        ).get(pk=data["s"], client_id=data["c"], practice=practice)
    except (signing.BadSignature, Session.DoesNotExist, KeyError, TypeError) as exc:
        raise SchedulingError(errors.LINK_INVALID) from exc


def manage_path(session: Session) -> str:
    return reverse(
        "booking:manage", kwargs={"slug": session.practice.slug, "token": manage_token(session)}
    )


def manage_url(session: Session, base_url: str | None = None) -> str:
    return (base_url or settings.SITE_URL).rstrip("/") + manage_path(session)
