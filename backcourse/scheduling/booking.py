"""Booking services: book, book a series, reschedule, cancel, mark a no-show, and the
public book-then-confirm-by-email flow.

Every write is `@transaction.atomic` and keyword-only, and every refusal is a
`BookingError` with a message a person can read. Double booking is prevented twice:
the service checks for an overlap inside the transaction (on SQLite the transaction is
BEGIN IMMEDIATE, so "check, then insert" is serialized), and the database refuses an
overlapping row anyway (PostgreSQL exclusion constraints, SQLite triggers; see
migrations/0003_no_double_booking.py). That IntegrityError becomes `SlotTaken`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from dateutil.rrule import DAILY, MONTHLY, rrule
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backcourse.billing.services import session_status_changed
from backcourse.clients.models import Client
from backcourse.notifications.calendar import session_ics
from backcourse.scheduling import availability as av
from backcourse.scheduling.models import PendingBooking, Room, Session, SessionType

CONFIRM_SALT = "backcourse.booking.confirm"
CONFIRM_MAX_AGE = timedelta(hours=6)

REASONS = {
    av.PAST: gettext_lazy("This time is in the past."),
    av.OUTSIDE_HOURS: gettext_lazy("This time is outside the therapist's working hours."),
    av.BREAK: gettext_lazy("The therapist has a break at this time."),
    av.TIME_OFF: gettext_lazy("The therapist is away (time off) at this time."),
    av.TAKEN: gettext_lazy("This time is already taken. Please choose another time."),
    av.ROOM_TAKEN: gettext_lazy("The room is already taken at this time."),
}


class BookingError(Exception):
    """A booking request that cannot be done; `message` is shown to the user."""

    default_message = gettext_lazy("This booking cannot be made.")

    def __init__(self, message=None):
        self.message = str(message or self.default_message)
        super().__init__(self.message)


class SlotTaken(BookingError):
    default_message = REASONS[av.TAKEN]


class SlotUnavailable(BookingError):
    """Past, outside working hours, during a break or time off."""


class TooLateToChange(BookingError):
    pass


class NotChangeable(BookingError):
    pass


class InvalidToken(BookingError):
    default_message = gettext_lazy("This confirmation link is not valid.")


class AlreadyConfirmed(BookingError):
    default_message = gettext_lazy("This booking was already confirmed. Nothing was changed.")


class TooManyRequests(BookingError):
    """Too many booking requests for one email address or from one network lately."""

    default_message = gettext_lazy(
        "There have been too many booking requests for this email address or from your "
        "network in the last hour. Nothing was sent. Please try again later, or contact "
        "the practice directly."
    )


def _problem_error(problem: str) -> BookingError:
    cls = SlotTaken if problem in (av.TAKEN, av.ROOM_TAKEN) else SlotUnavailable
    return cls(REASONS[problem])


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _save_or_taken(session: Session, **save_kwargs) -> None:
    """Save; the database's overlap guard turns a lost race into SlotTaken."""
    try:
        with transaction.atomic():
            session.save(**save_kwargs)
    except IntegrityError as exc:
        raise SlotTaken() from exc


def _room_is_free(room_id: int, starts_at, ends_at, exclude_ids: Sequence[int] = ()) -> bool:
    return (
        not Session.objects.active()
        .filter(room_id=room_id)
        .overlapping(starts_at, ends_at)
        .exclude(pk__in=list(exclude_ids))
        .exists()
    )


def _free_room(practice, starts_at, ends_at) -> Room | None:
    """First active room free then; None if the practice has rooms but all are busy."""
    busy = (
        Session.objects.active()
        .filter(practice=practice, room__isnull=False)
        .overlapping(starts_at, ends_at)
        .values_list("room_id", flat=True)
    )
    return Room.objects.filter(practice=practice, is_active=True).exclude(pk__in=busy).first()


