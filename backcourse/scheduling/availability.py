"""Free slots: which start times can a session type be booked at, with whom.

The computation is plain Python on plain values (`TherapistRules`, datetimes), tested
without a database. `available_slots()` and `slot_problem()` at the bottom load what the
computation needs with a fixed number of queries — one for all sessions of the therapist
set in the window, whatever the number of therapists or weeks — and call it.

Time zones and daylight saving
------------------------------
Working hours and breaks are wall-clock times in the practice's zone ("Mondays
09:00–17:00"); they become UTC instants date by date (`local_to_utc`), so a 09:00 start
is 09:00 local on both sides of a change. Slots are then stepped in real elapsed time.
- Spring (a wall-clock hour does not exist, e.g. 02:00–03:00 on 29 March 2026 in
  Berlin): a nonexistent wall time is mapped to the instant of the jump (02:30 → 03:00
  CEST). No slot ever starts at a time that does not exist; a working range 01:00–04:00
  that night is two real hours long.
- Autumn (a wall-clock hour happens twice, 02:00–03:00 on 25 October 2026): an ambiguous
  wall time means its first occurrence (summer time, fold=0). A range through the night
  is measured in real time, so it is one hour longer, and both 02:00s can be offered;
  pages show such times with their zone abbreviation (CEST/CET) so they are distinct.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

Range = tuple[datetime, datetime]

# Reasons a slot cannot be booked, most fundamental first (see `check_slot`).
PAST = "past"
OUTSIDE_HOURS = "outside_hours"
BREAK = "break"
TIME_OFF = "time_off"
TAKEN = "taken"
ROOM_TAKEN = "room_taken"


def local_to_utc(day: date, wall: time, zone: tzinfo) -> datetime:
    """The UTC instant of a wall-clock time on a day (see the module docstring for the
    nonexistent and the repeated hour)."""
    local = datetime.combine(day, wall, tzinfo=zone)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == local.replace(tzinfo=None):
        return instant  # exists (for a repeated hour: fold=0, the first occurrence)
    # In a gap. fold=0 applied the offset from before the jump and landed after it;
    # fold=1 applied the offset from after and landed before it. Find the jump between.
    lo = local.replace(fold=1).astimezone(UTC)
    hi = instant
    if lo > hi:
        lo, hi = hi, lo
    before = lo.astimezone(zone).utcoffset()
    while hi - lo > timedelta(minutes=1):
        mid = lo + (hi - lo) / 2
        if mid.astimezone(zone).utcoffset() == before:
            lo = mid
        else:
            hi = mid
    return hi.replace(second=0, microsecond=0)


@dataclass
class TherapistRules:
    """Everything that decides one therapist's free time. Weekday 0 = Monday."""

    working: dict[int, list[tuple[time, time]]] = field(default_factory=dict)
    breaks: dict[int, list[tuple[time, time]]] = field(default_factory=dict)
    time_off: list[Range] = field(default_factory=list)
    # Existing non-cancelled sessions as (start, end + their buffer), any order.
    busy: list[Range] = field(default_factory=list)


@dataclass(frozen=True)
class Slot:
    starts_at: datetime  # UTC
    ends_at: datetime
    therapist_id: int
    room_id: int | None = None


class _Intervals:
    """Merged, sorted intervals; `overlaps(a, b)` in O(log n)."""

    def __init__(self, ranges: Iterable[Range]):
        merged: list[list[datetime]] = []
        for start, end in sorted(ranges):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = [m[0] for m in merged]
        self.ends = [m[1] for m in merged]

    def overlaps(self, start: datetime, end: datetime) -> bool:
        # The interval with the last start before `end` has the latest end of all those.
        i = bisect_left(self.starts, end) - 1
        return i >= 0 and self.ends[i] > start


def _day_ranges(day: date, ranges: Sequence[tuple[time, time]], zone: tzinfo) -> list[Range]:
    out = []
    for a, b in ranges:
        start, end = local_to_utc(day, a, zone), local_to_utc(day, b, zone)
        if end > start:
            out.append((start, end))
    return out


def _days(first: date, last: date) -> Iterable[date]:
    d = first
    while d <= last:
        yield d
        d += timedelta(days=1)


