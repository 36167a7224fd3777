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

import gc
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import NamedTuple

import numpy as np

Range = tuple[datetime, datetime]
# Wall-clock ranges by weekday (0 = Monday), in the practice's zone.
WeeklyHours = dict[int, list[tuple[time, time]]]

# Reasons a slot cannot be booked, most fundamental first (see `check_slot`); the
# codes of scheduling/errors.py, repeated here so this arithmetic needs no Django.
PAST = "past"
OUTSIDE_HOURS = "outside_hours"
BREAK = "break"
TIME_OFF = "time_off"
TAKEN = "taken"


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

    working: WeeklyHours = field(default_factory=dict)
    breaks: WeeklyHours = field(default_factory=dict)
    time_off: list[Range] = field(default_factory=list)
    # Existing non-cancelled sessions as (start, end + their buffer), any order.
    busy: list[Range] = field(default_factory=list)


class Slot(NamedTuple):
    """A free slot (immutable; a named tuple because a search builds thousands)."""

    starts_at: datetime  # UTC
    ends_at: datetime
    therapist_id: int
    room_id: int | None = None


class Intervals:
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


def day_ranges(day: date, ranges: Sequence[tuple[time, time]], zone: tzinfo) -> list[Range]:
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


# --- The fast path: integer microseconds and numpy ------------------------------------
#
# A search over four weeks and 100 therapists tests ~25,000 candidate starts against
# ~20,000 busy intervals. Doing that per slot with datetimes costs hundreds of
# milliseconds, so the same rules run on int64 microseconds since the epoch instead:
# wall-clock boundaries are converted once per (day, wall time) with `local_to_utc`
# (so the DST rules above are unchanged), candidate starts come from `numpy.arange`,
# and every overlap test for all therapists is one `searchsorted` (`overlapping`).
# Datetimes and `Slot` objects are built only for the slots returned.

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US = timedelta(microseconds=1)
NO_ROOM = -1


def to_us(moment: datetime) -> int:
    """Microseconds since the epoch (exact)."""
    return (moment - EPOCH) // US


def from_us(us: int) -> datetime:
    return EPOCH + timedelta(microseconds=us)


@dataclass
class Spans:
    """Intervals [start, end) of many owners (therapist or room positions), as arrays."""

    owner: np.ndarray
    start: np.ndarray
    end: np.ndarray

    @classmethod
    def empty(cls) -> Spans:
        z = np.zeros(0, dtype=np.int64)
        return cls(z, z, z)

    @classmethod
    def of(cls, per_owner: Iterable[tuple[int, Iterable[Range]]]) -> Spans:
        rows = [(i, to_us(a), to_us(b)) for i, ranges in per_owner for a, b in ranges]
        if not rows:
            return cls.empty()
        arr = np.array(rows, dtype=np.int64)
        return cls(arr[:, 0], arr[:, 1], arr[:, 2])