def _client_is_free(client, starts_at, ends_at, exclude_ids: Sequence[int] = ()) -> bool:
    return (
        not Session.objects.active()
        .filter(client=client)
        .overlapping(starts_at, ends_at)
        .exclude(pk__in=list(exclude_ids))
        .exists()
    )


@transaction.atomic
def session_book(
    *,
    practice,
    therapist,
    client,
    starts_at: datetime,
    session_type: SessionType | None = None,
    duration_minutes: int | None = None,
    room: Room | None = None,
    auto_room: bool = False,
    course=None,
    series: uuid.UUID | None = None,
    now: datetime | None = None,
) -> Session:
    """Book one session. Refuses past times, times outside the therapist's hours, breaks,
    time off, and overlaps with the therapist, the room or the client."""
    now = _now(now)
    for obj in (therapist, client, room, course, session_type):
        if obj is not None and obj.practice_id != practice.pk:
            raise BookingError(_("This belongs to another practice."))
    if course is not None and course.client_id != client.pk:
        raise BookingError(_("This course belongs to another client."))
    duration = duration_minutes or (session_type.duration_minutes if session_type else 60)
    buffer = session_type.buffer_minutes if session_type else 0
    problem = av.slot_problem(
        practice=practice,
        therapist=therapist,
        starts_at=starts_at,
        duration_minutes=duration,
        buffer_minutes=buffer,
        now=now,
    )
    if problem:
        raise _problem_error(problem)
    ends_at = starts_at + timedelta(minutes=duration)
    if room is not None and not _room_is_free(room.pk, starts_at, ends_at):
        raise SlotTaken(REASONS[av.ROOM_TAKEN])
    if room is None and auto_room and Room.objects.filter(practice=practice, is_active=True):
        room = _free_room(practice, starts_at, ends_at)
        if room is None:
            raise SlotTaken(_("All rooms are taken at this time. Please choose another time."))
    if not _client_is_free(client, starts_at, ends_at):
        raise SlotTaken(_("The client already has a session at this time."))
    session = Session(
        practice=practice,
        therapist=therapist,
        client=client,
        course=course,
        room=room,
        session_type=session_type,
        starts_at=starts_at,
        duration_minutes=duration,
        buffer_minutes=buffer,
        series=series,
    )
    # No savepoint of its own: this function is atomic, so a lost race (the database's
    # overlap guard raising IntegrityError) rolls back exactly this booking.
    try:
        session.save()
    except IntegrityError as exc:
        raise SlotTaken() from exc
    return session


# --- Series ---------------------------------------------------------------------------


def series_dates(
    *,
    first: datetime,
    intensive_count: int,
    intensive_every_days: int = 7,
    maintenance_count: int = 0,
    maintenance_monthly: bool = True,
    maintenance_every_days: int = 28,
    zone,
) -> list[datetime]:
    """Start instants (UTC) of a course: `intensive_count` sessions every N days, then
    `maintenance_count` sessions monthly (same day of month; the last day in shorter
    months) or every M days. Generated in local wall time with dateutil.rrule, so the
    sessions stay at the same local time across daylight-saving changes."""
    start = first.astimezone(zone).replace(tzinfo=None, fold=0)
    local = list(rrule(DAILY, interval=intensive_every_days, count=intensive_count, dtstart=start))
    if maintenance_count:
        last = local[-1] if local else start
        if maintenance_monthly:
            by_day = (last.day, -1) if last.day > 28 else (last.day,)
            more = rrule(
                MONTHLY, count=maintenance_count + 1, dtstart=last, bymonthday=by_day, bysetpos=1
            )
            local += [d for d in more if d > last][:maintenance_count]
        else:
            local += list(
                rrule(
                    DAILY,
                    interval=maintenance_every_days,
                    count=maintenance_count + 1,
                    dtstart=last,
                )
            )[1:]
    return [av.local_to_utc(d.date(), d.time(), zone) for d in local]


