"""Reads of the calendar for the slot arithmetic in lib/slots.py.

    bookable_therapists(practice)   who takes sessions
    available_slots(...)            free slots of a session type (who, when, which room)
    available_starts(...)           only the distinct free start times (the public
                                    booking pages list times, not therapists)
    calendar_load(...)              THE loader: hours, breaks, time off, closed days,
                                    rooms and sessions of a window (the others build on it)
    rules_load(...)                 each therapist's rules for a window (series plan)
    slot_problems(...)              why one given time is not bookable (every booking)
    calendar_sessions(...)          the day and week views' sessions, in one query

Each loads with a fixed number of queries and leaves every decision to lib/slots.py.
`available_slots` reads sessions as numpy columns (a search covers the whole practice
for weeks); `slot_problems` reads only the rows touching one slot (a booking's hot path).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np
from django.db import connections
from django.db.models import Q, QuerySet
from django.utils import timezone

from backcourse.clients.models import Client, Intake
from backcourse.clients.screening import NEWEST_INTAKE_FIRST
from backcourse.closures.days import closed_ranges, is_public_holiday
from backcourse.closures.models import ClosureDay
from backcourse.courses.models import Course
from backcourse.lib import slots
from backcourse.lib.slots import (
    US,
    Range,
    Slot,
    Spans,
    TherapistRules,
    WeeklyHours,
    free_arrays,
    from_us,
    local_to_utc,
    slots_from_arrays,
    to_us,
)
from backcourse.practices.models import Practice, StaffMember
from backcourse.scheduling import errors
from backcourse.scheduling.models import Break, Room, Session, SessionType, TimeOff, WorkingHours

MAX_BUFFER = timedelta(minutes=120)  # SessionType.buffer_minutes is validated ≤ 120
MAX_DURATION = timedelta(minutes=240)  # Session.duration_minutes is validated ≤ 240


@dataclass
class Calendar:
    """What decides a set of therapists' free time in a window, as lib/slots.py takes it.

    Lists are by position in `therapist_ids`. `time_off` holds each one's own time off,
    `closed` the practice's closed days (public holidays and its own), which count as
    everybody's time off. `sessions` are the not-cancelled sessions of these therapists
    and of the active rooms touching the window (loaded for the whole practice: all of
    its sessions there, see `calendar_load`): int64 rows of (therapist id, room id or
    0, start µs, end µs, buffer minutes)."""

    therapist_ids: list[int]
    hours: list[tuple[WeeklyHours, WeeklyHours]]  # (working, breaks)
    time_off: list[list[Range]]
    closed: list[Range]
    room_ids: list[int]
    sessions: np.ndarray

    def position(self, therapist_id: int) -> int:
        return self.therapist_ids.index(therapist_id)


def calendar_load(
    *,
    practice: Practice,
    therapist_ids: Sequence[int] | None,
    window: Range,
    exclude_session_ids: Iterable[int] = (),
    with_rooms: bool = True,
    with_sessions: bool = True,
    with_closed: bool = True,
    therapists_query: QuerySet[StaffMember, Any] | None = None,
) -> Calendar:
    """THE loader of scheduling rules for a window: hours and breaks (one query), time
    off, closed days, active rooms and sessions (one query each), however many
    therapists, weeks or sessions. Every reader of free time builds on it: the free-slot
    search (`available_slots`), the series plan (`rules_load`) and the calendar grid's
    greyed time. (Checking one slot at booking time is `slot_problems`, one statement.)

    `therapists_query` (optional) is the query that gave `therapist_ids` (`.values("id")`
    of a StaffMember query): the statements then select by it as a subquery instead of
    listing every id, so their text and parameters stay the same size however many
    therapists the practice has (a long parameter list costs the ORM and the driver
    more Python time than the database spends on the subquery). Rows of a therapist not
    in `therapist_ids` (one added in between) are left out. With it, `sessions` are all
    the practice's sessions in the window (whoever's; the caller keeps those of its
    positions): joining each of thousands of sessions to the therapist query costs the
    database more than the few sessions of other therapists cost to skip.

    `therapist_ids=None` (only with `therapists_query`): the therapists of the query
    that have working hours, by id, read from the hours rows (a therapist without
    working hours has no free time; no query for the ids themselves)."""
    if therapist_ids is None and therapists_query is None:
        raise ValueError("therapist_ids=None needs therapists_query")
    who_ids: Any = therapists_query if therapists_query is not None else list(therapist_ids or ())
    weekly = _weekly_rows(who_ids)
    if therapist_ids is None:
        ids = sorted({row[0] for row in weekly if row[1] == 0})
    else:
        ids = list(therapist_ids)
    position = {tid: i for i, tid in enumerate(ids)}
    hours: list[tuple[WeeklyHours, WeeklyHours]] = [({}, {}) for _ in ids]
    for tid, which, weekday, a, b in weekly:
        if tid in position:
            hours[position[tid]][which].setdefault(weekday, []).append((a, b))
    start, end = window
    time_off: list[list[Range]] = [[] for _ in ids]
    for tid, off_from, off_until in TimeOff.objects.filter(
        therapist_id__in=who_ids, starts_at__lt=end, ends_at__gt=start
    ).values_list("therapist_id", "starts_at", "ends_at"):
        if tid in position:
            time_off[position[tid]].append((off_from, off_until))
    closed = closed_ranges(practice, start, end) if with_closed else []  # closures app
    room_ids = (
        list(Room.objects.filter(practice=practice, is_active=True).values_list("id", flat=True))
        if with_rooms
        else []
    )
    if not with_sessions:
        return Calendar(ids, hours, time_off, closed, room_ids, np.zeros((0, 5), dtype=np.int64))
    # One query for every session of the therapist set (and the rooms) in the window.
    # The lower bound on starts_at (a session is at most MAX_DURATION long) lets the
    # database use its (therapist, starts_at) index instead of reading every past session.
    who = Q()
    if therapists_query is None:
        who = Q(therapist_id__in=ids)
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
    return Calendar(ids, hours, time_off, closed, room_ids, _session_columns(sessions))


def rules_load(
    *,
    practice: Practice,
    therapist_ids: Sequence[int],
    window: Range,
    exclude_session_ids: Iterable[int] = (),
    with_rooms: bool = True,
) -> tuple[dict[int, TherapistRules], dict[int, list[Range]]]:
    """Each therapist's rules (`lib.slots.TherapistRules`, datetimes) and each active
    room's sessions for a window: the series plan checks a handful of dates with them."""
    cal = calendar_load(
        practice=practice,
        therapist_ids=therapist_ids,
        window=window,
        exclude_session_ids=exclude_session_ids,
        with_rooms=with_rooms,
    )
    rules = {
        tid: TherapistRules(
            working=cal.hours[i][0],
            breaks=cal.hours[i][1],
            time_off=[*cal.time_off[i], *cal.closed],
        )
        for i, tid in enumerate(cal.therapist_ids)
    }
    rooms: dict[int, list[Range]] = {rid: [] for rid in cal.room_ids}
    for tid, rid, a, b, buf in cal.sessions.tolist():
        if tid in rules:
            rules[tid].busy.append((from_us(a), from_us(b) + timedelta(minutes=buf)))
        if rid in rooms:
            rooms[rid].append((from_us(a), from_us(b)))
    return rules, rooms


