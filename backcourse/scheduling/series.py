"""A course booked as a series: its dates, a plan that checks every date before
anything is saved (with alternatives for conflicts), and booking it all or nothing.

The plan reads only: it asks `services.session_book_check` about every date (the same
checks and messages as booking it), adding only what the series alone knows (two of
its own dates overlapping); alternatives come from the therapist's free slots
(lib/slots.py) that pass the same check. `series_book` books each date through
`services.session_book`, so a series obeys exactly the rules of a single booking.
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
from backcourse.scheduling import errors, selectors, services
from backcourse.scheduling.errors import SchedulingError
from backcourse.scheduling.models import Room, Session, SessionType


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
    rules_by_id, _rooms = selectors.rules_load(
        practice=practice, therapist_ids=[therapist.pk], window=window
    )
    rules = rules_by_id[therapist.pk]

    def problem(start: datetime, accepted: list[tuple[datetime, datetime]]) -> str:
        """What booking this date would refuse (asked of the booking service itself),
        else whether it overlaps an earlier date of this series (not booked yet, so only
        the series knows)."""
        try:
            services.session_book_check(
                practice=practice,
                therapist=therapist,
                client=client,
                starts_at=start,
                session_type=session_type,
                room=room,
                now=now,
            )
        except SchedulingError as exc:
            return exc.message
        if _overlaps(accepted, start, start + duration + buffer):
            return str(errors.MESSAGES[errors.SERIES_OVERLAP])
        return ""

    accepted: list[tuple[datetime, datetime]] = []
    plan: list[PlannedSession] = []
    for i, planned in enumerate(starts):
        choice = choices.get(i, "")
        row = PlannedSession(index=i, planned_at=planned, starts_at=planned, choice=choice)
        plan.append(row)
        if choice == "skip":
            row.starts_at = None
            continue
        start = planned
        if choice.startswith("alt:"):
            alt = _parse_alt(choice)
            if alt is None:
                row.problem, row.choice = _("Not a valid time."), ""
            else:
                start = row.starts_at = alt
        row.problem = row.problem or problem(start, accepted)
        if row.problem:
            row.alternatives = _alternatives(
                rules, practice.zone, planned, duration, buffer, now, accepted, problem
            )
        else:
            accepted.append((start, start + duration + buffer))
    return plan


def _parse_alt(choice: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(choice.removeprefix("alt:"))
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


def _overlaps(ranges, start, end) -> bool:
    return any(a < end and b > start for a, b in ranges)


def _alternatives(rules, zone, planned, duration, buffer, now, accepted, problem):
    """Up to four free times within three days of `planned`, nearest first: the
    therapist's free slots (lib/slots.py) that the same `problem` check accepts."""
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
    candidates.sort(key=lambda se: abs((se[0] - planned).total_seconds()))
    free: list[datetime] = []
    for start, _end in candidates:
        if len(free) == 4:
            break
        if not problem(start, accepted):
            free.append(start)
    return sorted(free)


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
                services.session_book(
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