def overlapping(spans: Spans, owner: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """For each query i: does [start[i], end[i]) overlap an interval of owner[i]?

    Keys are owner * span + (time - lo), so one sorted array holds every owner's
    intervals in its own block. The running maximum of the ends (in start order) is the
    latest end among intervals starting before a point, which is all an overlap test
    needs (the same answer as merging the intervals first)."""
    if not len(spans.start) or not len(start):
        return np.zeros(len(start), dtype=bool)
    lo = int(start.min()) - 1
    hi = int(end.max()) + 1
    span = hi - lo + 1
    base = spans.owner * span - lo
    key_start = base + np.clip(spans.start, lo, hi)
    key_end = base + np.clip(spans.end, lo, hi)
    order = np.argsort(key_start, kind="stable")
    key_start = key_start[order]
    latest_end = np.maximum.accumulate(key_end[order])
    q_base = owner * span - lo
    i = np.searchsorted(key_start, q_base + end, side="left") - 1
    hit: np.ndarray = (i >= 0) & (latest_end[np.maximum(i, 0)] > q_base + start)
    return hit


def _hours_key(working: WeeklyHours, breaks: WeeklyHours) -> tuple[object, ...]:
    return (
        tuple(sorted((wd, tuple(r)) for wd, r in working.items())),
        tuple(sorted((wd, tuple(r)) for wd, r in breaks.items())),
    )


def free_arrays(
    *,
    hours: Sequence[tuple[WeeklyHours, WeeklyHours]],
    time_off: Spans,
    busy: Spans,
    rooms: Spans | None,
    room_count: int,
    zone: tzinfo,
    first_day: date,
    last_day: date,
    duration: int,
    buffer: int,
    step: int,
    now: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Free starts for therapists at positions 0..len(hours)-1 (times in microseconds).

    Returns (position, start, room position or NO_ROOM), ordered by position, then as
    `therapist_slots` steps (day, working range, time). Rules as in `therapist_slots`."""
    to_utc: dict[tuple[date, time], int] = {}

    def utc(day: date, wall: time) -> int:
        key = (day, wall)
        if key not in to_utc:
            to_utc[key] = to_us(local_to_utc(day, wall, zone))
        return to_utc[key]

    def ranges(day: date, walls: Sequence[tuple[time, time]]) -> list[tuple[int, int]]:
        out = [(utc(day, a), utc(day, b)) for a, b in walls]
        return [(a, b) for a, b in out if b > a]

    days = list(_days(first_day, last_day))
    groups: dict[tuple[object, ...], list[int]] = {}
    for pos, (working, breaks) in enumerate(hours):
        groups.setdefault(_hours_key(working, breaks), []).append(pos)
    owners, starts = [], []
    for positions in groups.values():
        working, breaks = hours[positions[0]]
        parts, pause_rows = [], []
        for day in days:
            weekday = day.weekday()
            day_working = sorted(ranges(day, working.get(weekday, ())))
            if not day_working:
                continue
            for a, b in day_working:
                n = (b - a - duration) // step + 1
                if n > 0:
                    parts.append(np.arange(a, a + n * step, step, dtype=np.int64))
            pause_rows.extend(ranges(day, breaks.get(weekday, ())))
        if not parts:
            continue
        cand = np.concatenate(parts)
        cand = cand[cand >= now]
        if pause_rows:
            pauses = np.array(pause_rows, dtype=np.int64)
            zeros = np.zeros(len(pauses), dtype=np.int64)
            hit = overlapping(
                Spans(zeros, pauses[:, 0], pauses[:, 1]),
                np.zeros(len(cand), dtype=np.int64),
                cand,
                cand + duration,
            )
            cand = cand[~hit]
        owners.append(np.repeat(np.array(positions, dtype=np.int64), len(cand)))
        starts.append(np.tile(cand, len(positions)))
    if not starts:
        z = np.zeros(0, dtype=np.int64)
        return z, z, z
    owner = np.concatenate(owners)
    start = np.concatenate(starts)
    order = np.argsort(owner, kind="stable")
    owner, start = owner[order], start[order]
    end = start + duration
    keep = ~overlapping(time_off, owner, start, end) & ~overlapping(
        busy, owner, start, end + buffer
    )
    owner, start, end = owner[keep], start[keep], end[keep]
    room = np.full(len(start), NO_ROOM, dtype=np.int64)
    if rooms is not None and room_count:
        for r in range(room_count):
            todo = room == NO_ROOM
            if not todo.any():
                break
            free = ~overlapping(rooms, np.full(int(todo.sum()), r), start[todo], end[todo])
            idx = np.flatnonzero(todo)[free]
            room[idx] = r
        keep = room != NO_ROOM
        owner, start, room = owner[keep], start[keep], room[keep]
    return owner, start, room


def slots_from_arrays(
    owner: np.ndarray,
    start: np.ndarray,
    room: np.ndarray,
    *,
    therapist_ids: Sequence[int],
    room_ids: Sequence[int],
    duration: int,
) -> list[Slot]:
    """`Slot`s sorted by time then therapist; one datetime per distinct start."""
    if not len(start):
        return []
    tids = np.array(therapist_ids, dtype=np.int64)[owner]
    order = np.lexsort((tids, start))
    uniq, inverse = np.unique(start[order], return_inverse=True)
    begins = [from_us(u) for u in uniq.tolist()]
    ends = [from_us(u + duration) for u in uniq.tolist()]
    room_of = [*room_ids, None]  # NO_ROOM (-1) -> None
    rows = zip(inverse.tolist(), tids[order].tolist(), room[order].tolist(), strict=True)
    # Thousands of small tuples would trigger several cyclic-GC passes over the whole
    # heap (a full pass costs ~20 ms in a Django process); they cannot form cycles, so
    # the collector waits until the list is built.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return [Slot(begins[i], ends[i], t, room_of[r]) for i, t, r in rows]
    finally:
        if collecting:
            gc.enable()


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
    another session's [start, end + its buffer). Steps through each working range of a
    day (in order) from its start, in real elapsed time."""
    _owner, start, _room = free_arrays(
        hours=[(rules.working, rules.breaks)],
        time_off=Spans.of([(0, rules.time_off)]),
        busy=Spans.of([(0, rules.busy)]),
        rooms=None,
        room_count=0,
        zone=zone,
        first_day=first_day,
        last_day=last_day,
        duration=duration // US,
        buffer=buffer // US,
        step=step // US,
        now=to_us(now),
    )
    return [(from_us(s), from_us(s) + duration) for s in start.tolist()]


def slot_problems(
    *,
    rules: TherapistRules,
    zone: tzinfo,
    starts_at: datetime,
    duration: timedelta,
    buffer: timedelta = timedelta(0),
    now: datetime,
) -> list[str]:
    """Every reason one given slot cannot be booked (reason constants, most fundamental
    first), or [] if it can. All of them, not the first only, so that staff overriding
    one (outside hours) are still stopped by another (taken)."""
    problems = []
    ends_at = starts_at + duration
    if starts_at < now:
        problems.append(PAST)
    day = starts_at.astimezone(zone).date()
    working = day_ranges(day, rules.working.get(day.weekday(), ()), zone)
    if not any(a <= starts_at and ends_at <= b for a, b in working):
        problems.append(OUTSIDE_HOURS)
    if Intervals(day_ranges(day, rules.breaks.get(day.weekday(), ()), zone)).overlaps(
        starts_at, ends_at
    ):
        problems.append(BREAK)
    if Intervals(rules.time_off).overlaps(starts_at, ends_at):
        problems.append(TIME_OFF)
    if Intervals(rules.busy).overlaps(starts_at, ends_at + buffer):
        problems.append(TAKEN)
    return problems