def _weekly_rows(therapist_ids: Any) -> list[tuple[int, int, int, time, time]]:
    """(therapist, 0 = working / 1 = break, weekday, from, until) in one query.

    `therapist_ids`: ids, or a `.values("id")` query of them (a subquery). Written as SQL
    (table names from the models) for the reason given at `_slot_sql`: compiling the ORM
    union cost about twice what the database spends answering it."""
    if isinstance(therapist_ids, QuerySet):
        who, who_params = therapist_ids.query.sql_with_params()
    else:
        ids = list(therapist_ids)
        if not ids:
            return []
        who, who_params = ", ".join(["%s"] * len(ids)), tuple(ids)
    connection = connections[WorkingHours.objects.db]
    branches = " UNION ALL ".join(
        f"SELECT therapist_id, {kind}, weekday, start_time, end_time FROM {model._meta.db_table}"
        f" WHERE therapist_id IN ({who})"
        for kind, model in ((0, WorkingHours), (1, Break))
    )
    with connection.cursor() as cursor:
        cursor.execute(branches, [*who_params, *who_params])
        rows = cursor.fetchall()
    return [(t, k, wd, _as_time(a), _as_time(b)) for t, k, wd, a, b in rows]


def bookable_therapists(practice: Practice) -> QuerySet[StaffMember]:

    return StaffMember.objects.filter(
        practice=practice, is_active=True, takes_sessions=True
    ).select_related("user")


