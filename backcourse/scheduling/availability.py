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

    working: dict[int, list[tuple[time, time]]] = field(default_factory=dict)
    breaks: dict[int, list[tuple[time, time]]] = field(default_factory=dict)
    time_off: list[Range] = field(default_factory=list)
    # Existing non-cancelled sessions as (start, end + their buffer), any order.
    busy: list[Range] = field(default_factory=list)


class Slot(NamedTuple):
    """A free slot (immutable; a named tuple because a search builds thousands)."""

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


# --- The fast path: integer microseconds and numpy ------------------------------------
#
# A search over four weeks and 100 therapists tests ~25,000 candidate starts against
# ~20,000 busy intervals. Doing that per slot with datetimes costs hundreds of
# milliseconds, so the same rules run on int64 microseconds since the epoch instead:
# wall-clock boundaries are converted once per (day, wall time) with `local_to_utc`
# (so the DST rules above are unchanged), candidate starts come from `numpy.arange`,
# and every overlap test for all therapists is one `searchsorted` (`_overlapping`).
# Datetimes and `Slot` objects are built only for the slots returned.

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_NO_ROOM = -1


def _us(moment: datetime) -> int:
    """Microseconds since the epoch (exact)."""
    return (moment - _EPOCH) // _US


def _from_us(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


@dataclass
class _Spans:
    """Intervals [start, end) of many owners (therapist or room positions), as arrays."""

    owner: np.ndarray
    start: np.ndarray
    end: np.ndarray

    @classmethod
    def empty(cls) -> _Spans:
        z = np.zeros(0, dtype=np.int64)
        return cls(z, z, z)

    @classmethod
    def of(cls, per_owner: Iterable[tuple[int, Iterable[Range]]]) -> _Spans:
        rows = [(i, _us(a), _us(b)) for i, ranges in per_owner for a, b in ranges]
        if not rows:
            return cls.empty()
        arr = np.array(rows, dtype=np.int64)
        return cls(arr[:, 0], arr[:, 1], arr[:, 2])


def _overlapping(
    spans: _Spans, owner: np.ndarray, start: np.ndarray, end: np.ndarray
) -> np.ndarray:
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
    return (i >= 0) & (latest_end[np.maximum(i, 0)] > q_base + start)


def _hours_key(working: dict, breaks: dict) -> tuple:
    return (
        tuple(sorted((wd, tuple(r)) for wd, r in working.items())),
        tuple(sorted((wd, tuple(r)) for wd, r in breaks.items())),
    )


def _free_arrays(
    *,
    hours: Sequence[tuple[dict, dict]],
    time_off: _Spans,
    busy: _Spans,
    rooms: _Spans | None,
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

    Returns (position, start, room position or _NO_ROOM), ordered by position, then as
    `therapist_slots` steps (day, working range, time). Rules as in `therapist_slots`."""
    to_utc: dict[tuple[date, time], int] = {}

    def utc(day: date, wall: time) -> int:
        key = (day, wall)
        if key not in to_utc:
            to_utc[key] = _us(local_to_utc(day, wall, zone))
        return to_utc[key]

    def ranges(day: date, walls: Sequence[tuple[time, time]]) -> list[tuple[int, int]]:
        out = [(utc(day, a), utc(day, b)) for a, b in walls]
        return [(a, b) for a, b in out if b > a]

    days = list(_days(first_day, last_day))
    groups: dict[tuple, list[int]] = {}
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
            hit = _overlapping(
                _Spans(zeros, pauses[:, 0], pauses[:, 1]),
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
    keep = ~_overlapping(time_off, owner, start, end) & ~_overlapping(
        busy, owner, start, end + buffer
    )
    owner, start, end = owner[keep], start[keep], end[keep]
    room = np.full(len(start), _NO_ROOM, dtype=np.int64)
    if rooms is not None and room_count:
        for r in range(room_count):
            todo = room == _NO_ROOM
            if not todo.any():
                break
            free = ~_overlapping(rooms, np.full(int(todo.sum()), r), start[todo], end[todo])
            idx = np.flatnonzero(todo)[free]
            room[idx] = r
        keep = room != _NO_ROOM
        owner, start, room = owner[keep], start[keep], room[keep]
    return owner, start, room


def _slots(
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
    begins = [_from_us(u) for u in uniq.tolist()]
    ends = [_from_us(u + duration) for u in uniq.tolist()]
    room_of = [*room_ids, None]  # _NO_ROOM (-1) -> None
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
    _owner, start, _room = _free_arrays(
        hours=[(rules.working, rules.breaks)],
        time_off=_Spans.of([(0, rules.time_off)]),
        busy=_Spans.of([(0, rules.busy)]),
        rooms=None,
        room_count=0,
        zone=zone,
        first_day=first_day,
        last_day=last_day,
        duration=duration // _US,
        buffer=buffer // _US,
        step=step // _US,
        now=_us(now),
    )
    return [(_from_us(s), _from_us(s) + duration) for s in start.tolist()]


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
    rules = list(therapists.values())
    room_ids = list(rooms or {})
    owner, start, room = _free_arrays(
        hours=[(r.working, r.breaks) for r in rules],
        time_off=_Spans.of((i, r.time_off) for i, r in enumerate(rules)),
        busy=_Spans.of((i, r.busy) for i, r in enumerate(rules)),
        rooms=_Spans.of((i, (rooms or {})[rid]) for i, rid in enumerate(room_ids)),
        room_count=len(room_ids),
        zone=zone,
        first_day=first_day,
        last_day=last_day,
        duration=duration // _US,
        buffer=buffer // _US,
        step=step // _US,
        now=_us(now),
    )
    return _slots(
        owner,
        start,
        room,
        therapist_ids=list(therapists),
        room_ids=room_ids,
        duration=duration // _US,
    )


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


def rules_load(
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


def _session_columns(sessions) -> np.ndarray:
    """(therapist_id, room_id or 0, start µs, end µs, buffer minutes) of a Session
    queryset as an int64 array of shape (n, 5).

    On PostgreSQL the database formats the rows as one comma-separated string, so
    ~20,000 sessions cost one short string to parse instead of 40,000 datetimes to
    build in Python; elsewhere the ORM rows are converted."""
    from django.db import connections

    columns = ("therapist_id", "room_id", "starts_at", "ends_at", "buffer_minutes")
    sessions = sessions.order_by().values_list(*columns)
    connection = connections[sessions.db]
    if connection.vendor == "postgresql":
        sql, params = sessions.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT string_agg(concat_ws(',', therapist_id, coalesce(room_id, 0), "
                "(extract(epoch FROM starts_at) * 1000000)::bigint, "
                "(extract(epoch FROM ends_at) * 1000000)::bigint, buffer_minutes), ',') "
                f"FROM ({sql}) AS s",
                params,
            )
            text = cursor.fetchone()[0]
        if not text:
            return np.zeros((0, 5), dtype=np.int64)
        return np.fromstring(text, dtype=np.int64, sep=",").reshape(-1, 5)
    rows = [(t, r or 0, _us(a), _us(b), buf) for t, r, a, b, buf in sessions]
    return np.array(rows, dtype=np.int64).reshape(-1, 5)


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
    """Free slots of `session_type` with one therapist (or any) for `weeks` weeks.

    Same rules and result as `free_slots` over `_load`, with a fixed number of queries
    (therapists, hours, breaks, time off, rooms, sessions) and no per-session objects."""
    from django.db.models import Q
    from django.utils import timezone

    from backcourse.scheduling.models import Break, Room, Session, TimeOff, WorkingHours

    now = now or timezone.now()
    zone = practice.zone
    first_day = first_day or now.astimezone(zone).date()
    last_day = first_day + timedelta(weeks=weeks) - timedelta(days=1)
    if therapist is not None:
        therapist_ids = [therapist.pk]
    else:
        therapist_ids = list(bookable_therapists(practice).values_list("id", flat=True))
    start, end = (
        local_to_utc(first_day, time(0), zone) - timedelta(hours=1),
        local_to_utc(last_day + timedelta(days=1), time(0), zone) + timedelta(hours=1),
    )
    position = {tid: i for i, tid in enumerate(therapist_ids)}
    hours: list[tuple[dict, dict]] = [({}, {}) for _ in therapist_ids]
    for which, model in enumerate((WorkingHours, Break)):
        rows = model.objects.filter(therapist_id__in=therapist_ids).values_list(
            "therapist_id", "weekday", "start_time", "end_time"
        )
        for tid, weekday, a, b in rows:
            hours[position[tid]][which].setdefault(weekday, []).append((a, b))
    off = TimeOff.objects.filter(
        therapist_id__in=therapist_ids, starts_at__lt=end, ends_at__gt=start
    ).values_list("therapist_id", "starts_at", "ends_at")
    time_off = _Spans.of((position[tid], [(a, b)]) for tid, a, b in off)
    room_ids = list(
        Room.objects.filter(practice=practice, is_active=True).values_list("id", flat=True)
    )
    # One query for every session of the therapist set (and the rooms) in the window;
    # the lower bound on starts_at lets the database use its starts_at indexes.
    who = Q(therapist_id__in=therapist_ids)
    if room_ids:
        who |= Q(room_id__in=room_ids)
    sessions = (
        Session.objects.active()
        .filter(who, practice=practice, starts_at__lt=end, ends_at__gt=start - MAX_BUFFER)
        .filter(starts_at__gt=start - MAX_BUFFER - MAX_DURATION)
    )
    exclude = list(exclude_session_ids)
    if exclude:
        sessions = sessions.exclude(pk__in=exclude)
    cols = _session_columns(sessions)
    pos_of = np.full(max(therapist_ids, default=0) + 1, -1, dtype=np.int64)
    pos_of[np.array(therapist_ids, dtype=np.int64)] = np.arange(len(therapist_ids))
    tid_col = cols[:, 0]
    mine = tid_col < len(pos_of)
    mine[mine] = pos_of[tid_col[mine]] >= 0
    busy = _Spans(
        pos_of[tid_col[mine]],
        cols[mine, 2],
        cols[mine, 3] + cols[mine, 4] * 60_000_000,
    )
    rooms = None
    if room_ids:
        room_pos = {rid: i for i, rid in enumerate(room_ids)}
        in_room = np.array([room_pos.get(r, -1) for r in cols[:, 1].tolist()], dtype=np.int64)
        used = in_room >= 0
        rooms = _Spans(in_room[used], cols[used, 2], cols[used, 3])
    duration = timedelta(minutes=session_type.duration_minutes) // _US
    owner, starts, room = _free_arrays(
        hours=hours,
        time_off=time_off,
        busy=busy,
        rooms=rooms,
        room_count=len(room_ids),
        zone=zone,
        first_day=first_day,
        last_day=last_day,
        duration=duration,
        buffer=timedelta(minutes=session_type.buffer_minutes) // _US,
        step=timedelta(minutes=step_minutes) // _US,
        now=_us(now),
    )
    return _slots(
        owner, starts, room, therapist_ids=therapist_ids, room_ids=room_ids, duration=duration
    )


def slot_problems(
    *,
    practice,
    therapist,
    starts_at: datetime,
    duration_minutes: int,
    buffer_minutes: int = 0,
    now: datetime,
    exclude_session_ids: Iterable[int] = (),
) -> list[str]:
    """Every reason this therapist cannot take a session at `starts_at` (reason codes,
    most fundamental first); empty if it can. Every reason, not only the first, so that
    staff who override one (outside hours) are still stopped by another (taken).
    Rooms and the client are checked by scheduling/services.py.

    Same answer as `check_slot`, from two small indexed queries: the therapist's hours
    and breaks on that weekday, and the time off and sessions touching this one slot."""
    from django.db.models import IntegerField, Value

    from backcourse.scheduling.models import Break, Session, TimeOff, WorkingHours

    problems: list[str] = []
    duration = timedelta(minutes=duration_minutes)
    buffer = timedelta(minutes=buffer_minutes)
    ends_at = starts_at + duration
    if starts_at < now:
        problems.append(PAST)
    zone = practice.zone
    day = starts_at.astimezone(zone).date()
    working, pauses = [], []
    kind = [Value(0, output_field=IntegerField()), Value(1, output_field=IntegerField())]
    hours = WorkingHours.objects.filter(therapist_id=therapist.pk, weekday=day.weekday())
    breaks = Break.objects.filter(therapist_id=therapist.pk, weekday=day.weekday())
    rows = (
        hours.order_by()
        .values_list(kind[0], "start_time", "end_time")
        .union(breaks.order_by().values_list(kind[1], "start_time", "end_time"), all=True)
    )
    for which, a, b in rows:
        (pauses if which else working).append((a, b))
    if not any(a <= starts_at and ends_at <= b for a, b in _day_ranges(day, working, zone)):
        problems.append(OUTSIDE_HOURS)
    if _Intervals(_day_ranges(day, pauses, zone)).overlaps(starts_at, ends_at):
        problems.append(BREAK)
    off = TimeOff.objects.filter(
        therapist_id=therapist.pk, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    # A session blocks [start, end + its buffer); buffers are at most MAX_BUFFER and
    # durations MAX_DURATION, which bounds the (therapist, starts_at) index range.
    sessions = Session.objects.active().filter(
        therapist_id=therapist.pk,
        practice=practice,
        starts_at__lt=ends_at + buffer,
        starts_at__gt=starts_at - MAX_BUFFER - MAX_DURATION,
        ends_at__gt=starts_at - MAX_BUFFER,
    )
    exclude = list(exclude_session_ids)
    if exclude:
        sessions = sessions.exclude(pk__in=exclude)
    rows = (
        off.order_by()
        .values_list(kind[0], "starts_at", "ends_at", kind[0])
        .union(
            sessions.order_by().values_list(kind[1], "starts_at", "ends_at", "buffer_minutes"),
            all=True,
        )
    )
    time_off, busy = [], []
    for which, a, b, buf in rows:
        if which:
            busy.append((a, b + timedelta(minutes=buf)))
        else:
            time_off.append((a, b))
    if _Intervals(time_off).overlaps(starts_at, ends_at):
        problems.append(TIME_OFF)
    if _Intervals(busy).overlaps(starts_at, ends_at + buffer):
        problems.append(TAKEN)
    return problems
