"""Public booking: a request, then confirmation by an emailed link.

`pending_booking_create` records the request (rate-limited per address and network) and
queues the email with the link; the slot is NOT held. `pending_booking_confirm` turns
the request into a session through `services.session_book` (same rules as any
booking; "any therapist" tries each one free then), matching or creating the client.
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
from backcourse.practices.models import StaffMember
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


def _free_therapists_at(practice, session_type, starts_at, now, therapist=None):
    local_day = starts_at.astimezone(practice.zone).date()
    slots = selectors.available_slots(
        practice=practice,
        session_type=session_type,
        therapist=therapist,
        first_day=local_day,
        weeks=1,
        now=now,
        step_minutes=5,
    )
    return [s.therapist_id for s in slots if s.starts_at == starts_at]


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
    # The booking's own rules (whose therapist and kind of session; the therapist's
    # hours, breaks, time off, buffers, other sessions), asked of the service that books
    # on confirmation. The client is not known yet; "any therapist" is searched below.
    session_book_check(
        practice=practice,
        therapist=therapist,
        session_type=session_type,
        starts_at=starts_at,
        now=now,
    )
    if not _free_therapists_at(practice, session_type, starts_at, now, therapist):
        # Nobody free then: in the past, or taken (the search offers neither).
        raise SchedulingError(errors.PAST if starts_at < now else errors.TAKEN)
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


def pending_from_token(token: str, *, practice=None) -> PendingBooking:
    """The pending booking a link points to, or InvalidToken (expired/forged/unknown)."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise SchedulingError(errors.LINK_EXPIRED) from exc
    except signing.BadSignature as exc:
        raise SchedulingError(errors.LINK_INVALID) from exc
    qs = PendingBooking.objects.select_related("practice", "session_type", "therapist")
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
    pending = pending_from_token(token, practice=practice)
    pending = PendingBooking.objects.select_for_update().get(pk=pending.pk)
    if pending.confirmed_at is not None:
        raise SchedulingError(errors.ALREADY_CONFIRMED)
    practice = pending.practice
    if pending.therapist_id:
        candidates = [pending.therapist_id]
    else:
        candidates = _free_therapists_at(practice, pending.session_type, pending.starts_at, now)
        if not candidates:
            raise SchedulingError(errors.TAKEN)
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
    session = None
    last_error = SchedulingError(errors.TAKEN)
    for therapist in StaffMember.objects.filter(pk__in=candidates, practice=practice):
        try:
            session = session_book(
                practice=practice,
                therapist=therapist,
                client=client,
                session_type=pending.session_type,
                starts_at=pending.starts_at,
                auto_room=True,
                now=now,
            )
            break
        except SchedulingError as exc:
            if not exc.is_conflict:
                raise
            last_error = exc
    if session is None:
        raise last_error
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
