"""The only code that creates or changes a `Session`.

    session_book(...)        one session, booked by staff (`by=user`) or online (`by=None`)
    session_book_check(...)  what session_book would refuse, without booking (a public
                             request before its client is known)
    session_move(...)        a booked session (or it and the rest of its series) elsewhere
    session_cancel(...)      cancel (or it and the rest of its series); frees the slot
    session_status_set(...)  any other status change: check-in, completed, no-show, undo
    sessions_shift(...)      a whole practice's calendar N days later (the demo's "today")

Series (`scheduling/series.py`) and public requests (`booking/pending.py`) book
through `session_book`; the record writer (records/services.py) and the portal's
check-in change status through `session_status_set`. Which status may follow which is
decided by `Session.transition_problem` alone; the slot rules (working hours, breaks,
time off, buffers, the therapist's, room's and client's other sessions) by
`selectors.slot_problems` (lib/slots.py decides) plus the room and client checks here, for staff and online
bookings alike.

Every function is keyword-only and `@transaction.atomic`; every refusal is a
`SchedulingError` (errors.py) with a code and a translated message, and nothing is
changed then. Staff may override the rules in `STAFF_OVERRIDABLE` (a past session
entered afterwards, outside working hours or in a break) by passing them in
`overrides` after the person confirmed; the session stores what was overridden and by
whom. Every status a session gets (booking included) sends
`signals.session_status_changed` inside the transaction: the hook for billing.

Double booking is prevented twice: the service checks for an overlap inside the
transaction (on SQLite the transaction is BEGIN IMMEDIATE, so "check, then insert" is
serialized), and the database refuses an overlapping row anyway (PostgreSQL exclusion
constraints, SQLite triggers; see migrations/0003_no_double_booking.py). That
IntegrityError becomes the same TAKEN refusal.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from backcourse.lib.slots import local_to_utc
from backcourse.scheduling import errors, selectors
from backcourse.scheduling.errors import SchedulingError
from backcourse.scheduling.models import Room, Session, SessionType
from backcourse.scheduling.signals import session_status_changed

# What staff may knowingly book anyway. Time off is not here (change the time off
# instead), nor anything that double-books a therapist, room or client.
STAFF_OVERRIDABLE = frozenset({errors.PAST, errors.OUTSIDE_HOURS, errors.BREAK})


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _when(practice: Any, starts_at: datetime) -> str:
    return date_format(starts_at.astimezone(practice.zone), "DATETIME_FORMAT")


def _busy(
    column: str, pk: int, starts_at: datetime, ends_at: datetime, exclude: Iterable[int]
) -> bool:
    return selectors.resource_busy(
        column=column, pk=pk, starts_at=starts_at, ends_at=ends_at, exclude=list(exclude)
    )


def _free_room(practice: Any, starts_at: datetime, ends_at: datetime) -> Room | None:
    """First active room free then; None if all are busy."""
    busy = (
        Session.objects.active()
        .filter(practice=practice, room__isnull=False)
        .overlapping(starts_at, ends_at)
        .values_list("room_id", flat=True)
    )
    return Room.objects.filter(practice=practice, is_active=True).exclude(pk__in=busy).first()


def _slot_check(
    *,
    practice: Any,
    therapist: Any,
    client: Any,
    room: Room | None,
    starts_at: datetime,
    duration_minutes: int,
    buffer_minutes: int,
    now: datetime,
    overrides: Collection[str],
    by: Any,
    exclude: Sequence[int] = (),
) -> list[str]:
    """Refuse with the first rule broken, unless staff (`by`) confirmed overriding it.
    Returns the overridden codes (to be recorded on the session)."""
    problems = selectors.slot_problems(
        practice=practice,
        therapist=therapist,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        buffer_minutes=buffer_minutes,
        now=now,
        exclude_session_ids=exclude,
    )
    ends_at = starts_at + timedelta(minutes=duration_minutes)
    if room is not None and _busy("room_id", room.pk, starts_at, ends_at, exclude):
        problems.append(errors.ROOM_TAKEN)
    if client is not None and _busy("client_id", client.pk, starts_at, ends_at, exclude):
        problems.append(errors.CLIENT_BUSY)
    staff = by is not None
    used = []
    for code in problems:
        may_override = staff and code in STAFF_OVERRIDABLE
        if may_override and code in overrides:
            used.append(code)
            continue
        raise SchedulingError(code, overridable=may_override)
    return used


def _save_or_taken(session: Session, **save_kwargs: Any) -> None:
    """Save in a savepoint; the database's overlap guard turns a lost race into TAKEN."""
    try:
        with transaction.atomic():
            session.save(**save_kwargs)
    except IntegrityError as exc:
        raise SchedulingError(errors.TAKEN) from exc