def therapist_slots(
    *,
    rules: TherapistRules,
    zone: tzinfo,
    first_day: date,
    last_day: date,
    duration: timedelta,
    buffer: timedelta = timedelta(0),
    step: timedelta = timedelta(minutes=30),
    now: datetime,
) -> list[Range]:
    """Free (start, end) pairs for one therapist on local days first_day..last_day.

    A slot [s, s + duration) lies inside one working range of its day, outside breaks
    and time off, starts after `now`, and [s, s + duration + buffer) does not touch
    another session's [start, end + its buffer)."""
    busy = _Intervals(rules.busy)
    off = _Intervals(rules.time_off)
    out: list[Range] = []
    for day in _days(first_day, last_day):
        weekday = day.weekday()
        working = _day_ranges(day, rules.working.get(weekday, ()), zone)
        if not working:
            continue
        pauses = _Intervals(_day_ranges(day, rules.breaks.get(weekday, ()), zone))
        for range_start, range_end in sorted(working):
            s = range_start
            while s + duration <= range_end:
                e = s + duration
                if (
                    s >= now
                    and not pauses.overlaps(s, e)
                    and not off.overlaps(s, e)
                    and not busy.overlaps(s, e + buffer)
                ):
                    out.append((s, e))
                s += step
    return out


def free_slots(
    *,
    therapists: dict[int, TherapistRules],
    zone: tzinfo,
    first_day: date,
    last_day: date,
    duration: timedelta,
    buffer: timedelta = timedelta(0),
    step: timedelta = timedelta(minutes=30),
    now: datetime,
    rooms: dict[int, list[Range]] | None = None,
) -> list[Slot]:
    """Free slots across therapists, sorted by time then therapist.

    With `rooms` (room id → occupied ranges), a slot also needs a free room; the first
    free room is proposed. With no rooms the practice does not schedule rooms."""
    room_busy = {rid: _Intervals(r) for rid, r in (rooms or {}).items()}
    out: list[Slot] = []
    for therapist_id, rules in therapists.items():
        for s, e in therapist_slots(
            rules=rules,
            zone=zone,
            first_day=first_day,
            last_day=last_day,
            duration=duration,
            buffer=buffer,
            step=step,
            now=now,
        ):
            room_id = None
            if room_busy:
                room_id = next((rid for rid, b in room_busy.items() if not b.overlaps(s, e)), None)
                if room_id is None:
                    continue
            out.append(Slot(s, e, therapist_id, room_id))
    out.sort(key=lambda slot: (slot.starts_at, slot.therapist_id))
    return out


def check_slot(
    *,
    rules: TherapistRules,
    zone: tzinfo,
    starts_at: datetime,
    duration: timedelta,
    buffer: timedelta = timedelta(0),
    now: datetime,
) -> str | None:
    """Why one given slot cannot be booked (a reason constant), or None if it can."""
    ends_at = starts_at + duration
    if starts_at < now:
        return PAST
    day = starts_at.astimezone(zone).date()
    working = _day_ranges(day, rules.working.get(day.weekday(), ()), zone)
    if not any(a <= starts_at and ends_at <= b for a, b in working):
        return OUTSIDE_HOURS
    if _Intervals(_day_ranges(day, rules.breaks.get(day.weekday(), ()), zone)).overlaps(
        starts_at, ends_at
    ):
        return BREAK
    if _Intervals(rules.time_off).overlaps(starts_at, ends_at):
        return TIME_OFF
    if _Intervals(rules.busy).overlaps(starts_at, ends_at + buffer):
        return TAKEN
    return None


# --- Loading from the database --------------------------------------------------------

MAX_BUFFER = timedelta(minutes=120)  # SessionType.buffer_minutes is validated ≤ 120
MAX_DURATION = timedelta(minutes=240)  # Session.duration_minutes is validated ≤ 240


