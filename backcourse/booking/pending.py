"""Public booking: a request, then confirmation by an emailed link.

`pending_booking_create` records the request (rate-limited per address and network) and
queues the email with the link; the slot is NOT held. `pending_booking_confirm` turns
the request into a session through `services.session_book` (same rules as any
booking; "any therapist" tries each one in turn), matching or creating the client. Both
ask the booking service itself whether a therapist can take the time; when none can,
the refusal is the service's (see `_first_free`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from backcourse.booking.manage import manage_url
from backcourse.clients.models import Client
from backcourse.clients.readiness import forms_missing
from backcourse.notifications import emails
from backcourse.notifications.outbox import email_queue
from backcourse.scheduling import errors, selectors
from backcourse.scheduling.errors import SchedulingError
from backcourse.scheduling.models import PendingBooking, Session, SessionType
from backcourse.scheduling.services import session_book, session_book_check

CONFIRM_SALT = "backcourse.booking.confirm"
# How long a confirmation link is valid (the signed token's max age).
CONFIRM_MAX_AGE_HOURS = 6
CONFIRM_MAX_AGE = timedelta(hours=CONFIRM_MAX_AGE_HOURS)


def confirm_token(pending: PendingBooking) -> str:
    return signing.dumps({"p": pending.pk, "n": str(pending.nonce)}, salt=CONFIRM_SALT)


# When no therapist can take a time, the reason shown is that of the therapist who came
# closest (the latest of these, in the order the booking service checks them): for "any
# therapist" at 15:00, "taken" (one is busy) says more than "outside hours" (one has
# gone home). When all share the reason (a past time, a closed day), it is that one.
_NEAREST_LAST = (
    errors.CLOSED,
    errors.PAST,
    errors.OUTSIDE_HOURS,
    errors.BREAK,
    errors.TIME_OFF,
    errors.TAKEN,
    errors.ROOM_TAKEN,
    errors.ROOMS_FULL,
)


def _therapists_for(practice, therapist=None):
    """The therapist asked for, or every bookable one ("any therapist"), in order."""
    if therapist is not None:
        return [therapist]
    return list(selectors.bookable_therapists(practice))


def _first_free(candidates, check):
    """The first candidate `check` (the booking service) accepts, with its result; else
    the refusal of the one that came closest (see _NEAREST_LAST)."""
    refusals = []
    for candidate in candidates:
        try:
            return candidate, check(candidate)
        except SchedulingError as exc:
            refusals.append(exc)
    if not refusals:  # nobody takes sessions at all
        raise SchedulingError(errors.TAKEN)
    rank = {code: i for i, code in enumerate(_NEAREST_LAST)}
    raise max(refusals, key=lambda exc: rank.get(exc.code, -1))


@transaction.atomic
def pending_booking_create(
    *,
    practice,
    session_type: SessionType,
    therapist,
    starts_at: datetime,
    first_name: str,
    last_name: str,
    email: str,
    phone: str = "",
    site_url: str | None = None,
    requested_ip: str | None = None,
    now: datetime | None = None,
) -> PendingBooking:
    """Record a public booking request and email the confirmation link (on commit).
    The slot is not held; it is checked again when the link is used. Refused with
    `TooManyRequests` when this address or `requested_ip` asked too often lately."""
    now = now or timezone.now()
    if not practice.online_booking:
        raise SchedulingError(errors.ONLINE_BOOKING_OFF)
    if not session_type.bookable_online or not session_type.is_active:
        raise SchedulingError(errors.NOT_BOOKABLE_ONLINE)
    _check_request_rate(email=email.strip(), requested_ip=requested_ip, now=now)
    # The booking's own rules (whose rows these are; the therapist's hours, breaks, time
    # off, buffers, other sessions; a free room), asked of the service that books on
    # confirmation, for the therapist chosen or for each ("any therapist") until one is
    # free. The client is not known yet.
    _first_free(
        _therapists_for(practice, therapist),
        lambda candidate: session_book_check(
            practice=practice,
            therapist=candidate,
            session_type=session_type,
            starts_at=starts_at,
            auto_room=True,
            now=now,
        ),
    )
    pending = PendingBooking.objects.create(
        practice=practice,
        session_type=session_type,
        therapist=therapist,
        starts_at=starts_at,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip(),
        phone=phone.strip(),
        requested_ip=requested_ip or None,
    )
    link = (site_url or settings.SITE_URL).rstrip("/") + reverse(
        "booking:confirm", kwargs={"slug": practice.slug, "token": confirm_token(pending)}
    )
    email_queue(  # sent once the request is committed
        emails.booking_confirm_request(pending=pending, link=link, hours=CONFIRM_MAX_AGE_HOURS)
    )
    return pending


RATE_WINDOW = timedelta(hours=1)


def _check_request_rate(*, email: str, requested_ip: str | None, now: datetime) -> None:
    """Count the requests of the last hour in the database (all practices), so the limit
    holds across app servers. A limit of 0 is off."""
    recent = PendingBooking.objects.filter(created_at__gt=now - RATE_WINDOW)
    per_email = settings.BOOKING_REQUESTS_PER_EMAIL_HOUR
    if per_email and recent.filter(email__iexact=email).count() >= per_email:
        raise SchedulingError(errors.TOO_MANY_REQUESTS)
    per_ip = settings.BOOKING_REQUESTS_PER_IP_HOUR
    if per_ip and requested_ip and recent.filter(requested_ip=requested_ip).count() >= per_ip:
        raise SchedulingError(errors.TOO_MANY_REQUESTS)


def pending_from_token(token: str, *, practice=None, lock: bool = False) -> PendingBooking:
    """The pending booking a link points to, or InvalidToken (expired/forged/unknown).
    `lock`: hold its row until the transaction ends (the confirmation's one read)."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise SchedulingError(errors.LINK_EXPIRED) from exc
    except signing.BadSignature as exc:
        raise SchedulingError(errors.LINK_INVALID) from exc
    qs = PendingBooking.objects.select_related("practice", "session_type", "therapist")
    if lock:
        qs = qs.select_for_update(of=("self",))
    if practice is not None:
        qs = qs.filter(practice=practice)
    try:
        return qs.get(pk=data["p"], nonce=data["n"])
    except (PendingBooking.DoesNotExist, KeyError, TypeError, ValueError) as exc:
        raise SchedulingError(errors.LINK_INVALID) from exc


def confirmed_session_from_token(token: str, *, practice) -> Session | None:
    """The session an already confirmed link booked, however old the link: opening it
    again shows the booking instead of an error. None if it was not confirmed."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT)
        pending = PendingBooking.objects.select_related("session").get(
            pk=data["p"], nonce=data["n"], practice=practice
        )
    except (signing.BadSignature, PendingBooking.DoesNotExist, KeyError, TypeError, ValueError):
        return None
    return pending.session if pending.confirmed_at is not None else None


@transaction.atomic
def pending_booking_confirm(*, token: str, practice=None, now: datetime | None = None) -> Session:
    """Turn a pending booking into a session. The client is matched by email within the
    practice (returning client) or created. Refuses reused, expired or forged links and a
    slot taken meanwhile; then nothing changes."""
    now = now or timezone.now()
    pending = pending_from_token(token, practice=practice, lock=True)
    if pending.confirmed_at is not None:
        raise SchedulingError(errors.ALREADY_CONFIRMED)
    practice = pending.practice
    client = (
        Client.objects.filter(practice=practice, email__iexact=pending.email)
        .order_by("is_archived", "id")
        .first()
    )
    if client is None:
        client = Client.objects.create(
            practice=practice,
            first_name=pending.first_name,
            last_name=pending.last_name,
            email=pending.email,
            phone=pending.phone,
        )
    _therapist, session = _first_free(
        _therapists_for(practice, pending.therapist),
        lambda candidate: session_book(
            practice=practice,
            therapist=candidate,
            client=client,
            session_type=pending.session_type,
            starts_at=pending.starts_at,
            auto_room=True,
            now=now,
        ),
    )
    pending.confirmed_at = now
    pending.session = session
    pending.save(update_fields=["confirmed_at", "session"])
    email_queue(  # sent once the booking is committed
        emails.session_booked(
            session=session,
            email=pending.email,
            manage_url=manage_url(session),
            forms_missing=forms_missing(session.client),
        )
    )
    return session