def _record_overrides(session: Session, used: Collection[str], by: Any) -> list[str]:
    if not used:
        return []
    known = [c for c in session.overrides.split(",") if c]
    session.overrides = ",".join(sorted({*known, *used}))
    session.overridden_by = by
    return ["overrides", "overridden_by"]


def _new_session(
    *,
    practice: Any,
    therapist: Any,
    client: Any,
    starts_at: datetime,
    session_type: SessionType | None,
    duration_minutes: int | None,
    room: Room | None,
    course: Any,
    series: uuid.UUID | None = None,
) -> Session:
    """The unsaved session a booking would create; refused if a related row belongs to
    another practice (or the course to another client)."""
    duration = duration_minutes or (session_type.duration_minutes if session_type else 60)
    session = Session(
        practice=practice,
        therapist=therapist,
        client=client,
        course=course,
        room=room,
        session_type=session_type,
        starts_at=starts_at,
        duration_minutes=duration,
        buffer_minutes=session_type.buffer_minutes if session_type else 0,
        series=series,
    )
    ownership = session.ownership_problems()
    if ownership:
        raise SchedulingError(next(iter(ownership.values())))
    return session


def _checked_booking(
    *,
    practice: Any,
    therapist: Any,
    client: Any,
    starts_at: datetime,
    session_type: SessionType | None,
    duration_minutes: int | None,
    room: Room | None,
    course: Any,
    series: uuid.UUID | None = None,
    auto_room: bool = False,
    by: Any,
    overrides: Collection[str],
    now: datetime,
) -> tuple[Session, list[str]]:
    """The unsaved session a booking would create and the rules staff overrode for it,
    or the refusal: the one statement of what booking checks (`session_book` and
    `session_book_check`)."""
    session = _new_session(
        practice=practice,
        therapist=therapist,
        client=client,
        starts_at=starts_at,
        session_type=session_type,
        duration_minutes=duration_minutes,
        room=room,
        course=course,
        series=series,
    )
    if therapist is None:
        return session, []
    used = _slot_check(
        practice=practice,
        therapist=therapist,
        client=client,
        room=room,
        starts_at=starts_at,
        duration_minutes=session.duration_minutes,
        buffer_minutes=session.buffer_minutes,
        now=now,
        overrides=overrides,
        by=by,
    )
    if room is None and auto_room and Room.objects.filter(practice=practice, is_active=True):
        ends_at = starts_at + timedelta(minutes=session.duration_minutes)
        session.room = _free_room(practice, starts_at, ends_at)
        if session.room is None:
            raise SchedulingError(errors.ROOMS_FULL)
    return session, used


def session_book_check(
    *,
    practice: Any,
    therapist: Any,
    starts_at: datetime,
    session_type: SessionType | None = None,
    duration_minutes: int | None = None,
    client: Any = None,
    room: Room | None = None,
    auto_room: bool = False,
    course: Any = None,
    by: Any = None,
    overrides: Collection[str] = (),
    now: datetime | None = None,
) -> list[str]:
    """Refuse (SchedulingError) exactly what `session_book` would refuse with these
    arguments, without writing anything; returns the rules staff overrode. For a
    request that is not a booking yet (the public request, whose client is not known
    until the link is confirmed, `client=None`). With `therapist=None` only whose rows
    these are is checked; "any therapist" asks this for each therapist
    (booking/pending.py)."""
    _session, used = _checked_booking(
        practice=practice,
        therapist=therapist,
        client=client,
        starts_at=starts_at,
        session_type=session_type,
        duration_minutes=duration_minutes,
        room=room,
        auto_room=auto_room,
        course=course,
        by=by,
        overrides=overrides,
        now=_now(now),
    )
    return used