# One session row as the database sends it for `_session_columns` on PostgreSQL: its
# binary send formats, big-endian (ids as int8, times as int8 microseconds since
# 2000-01-01 UTC, the buffer as int2).
_SESSION_ROW = np.dtype([("t", ">i8"), ("r", ">i8"), ("a", ">i8"), ("b", ">i8"), ("buf", ">i2")])
_PG_EPOCH_US = to_us(datetime(2000, 1, 1, tzinfo=UTC))


def _session_columns(sessions: QuerySet[Session]) -> np.ndarray:
    """(therapist_id, room_id or 0, start µs, end µs, buffer minutes) of a Session
    queryset as an int64 array of shape (n, 5).

    On PostgreSQL the database packs the rows into one bytea of fixed-size binary
    values, which numpy reads as it is: ~5,000 sessions cost neither 25,000 values
    formatted as text by the database (its numeric epoch arithmetic was most of the
    statement's time) nor 10,000 datetimes built in Python. Elsewhere the ORM rows are
    converted."""

    columns = ("therapist_id", "room_id", "starts_at", "ends_at", "buffer_minutes")
    rows = sessions.order_by().values_list(*columns)
    connection = connections[rows.db]
    if connection.vendor == "postgresql":
        sql, params = rows.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT string_agg(int8send(therapist_id) || int8send(coalesce(room_id, 0))"
                " || timestamptz_send(starts_at) || timestamptz_send(ends_at)"
                f" || int2send(buffer_minutes), ''::bytea) FROM ({sql}) AS s",
                params,
            )
            data = cursor.fetchone()[0]
        if not data:
            return np.zeros((0, 5), dtype=np.int64)
        packed = np.frombuffer(data, dtype=_SESSION_ROW)
        out = np.empty((len(packed), 5), dtype=np.int64)
        for i, name in enumerate(("t", "r", "a", "b", "buf")):
            out[:, i] = packed[name]
        out[:, 2:4] += _PG_EPOCH_US
        return out
    converted = [(t, r or 0, to_us(a), to_us(b), buf) for t, r, a, b, buf in rows]
    return np.array(converted, dtype=np.int64).reshape(-1, 5)


def available_slots(
    *,
    practice: Practice,
    session_type: SessionType,
    therapist: StaffMember | None = None,
    first_day: date | None = None,
    weeks: int = 4,
    now: datetime | None = None,
    step_minutes: int = 30,
    exclude_session_ids: Iterable[int] = (),
) -> list[Slot]:
    """Free slots of `session_type` with one therapist (or any) for `weeks` weeks.

    Same rules as `lib.slots.therapist_slots`, with a fixed number of queries
    (therapists, hours, breaks, time off, rooms, sessions) and no per-session objects."""
    free = _free_search(
        practice=practice,
        session_type=session_type,
        therapist=therapist,
        first_day=first_day,
        weeks=weeks,
        now=now,
        step_minutes=step_minutes,
        exclude_session_ids=exclude_session_ids,
    )
    return slots_from_arrays(
        free.owner,
        free.start,
        free.room,
        therapist_ids=free.therapist_ids,
        room_ids=free.room_ids,
        duration=free.duration,
    )