@dataclass
class PlannedSession:
    index: int
    planned_at: datetime  # as generated (after any shift)
    starts_at: datetime | None  # what would be booked; None when skipped
    problem: str = ""  # a readable reason; empty when fine
    alternatives: list[datetime] = field(default_factory=list)
    choice: str = ""  # "", "skip" or "alt:<iso>"

    @property
    def ok(self) -> bool:
        return not self.problem

    @property
    def skipped(self) -> bool:
        return self.choice == "skip"


def series_plan(
    *,
    practice,
    therapist,
    client,
    session_type: SessionType,
    starts: Sequence[datetime],
    room: Room | None = None,
    choices: dict[int, str] | None = None,
    now: datetime | None = None,
) -> list[PlannedSession]:
    """Check every date of a series before anything is saved. Reads only.

    `choices[i]` resolves a conflict: "skip", or "alt:<ISO datetime>" for an
    alternative slot. Each row gets a readable problem (if any) and up to four
    alternative free slots near the planned time."""
    now = _now(now)
    choices = choices or {}
    duration = timedelta(minutes=session_type.duration_minutes)
    buffer = timedelta(minutes=session_type.buffer_minutes)
    alt_times = [_parse_alt(c) for c in choices.values() if c.startswith("alt:")]
    all_times = [*starts, *[t for t in alt_times if t]]
    if not all_times:
        return []
    window = (min(all_times) - timedelta(days=5), max(all_times) + timedelta(days=5))
    rules_by_id, rooms = av._load(practice=practice, therapist_ids=[therapist.pk], window=window)
    rules = rules_by_id[therapist.pk]
    room_busy = rooms.get(room.pk, []) if room else []
    client_busy = list(
        Session.objects.active()
        .filter(client=client, starts_at__lt=window[1], ends_at__gt=window[0])
        .values_list("starts_at", "ends_at")
    )
    accepted: list[tuple[datetime, datetime]] = []
    plan: list[PlannedSession] = []
    for i, planned in enumerate(starts):
        choice = choices.get(i, "")
        row = PlannedSession(index=i, planned_at=planned, starts_at=planned, choice=choice)
        plan.append(row)
        if choice == "skip":
            row.starts_at = None
            continue
        if choice.startswith("alt:"):
            row.starts_at = _parse_alt(choice)
            if row.starts_at is None:
                row.problem, row.choice, row.starts_at = _("Not a valid time."), "", planned
        problem = _series_problem(
            rules,
            practice.zone,
            row.starts_at,
            duration,
            buffer,
            now,
            accepted,
            room_busy,
            client_busy,
        )
        if problem:
            row.problem = problem
            row.alternatives = _alternatives(
                rules,
                practice.zone,
                planned,
                duration,
                buffer,
                now,
                accepted,
                room_busy,
                client_busy,
            )
        else:
            accepted.append((row.starts_at, row.starts_at + duration + buffer))
    return plan