@transaction.atomic
def session_book(
    *,
    practice: Any,
    therapist: Any,
    client: Any,
    starts_at: datetime,
    session_type: SessionType | None = None,
    duration_minutes: int | None = None,
    room: Room | None = None,
    auto_room: bool = False,
    course: Any = None,
    series: uuid.UUID | None = None,
    by: Any = None,
    overrides: Collection[str] = (),
    now: datetime | None = None,
) -> Session:
    """Book one session. `by` is the staff user booking (None: online/the client).

    Refuses times in the past, outside the therapist's hours, in breaks and time off,
    and overlaps with the therapist (with buffers), the room or the client. Staff may
    override the codes in `STAFF_OVERRIDABLE` by naming them in `overrides`. With
    `auto_room`, a free room is chosen when the practice has rooms."""
    now = _now(now)
    session, used = _checked_booking(
        practice=practice,
        therapist=therapist,
        client=client,
        starts_at=starts_at,
        session_type=session_type,
        duration_minutes=duration_minutes,
        room=room,
        course=course,
        series=series,
        auto_room=auto_room,
        by=by,
        overrides=overrides,
        now=now,
    )
    _record_overrides(session, used, by)
    # No savepoint of its own: this function is atomic (a savepoint when nested), so a
    # lost race (the database's overlap guard raising IntegrityError) rolls back
    # exactly this booking.
    try:
        session.save()
    except IntegrityError as exc:
        raise SchedulingError(errors.TAKEN) from exc
    session_status_changed.send(
        sender=Session, session=session, old=None, new=session.status, by=by, now=now
    )
    return session


def notice_problem(session: Session, now: datetime) -> str | None:
    """Why the client may not move or cancel this session online now, or None: only a
    booked session, and only until the practice's notice period before it."""
    if not session.is_movable:
        return errors.NOT_CHANGEABLE_ONLINE
    hours = session.practice.cancellation_notice_hours
    if session.starts_at - now < timedelta(hours=hours):
        return errors.NOTICE_PERIOD
    return None


def _check_client_notice(session: Session, now: datetime) -> None:
    code = notice_problem(session, now)
    if code:
        raise SchedulingError(code, params={"hours": session.practice.cancellation_notice_hours})


def _series_from(session: Session) -> list[Session]:
    """The booked sessions of this session's series from this one on (itself included)."""
    if session.series is None:
        return [session]
    return list(
        Session.objects.select_for_update()
        .filter(
            series=session.series, status=Session.Status.BOOKED, starts_at__gte=session.starts_at
        )
        .select_related("practice", "client")
    )


def _locked(session: Session) -> Session:
    locked: Session = (
        Session.objects.select_for_update().select_related("practice", "client").get(pk=session.pk)
    )
    return locked