def available_starts(
    *,
    practice: Practice,
    session_type: SessionType,
    therapist: StaffMember | None = None,
    first_day: date | None = None,
    weeks: int = 4,
    now: datetime | None = None,
    step_minutes: int = 30,
    exclude_session_ids: Iterable[int] = (),
) -> list[datetime]:
    """The distinct free start times (UTC, ascending) of `available_slots` with the same
    arguments: what the booking pages list. With "any therapist" a time free with many
    therapists is one time, so no `Slot` is built per therapist and time (thousands in a
    large practice, where the page shows a few dozen)."""
    free = _free_search(
        practice=practice,
        session_type=session_type,
        therapist=therapist,
        first_day=first_day,
        weeks=weeks,
        now=now,
        step_minutes=step_minutes,
        exclude_session_ids=exclude_session_ids,
    )
    return [from_us(u) for u in np.unique(free.start).tolist()]


@dataclass
class _Free:
    """Free starts as `lib.slots.free_arrays` returns them, with what maps the positions
    back to ids."""

    owner: np.ndarray
    start: np.ndarray
    room: np.ndarray
    therapist_ids: list[int]
    room_ids: list[int]
    duration: int


def _free_search(
    *,
    practice: Practice,
    session_type: SessionType,
    therapist: StaffMember | None,
    first_day: date | None,
    weeks: int,
    now: datetime | None,
    step_minutes: int,
    exclude_session_ids: Iterable[int],
) -> _Free:
    now = now or timezone.now()
    zone = practice.zone
    first_day = first_day or now.astimezone(zone).date()
    last_day = first_day + timedelta(weeks=weeks) - timedelta(days=1)
    # "Any therapist": the bookable ones, as a subquery; calendar_load takes those with
    # working hours from the hours rows (the others have no free time).
    therapists_query = None
    therapist_ids: list[int] | None = None
    if therapist is not None:
        therapist_ids = [therapist.pk]
    else:
        therapists_query = bookable_therapists(practice).order_by().values("id")
    window = (
        local_to_utc(first_day, time(0), zone) - timedelta(hours=1),
        local_to_utc(last_day + timedelta(days=1), time(0), zone) + timedelta(hours=1),
    )
    cal = calendar_load(
        practice=practice,
        therapist_ids=therapist_ids,
        window=window,
        exclude_session_ids=exclude_session_ids,
        therapists_query=therapists_query,
    )
    therapist_ids = cal.therapist_ids
    time_off = Spans.of(
        [(i, [*own, *cal.closed]) for i, own in enumerate(cal.time_off) if own or cal.closed]
    )
    room_ids = cal.room_ids
    cols = cal.sessions
    pos_of = np.full(max(therapist_ids, default=0) + 1, -1, dtype=np.int64)
    pos_of[np.array(therapist_ids, dtype=np.int64)] = np.arange(len(therapist_ids))
    tid_col = cols[:, 0]
    mine = tid_col < len(pos_of)
    mine[mine] = pos_of[tid_col[mine]] >= 0
    busy = Spans(
        pos_of[tid_col[mine]],
        cols[mine, 2],
        cols[mine, 3] + cols[mine, 4] * 60_000_000,
    )
    rooms = None
    if room_ids:
        room_pos = {rid: i for i, rid in enumerate(room_ids)}
        in_room = np.array([room_pos.get(r, -1) for r in cols[:, 1].tolist()], dtype=np.int64)
        used = in_room >= 0
        rooms = Spans(in_room[used], cols[used, 2], cols[used, 3])
    duration = timedelta(minutes=session_type.duration_minutes) // US
    owner, starts, room = free_arrays(
        hours=cal.hours,
        time_off=time_off,
        busy=busy,
        rooms=rooms,
        room_count=len(room_ids),
        zone=zone,
        first_day=first_day,
        last_day=last_day,
        duration=duration,
        buffer=timedelta(minutes=session_type.buffer_minutes) // US,
        step=timedelta(minutes=step_minutes) // US,
        now=to_us(now),
    )
    return _Free(owner, starts, room, therapist_ids, room_ids, duration)