def _parse_alt(choice: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(choice.removeprefix("alt:"))
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


def _overlaps(ranges, start, end) -> bool:
    return any(a < end and b > start for a, b in ranges)


def _series_problem(rules, zone, start, duration, buffer, now, accepted, room_busy, client_busy):
    problem = av.check_slot(
        rules=rules, zone=zone, starts_at=start, duration=duration, buffer=buffer, now=now
    )
    if problem:
        return str(REASONS[problem])
    if _overlaps(accepted, start, start + duration + buffer):
        return _("Overlaps another session of this series.")
    if _overlaps(room_busy, start, start + duration):
        return str(REASONS[av.ROOM_TAKEN])
    if _overlaps(client_busy, start, start + duration):
        return _("The client already has a session at this time.")
    return ""


def _alternatives(rules, zone, planned, duration, buffer, now, accepted, room_busy, client_busy):
    day = planned.astimezone(zone).date()
    candidates = av.therapist_slots(
        rules=rules,
        zone=zone,
        first_day=day - timedelta(days=3),
        last_day=day + timedelta(days=3),
        duration=duration,
        buffer=buffer,
        now=now,
    )
    free = [
        s
        for s, e in candidates
        if not _overlaps(accepted, s, e + buffer)
        and not _overlaps(room_busy, s, e)
        and not _overlaps(client_busy, s, e)
    ]
    free.sort(key=lambda s: abs((s - planned).total_seconds()))
    return sorted(free[:4])


@transaction.atomic
def series_book(
    *,
    practice,
    course,
    therapist,
    session_type: SessionType,
    starts: Sequence[datetime],
    room: Room | None = None,
    now: datetime | None = None,
) -> list[Session]:
    """Book all of `starts` as one series, or nothing: any refusal rolls back all."""
    if not starts:
        raise BookingError(_("There is nothing to book."))
    series = uuid.uuid4()
    sessions = []
    for start in sorted(starts):
        try:
            sessions.append(
                session_book(
                    practice=practice,
                    therapist=therapist,
                    client=course.client,
                    course=course,
                    session_type=session_type,
                    starts_at=start,
                    room=room,
                    series=series,
                    now=now,
                )
            )
        except BookingError as exc:
            when = date_format(start.astimezone(practice.zone), "DATETIME_FORMAT")
            raise type(exc)(
                _("%(when)s: %(why)s Nothing was booked.") % {"when": when, "why": exc.message}
            ) from exc
    return sessions


# --- Changes --------------------------------------------------------------------------


def _check_client_notice(session: Session, now: datetime) -> None:
    hours = session.practice.cancellation_notice_hours
    if session.starts_at - now < timedelta(hours=hours):
        raise TooLateToChange(
            _(
                "Online changes are possible until %(hours)s hours before the session. "
                "Please call the practice."
            )
            % {"hours": hours}
        )


def _series_siblings(session: Session) -> list[Session]:
    """The booked sessions of this session's series from this one on (itself included)."""
    if session.series is None:
        return [session]
    return list(
        Session.objects.filter(
            series=session.series,
            status=Session.Status.BOOKED,
            starts_at__gte=session.starts_at,
        ).select_related("practice")
    )


@transaction.atomic
def session_reschedule(
    *,
    session: Session,
    starts_at: datetime,
    by_client: bool,
    now: datetime | None = None,
    whole_series: bool = False,
) -> Session:
    """Move a booked session (with `whole_series`: it and the later sessions of its
    series by the same wall-clock shift). A client may do it only up to the practice's
    notice period before the session. Returns the session, moved."""
    now = _now(now)
    session = Session.objects.select_for_update().select_related("practice").get(pk=session.pk)
    if session.status != Session.Status.BOOKED:
        raise NotChangeable(_("Only a booked session can be moved."))
    if by_client:
        _check_client_notice(session, now)
    practice = session.practice
    zone = practice.zone
    moving = _series_siblings(session) if whole_series else [session]
    shift = starts_at.astimezone(zone).replace(tzinfo=None) - session.local_start.replace(
        tzinfo=None
    )
    targets = {}
    for s in moving:
        wall = s.local_start.replace(tzinfo=None) + shift
        targets[s.pk] = av.local_to_utc(wall.date(), wall.time(), zone)
    exclude = [s.pk for s in moving]
    for s in moving:
        problem = av.slot_problem(
            practice=practice,
            therapist=s.therapist,
            starts_at=targets[s.pk],
            duration_minutes=s.duration_minutes,
            buffer_minutes=s.buffer_minutes,
            now=now,
            exclude_session_ids=exclude,
        )
        if problem:
            when = date_format(targets[s.pk].astimezone(zone), "DATETIME_FORMAT")
            error = _problem_error(problem)
            raise type(error)(f"{when}: {error.message}")
        end = targets[s.pk] + timedelta(minutes=s.duration_minutes)
        if s.room_id and not _room_is_free(s.room_id, targets[s.pk], end, exclude):
            raise SlotTaken(REASONS[av.ROOM_TAKEN])
        if not _client_is_free(s.client, targets[s.pk], end, exclude):
            raise SlotTaken(_("The client already has a session at this time."))
    # Move the one furthest in the direction of travel first, so siblings never collide.
    for s in sorted(moving, key=lambda s: s.starts_at, reverse=shift > timedelta(0)):
        s.starts_at = targets[s.pk]
        _save_or_taken(s, update_fields=["starts_at"])
    return next(s for s in moving if s.pk == session.pk)


@transaction.atomic
def session_cancel(
    *,
    session: Session,
    by_client: bool,
    now: datetime | None = None,
    whole_series: bool = False,
) -> Session:
    """Cancel a booked session (with `whole_series`: also the later ones of its series).
    Frees the slot. A client may do it only up to the practice's notice period."""
    now = _now(now)
    session = Session.objects.select_for_update().select_related("practice").get(pk=session.pk)
    if session.status != Session.Status.BOOKED:
        raise NotChangeable(_("Only a booked session can be cancelled."))
    if by_client:
        _check_client_notice(session, now)
    for s in _series_siblings(session) if whole_series else [session]:
        s.status = Session.Status.CANCELLED
        s.save(update_fields=["status"])
        session_status_changed(session=s, old=Session.Status.BOOKED, new=s.status, now=now)
        if s.pk == session.pk:
            session = s
    return session


@transaction.atomic
def session_mark_no_show(*, session: Session, now: datetime | None = None) -> Session:
    """The client did not come. The slot stays occupied (the therapist was waiting)."""
    now = _now(now)
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.status not in (Session.Status.BOOKED, Session.Status.CHECKED_IN):
        raise NotChangeable(_("Only a booked session can be marked as a no-show."))
    if session.starts_at > now:
        raise NotChangeable(_("A session that has not started yet cannot be a no-show."))
    session_status_changed(session=session, old=session.status, new="no_show", now=now)
    session.status = Session.Status.NO_SHOW
    session.save(update_fields=["status"])
    return session


# --- Public booking: request, then confirm by emailed link -----------------------------


def confirm_token(pending: PendingBooking) -> str:
    return signing.dumps({"p": pending.pk, "n": str(pending.nonce)}, salt=CONFIRM_SALT)


def _free_therapists_at(practice, session_type, starts_at, now, therapist=None):
    local_day = starts_at.astimezone(practice.zone).date()
    slots = av.available_slots(
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
    now = _now(now)
    if not practice.online_booking:
        raise BookingError(_("This practice does not take bookings online at the moment."))
    if (
        session_type.practice_id != practice.pk
        or not session_type.bookable_online
        or not session_type.is_active
    ):
        raise BookingError(_("This kind of session cannot be booked online."))
    if therapist is not None and therapist.practice_id != practice.pk:
        raise BookingError(_("This therapist works in another practice."))
    _check_request_rate(email=email.strip(), requested_ip=requested_ip, now=now)
    if starts_at < now:
        raise SlotUnavailable(REASONS[av.PAST])
    if therapist is not None:
        problem = av.slot_problem(
            practice=practice,
            therapist=therapist,
            starts_at=starts_at,
            duration_minutes=session_type.duration_minutes,
            buffer_minutes=session_type.buffer_minutes,
            now=now,
        )
        if problem:
            raise _problem_error(problem)
    if not _free_therapists_at(practice, session_type, starts_at, now, therapist):
        raise SlotTaken()
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
    transaction.on_commit(lambda: _send_confirm_request(pending, link))
    return pending


RATE_WINDOW = timedelta(hours=1)


def _check_request_rate(*, email: str, requested_ip: str | None, now: datetime) -> None:
    """Count the requests of the last hour in the database (all practices), so the limit
    holds across app servers. A limit of 0 is off."""
    recent = PendingBooking.objects.filter(created_at__gt=now - RATE_WINDOW)
    per_email = settings.BOOKING_REQUESTS_PER_EMAIL_HOUR
    if per_email and recent.filter(email__iexact=email).count() >= per_email:
        raise TooManyRequests()
    per_ip = settings.BOOKING_REQUESTS_PER_IP_HOUR
    if per_ip and requested_ip and recent.filter(requested_ip=requested_ip).count() >= per_ip:
        raise TooManyRequests()


def _when_text(practice, starts_at) -> str:
    return date_format(starts_at.astimezone(practice.zone), "l, j F Y, H:i T")


def _send_confirm_request(pending: PendingBooking, link: str) -> None:
    practice = pending.practice
    with translation.override(practice.language):
        context = {
            "pending": pending,
            "practice": practice,
            "link": link,
            "when": _when_text(practice, pending.starts_at),
            "hours": int(CONFIRM_MAX_AGE.total_seconds() // 3600),
        }
        send_mail(
            _("Please confirm your booking at %(practice)s") % {"practice": practice.name},
            render_to_string("booking/email_confirm_request.txt", context),
            None,
            [pending.email],
        )


def _send_booked(session: Session, email: str) -> None:
    practice = session.practice
    with translation.override(practice.language):
        context = {
            "session": session,
            "practice": practice,
            "when": _when_text(practice, session.starts_at),
        }
        message = EmailMessage(
            _("Your session at %(practice)s is booked") % {"practice": practice.name},
            render_to_string("booking/email_booked.txt", context),
            to=[email],
        )
        message.attach("session.ics", session_ics([session], practice=practice), "text/calendar")
        message.send()


def pending_from_token(token: str, *, practice=None) -> PendingBooking:
    """The pending booking a link points to, or InvalidToken (expired/forged/unknown)."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise InvalidToken(
            _("This confirmation link has expired. Please choose a time and book again.")
        ) from exc
    except signing.BadSignature as exc:
        raise InvalidToken() from exc
    qs = PendingBooking.objects.select_related("practice", "session_type", "therapist")
    if practice is not None:
        qs = qs.filter(practice=practice)
    try:
        return qs.get(pk=data["p"], nonce=data["n"])
    except (PendingBooking.DoesNotExist, KeyError, TypeError, ValueError) as exc:
        raise InvalidToken() from exc


@transaction.atomic
def pending_booking_confirm(*, token: str, practice=None, now: datetime | None = None) -> Session:
    """Turn a pending booking into a session. The client is matched by email within the
    practice (returning client) or created. Refuses reused, expired or forged links and a
    slot taken meanwhile; then nothing changes."""
    now = _now(now)
    pending = pending_from_token(token, practice=practice)
    pending = PendingBooking.objects.select_for_update().get(pk=pending.pk)
    if pending.confirmed_at is not None:
        raise AlreadyConfirmed()
    practice = pending.practice
    if pending.therapist_id:
        candidates = [pending.therapist_id]
    else:
        candidates = _free_therapists_at(practice, pending.session_type, pending.starts_at, now)
        if not candidates:
            raise SlotTaken()
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
    from backcourse.practices.models import StaffMember

    session = None
    last_error: BookingError = SlotTaken()
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
        except SlotTaken as exc:
            last_error = exc
    if session is None:
        raise last_error
    pending.confirmed_at = now
    pending.session = session
    pending.save(update_fields=["confirmed_at", "session"])
    transaction.on_commit(lambda: _send_booked(session, pending.email))
    return session


def day_label(practice, day: date) -> str:
    return date_format(day, "l, j F")


def local_time_label(practice, starts_at: datetime) -> str:
    """'09:00', or '02:00 CEST' in a repeated autumn hour so both are distinct."""
    local = starts_at.astimezone(practice.zone)
    label = local.strftime("%H:%M")
    other = local.replace(fold=1 - local.fold)
    if other.utcoffset() != local.utcoffset():
        label += " " + local.tzname()
    return label