@transaction.atomic
def session_move(
    *,
    session: Session,
    starts_at: datetime,
    by_client: bool = False,
    whole_series: bool = False,
    by: Any = None,
    overrides: Collection[str] = (),
    now: datetime | None = None,
) -> Session:
    """Move a booked session to `starts_at` (with `whole_series`: it and the later
    booked sessions of its series by the same wall-clock shift). The same slot rules
    as booking apply; a client may move only until the notice period. Returns the
    session, moved."""
    now = _now(now)
    session = _locked(session)
    if by_client:
        by = None
        _check_client_notice(session, now)
    if not session.is_movable:
        raise SchedulingError(errors.NOT_MOVABLE)
    practice = session.practice
    zone = practice.zone
    moving = _series_from(session) if whole_series else [session]
    shift = starts_at.astimezone(zone).replace(tzinfo=None) - session.local_start.replace(
        tzinfo=None
    )
    targets = {}
    for s in moving:
        wall = s.local_start.replace(tzinfo=None) + shift
        targets[s.pk] = local_to_utc(wall.date(), wall.time(), zone)
    exclude = [s.pk for s in moving]
    used: dict[int, list[str]] = {}
    for s in moving:
        try:
            used[s.pk] = _slot_check(
                practice=practice,
                therapist=s.therapist,
                client=s.client,
                room=s.room,
                starts_at=targets[s.pk],
                duration_minutes=s.duration_minutes,
                buffer_minutes=s.buffer_minutes,
                now=now,
                overrides=overrides,
                by=by,
                exclude=exclude,
            )
        except SchedulingError as exc:
            if len(moving) == 1:
                raise
            raise exc.framed(prefix=f"{_when(practice, targets[s.pk])}: ") from exc
    # Move the one furthest in the direction of travel first, so siblings never collide.
    for s in sorted(moving, key=lambda s: s.starts_at, reverse=shift > timedelta(0)):
        s.starts_at = targets[s.pk]
        fields = ["starts_at", *_record_overrides(s, used[s.pk], by)]
        _save_or_taken(s, update_fields=fields)
    return next(s for s in moving if s.pk == session.pk)


def _set_status(session: Session, status: str, *, by: Any, now: datetime) -> Session:
    """Apply one status change to a locked session: the model's rule, save, the hook."""
    code = session.transition_problem(status, now)
    if code:
        raise SchedulingError(code, params=session.status_error_params(status))
    old = session.status
    session.status = status
    session.save(update_fields=["status"])
    session_status_changed.send(
        sender=Session, session=session, old=old, new=status, by=by, now=now
    )
    return session


@transaction.atomic
def session_cancel(
    *,
    session: Session,
    by_client: bool = False,
    whole_series: bool = False,
    by: Any = None,
    now: datetime | None = None,
) -> Session:
    """Cancel a session (with `whole_series`: also the later booked ones of its series),
    freeing its time. A client may cancel only until the notice period."""
    now = _now(now)
    session = _locked(session)
    if by_client:
        by = None
        _check_client_notice(session, now)
    _set_status(session, Session.Status.CANCELLED, by=by, now=now)
    if whole_series and session.series is not None:
        later = Session.objects.select_for_update().filter(
            series=session.series, status=Session.Status.BOOKED, starts_at__gt=session.starts_at
        )
        for s in later:
            _set_status(s, Session.Status.CANCELLED, by=by, now=now)
    return session


@transaction.atomic
def session_status_set(
    *, session: Session, status: str, by: Any = None, now: datetime | None = None
) -> Session:
    """Move a session to `status` if `Session.transition_problem` allows it now.

    `by` is the user (None for the client or the system). Setting the status it
    already has is refused (SAME_STATUS) so a double click says so; callers that mean
    "make sure it is X" check first."""
    now = _now(now)
    locked = _locked(session)
    _set_status(locked, status, by=by, now=now)
    session.status = locked.status
    return locked


@transaction.atomic
def sessions_shift(*, practice: Any, days: int) -> int:
    """Move every session of `practice` `days` later at the same wall-clock time (the
    demo practice, re-anchored to today). Not a move: no booking rules and no status
    change, because every session keeps its place among the others. Returns how many
    moved."""
    zone = practice.zone
    shift = timedelta(days=days)

    def moved(value: datetime) -> datetime:
        return timezone.make_aware(value.astimezone(zone).replace(tzinfo=None) + shift, zone)

    sessions = Session.objects.filter(practice=practice).order_by("-starts_at")
    count = 0
    # Latest first: each session moves onto a slot that later sessions have already
    # left, so the no-double-booking guards never see two sessions at once.
    for session in sessions.only("pk", "starts_at", "duration_minutes"):
        session.starts_at = moved(session.starts_at)
        _save_or_taken(session, update_fields=["starts_at"])
        count += 1
    return count