# The rows of one therapist that bear on one slot, in ONE statement: hours and breaks on
# the weekday, time off and sessions touching the slot, each branch on its index
# (therapist_id; (therapist_id, starts_at) for sessions). Written as SQL, not as an ORM
# union, because every booking runs it: building and compiling the four-part union cost
# more Python time than the database spends answering it. Table and column names are
# taken from the models, so a rename cannot silently diverge.
def _slot_sql(connection: Any, exclude_count: int) -> str:
    hours, breaks, off, sess, closures = (
        m._meta.db_table for m in (WorkingHours, Break, TimeOff, Session, ClosureDay)
    )
    # Typed NULLs: PostgreSQL takes a union column's type from its first branch.
    no_time = f"CAST(NULL AS {connection.data_types['TimeField']})"
    no_instant = f"CAST(NULL AS {connection.data_types['DateTimeField']})"
    not_excluded = f" AND id NOT IN ({', '.join(['%s'] * exclude_count)})" if exclude_count else ""
    return (
        f"SELECT 0, start_time, end_time, {no_instant}, {no_instant}, 0 FROM {hours}"
        " WHERE therapist_id = %s AND weekday = %s"
        f" UNION ALL SELECT 1, start_time, end_time, {no_instant}, {no_instant}, 0 FROM {breaks}"
        " WHERE therapist_id = %s AND weekday = %s"
        f" UNION ALL SELECT 2, {no_time}, {no_time}, starts_at, ends_at, 0 FROM {off}"
        " WHERE therapist_id = %s AND starts_at < %s AND ends_at > %s"
        f" UNION ALL SELECT 3, {no_time}, {no_time}, starts_at, ends_at, buffer_minutes"
        f" FROM {sess} WHERE therapist_id = %s AND practice_id = %s AND status <> %s"
        " AND starts_at < %s AND starts_at > %s AND ends_at > %s"
        + not_excluded
        # The practice's own closure day, if it is one.
        + f" UNION ALL SELECT 4, {no_time}, {no_time}, {no_instant}, {no_instant}, 0"
        f" FROM {closures} WHERE practice_id = %s AND day = %s"
    )


def _as_time(value: Any) -> Any:
    """SQLite hands back the text it stored; PostgreSQL a `time`."""
    return time.fromisoformat(value) if isinstance(value, str) else value


def _as_instant(value: Any) -> datetime:
    if isinstance(value, str):  # SQLite: "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC
        parsed = datetime.fromisoformat(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    instant: datetime = value
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def slot_problems(
    *,
    practice: Any,
    therapist: Any,
    starts_at: datetime,
    duration_minutes: int,
    buffer_minutes: int = 0,
    now: datetime,
    exclude_session_ids: Iterable[int] = (),
) -> list[str]:
    """Every reason this therapist cannot take a session at `starts_at` (lib/slots.py
    decides); [] if they can. Rooms and the client are checked by services.py.

    One indexed query (a booking's hot path): the therapist's hours and breaks on that
    weekday, the time off and sessions touching this one slot, and whether the practice
    is closed that day."""
    duration = timedelta(minutes=duration_minutes)
    buffer = timedelta(minutes=buffer_minutes)
    ends_at = starts_at + duration
    day = starts_at.astimezone(practice.zone).date()
    weekday = day.weekday()
    exclude = list(exclude_session_ids)
    connection = connections[Session.objects.db]
    ops = connection.ops
    # A session blocks [start, end + its buffer); buffers are at most MAX_BUFFER and
    # durations MAX_DURATION, which bounds the (therapist, starts_at) index range.
    params = [
        *(therapist.pk, weekday, therapist.pk, weekday),
        *(therapist.pk, ends_at, starts_at),
        *(therapist.pk, practice.pk, Session.Status.CANCELLED.value),
        *(ends_at + buffer, starts_at - MAX_BUFFER - MAX_DURATION, starts_at - MAX_BUFFER),
        *exclude,
        *(practice.pk, ops.adapt_datefield_value(day)),
    ]
    params = [ops.adapt_datetimefield_value(v) if isinstance(v, datetime) else v for v in params]
    rules = TherapistRules()
    with connection.cursor() as cursor:
        cursor.execute(_slot_sql(connection, len(exclude)), params)
        rows = cursor.fetchall()
    for kind, a, b, c, d, buf in rows:
        if kind == 0:
            rules.working.setdefault(weekday, []).append((_as_time(a), _as_time(b)))
        elif kind == 1:
            rules.breaks.setdefault(weekday, []).append((_as_time(a), _as_time(b)))
        elif kind == 2:
            rules.time_off.append((_as_instant(c), _as_instant(d)))
        elif kind == 3:
            rules.busy.append((_as_instant(c), _as_instant(d) + timedelta(minutes=buf)))
    # A public holiday (fixed data, no query) or the practice's own closure day (kind 4).
    closed = is_public_holiday(practice, day) or any(row[0] == 4 for row in rows)
    return ([errors.CLOSED] if closed else []) + slots.slot_problems(
        rules=rules,
        zone=practice.zone,
        starts_at=starts_at,
        duration=duration,
        buffer=buffer,
        now=now,
    )


def resource_busy(
    *, column: str, pk: int, starts_at: datetime, ends_at: datetime, exclude: Sequence[int] = ()
) -> bool:
    """Whether the client (`column="client_id"`) or room (`"room_id"`) has a session that is
    not cancelled overlapping [starts_at, ends_at): one indexed query, as SQL for the same
    reason as `slot_problems`."""
    if column not in ("client_id", "room_id"):
        raise ValueError(column)
    connection = connections[Session.objects.db]
    adapt = connection.ops.adapt_datetimefield_value
    not_excluded = f" AND id NOT IN ({', '.join(['%s'] * len(exclude))})" if exclude else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {Session._meta.db_table} WHERE {column} = %s AND status <> %s"
            f" AND starts_at < %s AND ends_at > %s{not_excluded} LIMIT 1",
            [pk, Session.Status.CANCELLED.value, adapt(ends_at), adapt(starts_at), *exclude],
        )
        return cursor.fetchone() is not None


