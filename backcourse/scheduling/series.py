"""A course booked as a series: its dates, a plan that checks every date before
anything is saved (with alternatives for conflicts), and booking it all or nothing.

The plan reads only (one load of the therapist's rules for the whole window, then the
slot arithmetic); `series_book` books each date through `services.session_book`, so a
series obeys exactly the rules of a single booking.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from dateutil.rrule import DAILY, MONTHLY, rrule
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from backcourse.lib import slots
from backcourse.scheduling import errors, selectors
from backcourse.scheduling.errors import SchedulingError
from backcourse.scheduling.models import Room, Session, SessionType
from backcourse.scheduling.services import session_book


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
    return [slots.local_to_utc(d.date(), d.time(), zone) for d in local]


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
    now = now or timezone.now()
    choices = choices or {}
    duration = timedelta(minutes=session_type.duration_minutes)
    buffer = timedelta(minutes=session_type.buffer_minutes)
    alt_times = [_parse_alt(c) for c in choices.values() if c.startswith("alt:")]
    all_times = [*starts, *[t for t in alt_times if t]]
    if not all_times:
        return []
    window = (min(all_times) - timedelta(days=5), max(all_times) + timedelta(days=5))
    rules_by_id, rooms = selectors.rules_load(
        practice=practice, therapist_ids=[therapist.pk], window=window
    )
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
        elif row.starts_at is not None:
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
    problems = slots.slot_problems(
        rules=rules, zone=zone, starts_at=start, duration=duration, buffer=buffer, now=now
    )
    if problems:
        return str(errors.MESSAGES[problems[0]])
    if _overlaps(accepted, start, start + duration + buffer):
        return str(errors.MESSAGES[errors.SERIES_OVERLAP])
    if _overlaps(room_busy, start, start + duration):
        return str(errors.MESSAGES[errors.ROOM_TAKEN])
    if _overlaps(client_busy, start, start + duration):
        return str(errors.MESSAGES[errors.CLIENT_BUSY])
    return ""


def _alternatives(rules, zone, planned, duration, buffer, now, accepted, room_busy, client_busy):
    day = planned.astimezone(zone).date()
    candidates = slots.therapist_slots(
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
    by=None,
    now: datetime | None = None,
) -> list[Session]:
    """Book all of `starts` as one series through `services.session_book` (the same
    rules as one booking), or nothing: any refusal rolls back all and names the date."""
    if not starts:
        raise SchedulingError(errors.NOTHING_TO_BOOK)
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
                    by=by,
                    now=now,
                )
            )
        except SchedulingError as exc:
            when = date_format(start.astimezone(practice.zone), "DATETIME_FORMAT")
            raise exc.framed(prefix=f"{when}: ", suffix=" " + _("Nothing was booked.")) from exc
    return sessions