def _load(
    *,
    practice,
    therapist_ids: Sequence[int],
    window: Range,
    exclude_session_ids: Iterable[int] = (),
    with_rooms: bool = True,
) -> tuple[dict[int, TherapistRules], dict[int, list[Range]]]:
    from django.db.models import Q

    from backcourse.scheduling.models import Break, Room, Session, TimeOff, WorkingHours

    rules = {tid: TherapistRules() for tid in therapist_ids}
    for model, attr in ((WorkingHours, "working"), (Break, "breaks")):
        rows = model.objects.filter(therapist_id__in=therapist_ids).values_list(
            "therapist_id", "weekday", "start_time", "end_time"
        )
        for tid, weekday, a, b in rows:
            getattr(rules[tid], attr).setdefault(weekday, []).append((a, b))
    start, end = window
    for tid, a, b in TimeOff.objects.filter(
        therapist_id__in=therapist_ids, starts_at__lt=end, ends_at__gt=start
    ).values_list("therapist_id", "starts_at", "ends_at"):
        rules[tid].time_off.append((a, b))

    room_ids = (
        list(Room.objects.filter(practice=practice, is_active=True).values_list("id", flat=True))
        if with_rooms
        else []
    )
    rooms: dict[int, list[Range]] = {rid: [] for rid in room_ids}
    # One query for every session of the therapist set (and the rooms) in the window.
    # The lower bound on starts_at (a session is at most MAX_DURATION long) lets the
    # database use its (therapist, starts_at) index instead of reading every past session.
    who = Q(therapist_id__in=list(therapist_ids))
    if room_ids:
        who |= Q(room_id__in=room_ids)
    sessions = (
        Session.objects.active()
        .filter(who, practice=practice, starts_at__lt=end, ends_at__gt=start - MAX_BUFFER)
        .filter(starts_at__gt=start - MAX_BUFFER - MAX_DURATION)
        .exclude(pk__in=list(exclude_session_ids))
        .values_list("therapist_id", "room_id", "starts_at", "ends_at", "buffer_minutes")
    )
    for tid, rid, a, b, buf in sessions:
        if tid in rules:
            rules[tid].busy.append((a, b + timedelta(minutes=buf)))
        if rid in rooms:
            rooms[rid].append((a, b))
    return rules, rooms


def bookable_therapists(practice):
    from backcourse.practices.models import StaffMember

    return StaffMember.objects.filter(
        practice=practice, is_active=True, takes_sessions=True
    ).select_related("user")


def available_slots(
    *,
    practice,
    session_type,
    therapist=None,
    first_day: date | None = None,
    weeks: int = 4,
    now: datetime | None = None,
    step_minutes: int = 30,
    exclude_session_ids: Iterable[int] = (),
) -> list[Slot]:
    """Free slots of `session_type` with one therapist (or any) for `weeks` weeks."""
    from django.utils import timezone

    now = now or timezone.now()
    zone = practice.zone
    first_day = first_day or now.astimezone(zone).date()
    last_day = first_day + timedelta(weeks=weeks) - timedelta(days=1)
    if therapist is not None:
        therapist_ids = [therapist.pk]
    else:
        therapist_ids = list(bookable_therapists(practice).values_list("id", flat=True))
    window = (
        local_to_utc(first_day, time(0), zone) - timedelta(hours=1),
        local_to_utc(last_day + timedelta(days=1), time(0), zone) + timedelta(hours=1),
    )
    rules, rooms = _load(
        practice=practice,
        therapist_ids=therapist_ids,
        window=window,
        exclude_session_ids=exclude_session_ids,
    )
    return free_slots(
        therapists=rules,
        zone=zone,
        first_day=first_day,
        last_day=last_day,
        duration=timedelta(minutes=session_type.duration_minutes),
        buffer=timedelta(minutes=session_type.buffer_minutes),
        step=timedelta(minutes=step_minutes),
        now=now,
        rooms=rooms,
    )


def slot_problem(
    *,
    practice,
    therapist,
    starts_at: datetime,
    duration_minutes: int,
    buffer_minutes: int = 0,
    now: datetime,
    exclude_session_ids: Iterable[int] = (),
) -> str | None:
    """Why this therapist cannot take a session at `starts_at` (reason constant) or None.
    Rooms are checked by the booking service (a room is chosen, not searched)."""
    duration = timedelta(minutes=duration_minutes)
    window = (starts_at - timedelta(days=1), starts_at + duration + timedelta(days=1))
    rules, _rooms = _load(
        practice=practice,
        therapist_ids=[therapist.pk],
        window=window,
        exclude_session_ids=exclude_session_ids,
        with_rooms=False,
    )
    return check_slot(
        rules=rules[therapist.pk],
        zone=practice.zone,
        starts_at=starts_at,
        duration=duration,
        buffer=timedelta(minutes=buffer_minutes),
        now=now,
    )