def attach_therapists_and_rooms(sessions: Iterable[Session], known: Iterable[Any] = ()) -> None:
    """Give sessions read without their therapists and rooms (a join per relation costs
    PostgreSQL more planning than a client's few rows cost) their `therapist` (with its
    user: the name) and `room`. The staff members a page has loaded already (`known`:
    a course's therapist, the signed-in one) need no query; the others and the rooms
    are read in one query each, and only if there are any."""
    sessions = list(sessions)
    staff = {m.pk: m for m in known if m is not None}
    missing = {s.therapist_id for s in sessions} - staff.keys()
    if missing:
        staff.update(StaffMember.objects.select_related("user").in_bulk(missing))
    room_ids = {s.room_id for s in sessions if s.room_id is not None}
    rooms = Room.objects.in_bulk(room_ids) if room_ids else {}
    for s in sessions:
        s.therapist = staff[s.therapist_id]
        if s.room_id is not None:
            s.room = rooms[s.room_id]


def _calendar_sql(connection: Any, therapists: int | None, with_intake: bool) -> str:
    """The day and week views' sessions of one window, with each one's client, course,
    room, whether it has a record, its number in the course and (`with_intake`) the
    client's newest intake, in ONE statement. Written as SQL, not as an ORM query, for
    the reason given at `_slot_sql`: every calendar page runs it, and building and
    compiling the ORM form (four joins, two correlated subqueries) cost about twice
    what the database spends answering it (6.4 of 13 ms on 2 CPUs, 12 sessions).
    Table names come from the models; `therapists`: how many ids the IN list takes
    (None: every therapist)."""
    q = connection.ops.quote_name
    sess, client, course, room = (m._meta.db_table for m in (Session, Client, Course, Room))
    to_record: Any = Session._meta.get_field("record")  # records sits above scheduling
    record = to_record.related_model._meta.db_table
    newest = ", ".join(
        f"{q(name.lstrip('-'))} {'DESC' if name.startswith('-') else 'ASC'}"
        for name in NEWEST_INTAKE_FIRST
    )
    intake = (
        f"(SELECT i.id FROM {Intake._meta.db_table} i WHERE i.client_id = s.client_id"
        f" ORDER BY {newest} LIMIT 1)"
        if with_intake
        else "NULL"
    )
    who = f" AND s.therapist_id IN ({', '.join(['%s'] * therapists)})" if therapists else ""
    return (
        "SELECT s.id, s.therapist_id, s.client_id, s.course_id, s.room_id, s.starts_at,"
        " s.ends_at, s.status, c.first_name, c.last_name, c.practice_id, co.complaint,"
        " co.planned_sessions, r.name, rec.id,"
        # Session.number_in_course's rule: the course's earlier sessions that were held
        # or are still to come (not cancelled, not missed), by time, then id.
        f" (SELECT COUNT(*) FROM {sess} e WHERE e.course_id = s.course_id"
        " AND e.status NOT IN (%s, %s)"
        " AND (e.starts_at < s.starts_at OR (e.starts_at = s.starts_at AND e.id < s.id))),"
        f" {intake}"
        f" FROM {sess} s JOIN {client} c ON c.id = s.client_id"
        f" LEFT JOIN {course} co ON co.id = s.course_id"
        f" LEFT JOIN {room} r ON r.id = s.room_id"
        f" LEFT JOIN {record} rec ON rec.session_id = s.id"
        f" WHERE s.practice_id = %s AND s.starts_at >= %s AND s.starts_at < %s{who}"
        " ORDER BY s.starts_at, s.id"
    )


def _partial(model: Any, db: str, values: dict[str, Any]) -> Any:
    """A model instance loaded with only these columns (the others deferred), as
    `.only()` makes it: `from_db` takes the values in the model's field order."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(db, names, [values[name] for name in names])


def calendar_sessions(
    practice: Practice,
    start: datetime,
    end: datetime,
    therapist_ids: Sequence[int] | None = None,
    *,
    with_intake: bool = False,
) -> list[Session]:
    """The practice's sessions starting in [start, end) (of `therapist_ids`; None: all),
    by time, as Session objects with only the columns the calendar shows: `client`
    (names), `course` (complaint, planned sessions), `room` (name) and `record` (its id,
    or none) attached, `earlier_in_course` (how many of the course's sessions come
    before it and count: `Session.number_in_course`'s rule) and `newest_intake` (the
    client's newest intake's id, with `with_intake`; else None). One query.

    The caller has checked the request's access (`practices.access.scoped_sessions`'
    rule: the practice's own sessions, for a role with the calendar)."""
    ids = None if therapist_ids is None else list(therapist_ids)
    if ids is not None and not ids:
        return []
    connection = connections[Session.objects.db]
    adapt = connection.ops.adapt_datetimefield_value
    params = [
        Session.Status.CANCELLED.value,
        Session.Status.NO_SHOW.value,
        practice.pk,
        adapt(start),
        adapt(end),
        *(ids or ()),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_calendar_sql(connection, len(ids) if ids else None, with_intake), params)
        rows = cursor.fetchall()
    db = connection.alias
    relations: list[Any] = [
        Session._meta.get_field(name) for name in ("client", "course", "room", "record")
    ]
    to_client, to_course, to_room, to_record = relations
    record_model = to_record.related_model
    sessions = []
    for row in rows:
        pk, therapist_id, client_id, course_id, room_id, starts_at, ends_at, status = row[:8]
        first_name, last_name, client_practice, complaint, planned, room_name = row[8:14]
        record_id, earlier, intake_id = row[14:]
        s = _partial(
            Session,
            db,
            {
                "id": pk,
                "therapist_id": therapist_id,
                "client_id": client_id,
                "course_id": course_id,
                "room_id": room_id,
                "starts_at": _as_instant(starts_at),
                "ends_at": _as_instant(ends_at),
                "status": status,
            },
        )
        client = {"id": client_id, "first_name": first_name, "last_name": last_name}
        to_client.set_cached_value(
            s, _partial(Client, db, {**client, "practice_id": client_practice})
        )
        if course_id is not None:
            course = {"id": course_id, "complaint": complaint, "planned_sessions": planned}
            to_course.set_cached_value(s, _partial(Course, db, course))
        if room_id is not None:
            to_room.set_cached_value(s, _partial(Room, db, {"id": room_id, "name": room_name}))
        record = None if record_id is None else _partial(record_model, db, {"id": record_id})
        to_record.set_cached_value(s, record)
        s.earlier_in_course = earlier
        s.newest_intake = intake_id
        sessions.append(s)
    return sessions
