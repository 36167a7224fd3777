#!/usr/bin/env python
"""Scheduling benchmark on PostgreSQL: a practice of 100 therapists and 1,000,000 sessions.

    .venv/bin/python scripts/bench_scheduling.py \
        [--database-url postgres://postgres@127.0.0.1:5432/bc_bench] [--reuse]

1. Seeds (drops and re-creates the database unless --reuse): one practice in
   Europe/Berlin, 100 therapists working Mon–Fri 08:00–20:00, 20,000 clients, and
   1,000,000 one-hour sessions written with COPY under the live exclusion constraints.
   Each therapist's past ~3 years are fully booked; the next 8 weeks are half booked
   (every other hour), so the four-week search has real busy intervals to step around.
2. Availability: `backcourse.scheduling.selectors.available_slots` (the service the
   booking page calls) for a four-week window, ~50 searches with random start days,
   for "any therapist" (all 100) and for one therapist. Prints p50/p95.
3. Booking throughput: 32 concurrent clients (processes, each with its own connection)
   book through `backcourse.scheduling.services.session_book` — the real service: hours,
   breaks, time off, client overlap, then INSERT under the exclusion constraint. One in
   ten attempts deliberately targets a slot another client also targets, so "slot
   taken" answers occur; those are expected answers, counted apart from errors (any
   other exception). Prints bookings/s, attempts/s, taken, errors.

4. The same booking service with one client alone (--single-attempts), and the
   number of queries one booking takes.

--reuse keeps the seeded database; the sessions booked by earlier runs of step 3 (the
seed has no session type, bookings do) are deleted first, so every run books the same
kind of free slots.

Figures only; nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ZONE = ZoneInfo("Europe/Berlin")
HOURS = range(8, 20)  # session starts 08:00..19:00 local, working hours 08:00–20:00
FUTURE_WEEKS = 8


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bc_bench")
    p.add_argument("--therapists", type=int, default=100)
    p.add_argument("--sessions", type=int, default=1_000_000)
    p.add_argument("--clients", type=int, default=20_000)
    p.add_argument("--searches", type=int, default=50)
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--attempts-per-client", type=int, default=150)
    p.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument(
        "--single-attempts",
        type=int,
        default=300,
        help="bookings made by one client alone, for the single-client rate (0: skip)",
    )
    return p.parse_args()


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backcourse.settings")
    os.environ.setdefault("AXES_ENABLED", "0")
    import django

    django.setup()


def local_slot(day: date, hour: int) -> datetime:
    return datetime.combine(day, dtime(hour), tzinfo=ZONE).astimezone(UTC)


def timetable(per_therapist: int, today: date) -> tuple[list[tuple[datetime, int]], date]:
    """(start, parity) slots for one therapist: the future FUTURE_WEEKS half booked, then
    backwards from yesterday fully booked until `per_therapist` slots are reached."""
    slots: list[tuple[datetime, int]] = []
    day = today + timedelta(days=1)
    end = today + timedelta(weeks=FUTURE_WEEKS)
    while day <= end:
        if day.weekday() < 5:
            slots.extend((local_slot(day, h), 0) for h in HOURS if (h + day.toordinal()) % 2 == 0)
        day += timedelta(days=1)
    day = today - timedelta(days=1)
    while len(slots) < per_therapist:
        if day.weekday() < 5:
            for h in HOURS:
                if len(slots) < per_therapist:
                    slots.append((local_slot(day, h), 1))
        day -= timedelta(days=1)
    return slots, day


def seed(args) -> None:
    from django.core.management import call_command
    from django.db import connection

    from backcourse.accounts.models import User
    from backcourse.clients.models import Client
    from backcourse.practices.models import Practice, StaffMember
    from backcourse.scheduling.models import SessionType, WorkingHours

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.perf_counter() - t0:.1f} s")

    t0 = time.perf_counter()
    practice = Practice.objects.create(name="Bench Studio", slug="bench", time_zone="Europe/Berlin")
    SessionType.objects.create(practice=practice, name="Massage 60", duration_minutes=60)
    users = User.objects.bulk_create(
        [
            User(username=f"t{i:03d}", first_name="T", last_name=f"{i:03d}")
            for i in range(args.therapists)
        ]
    )
    staff = StaffMember.objects.bulk_create(
        [StaffMember(user=u, practice=practice, display_name=u.username) for u in users]
    )
    WorkingHours.objects.bulk_create(
        [
            WorkingHours(therapist=s, weekday=wd, start_time=dtime(8), end_time=dtime(20))
            for s in staff
            for wd in range(5)
        ]
    )
    Client.objects.bulk_create(
        [
            Client(
                practice=practice, first_name="C", last_name=f"{i:05d}", email=f"c{i}@example.org"
            )
            for i in range(args.clients)
        ],
        batch_size=5000,
    )
    client_ids = list(Client.objects.filter(practice=practice).values_list("id", flat=True))

    per = args.sessions // args.therapists
    today = datetime.now(ZONE).date()
    slots, first_day = timetable(per, today)
    rng = random.Random(args.seed)
    now = datetime.now(UTC)
    cols = (
        "practice_id, therapist_id, client_id, starts_at, duration_minutes, ends_at, status, "
        "buffer_minutes, created_at"
    )
    total = 0
    with connection.cursor() as cur:
        raw = cur.connection  # psycopg 3 connection
        with raw.cursor().copy(f"COPY scheduling_session ({cols}) FROM STDIN") as copy:
            for s in staff:
                for start, past in slots:
                    status = "completed" if past else "booked"
                    copy.write_row(
                        (
                            practice.pk,
                            s.pk,
                            rng.choice(client_ids),
                            start,
                            60,
                            start + timedelta(hours=1),
                            status,
                            0,
                            now,
                        )
                    )
                    total += 1
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(
        f"seeded {args.therapists} therapists, {args.clients} clients, {total:,} sessions "
        f"({first_day} .. {today + timedelta(weeks=FUTURE_WEEKS)}) in {time.perf_counter() - t0:.1f} s"
    )


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def bench_availability(args) -> dict[str, tuple[float, float, int]]:
    """{label: (p50 ms, p95 ms, median free slots)} of four-week searches."""
    from backcourse.practices.models import Practice
    from backcourse.scheduling.models import SessionType
    from backcourse.scheduling.selectors import available_slots, bookable_therapists

    practice = Practice.objects.get(slug="bench")
    session_type = SessionType.objects.get(practice=practice)
    therapists = list(bookable_therapists(practice))
    rng = random.Random(args.seed)
    today = datetime.now(ZONE).date()
    available_slots(practice=practice, session_type=session_type, weeks=4)  # warm up
    figures = {}
    for label, pick in [
        ("one therapist", lambda: rng.choice(therapists)),
        (f"any of {len(therapists)} therapists", lambda: None),
    ]:
        times, counts = [], []
        for _ in range(args.searches):
            first_day = today + timedelta(days=rng.randrange(0, 28))
            therapist = pick()
            t0 = time.perf_counter()
            slots = available_slots(
                practice=practice,
                session_type=session_type,
                therapist=therapist,
                first_day=first_day,
                weeks=4,
            )
            times.append((time.perf_counter() - t0) * 1000)
            counts.append(len(slots))
        figures[label] = (pct(times, 0.5), pct(times, 0.95), int(statistics.median(counts)))
        print(
            f"availability search, 4 weeks, {label}: p50 {pct(times, 0.5):.1f} ms, "
            f"p95 {pct(times, 0.95):.1f} ms, max {max(times):.1f} ms "
            f"({args.searches} searches, median {int(statistics.median(counts))} free slots each)"
        )
    return figures


def remove_earlier_bookings() -> None:
    """Delete what earlier runs booked (bookings carry the session type; the seed has
    none), so repeated --reuse runs find the same free slots."""
    from backcourse.scheduling.models import Session

    deleted, _ = Session.objects.filter(practice__slug="bench", session_type__isnull=False).delete()
    if deleted:
        print(f"removed {deleted} sessions booked by earlier runs")


def booking_targets(args) -> list[list[tuple[int, datetime, int]]]:
    """Per client process: (therapist_id, start, client_id) attempts on free future slots."""
    from backcourse.clients.models import Client
    from backcourse.practices.models import Practice
    from backcourse.scheduling.selectors import bookable_therapists

    practice = Practice.objects.get(slug="bench")
    therapist_ids = list(bookable_therapists(practice).values_list("id", flat=True))
    client_ids = list(Client.objects.filter(practice=practice).values_list("id", flat=True))
    today = datetime.now(ZONE).date()
    free = []
    day = today + timedelta(days=2)
    while day <= today + timedelta(weeks=FUTURE_WEEKS):
        if day.weekday() < 5:
            free.extend(local_slot(day, h) for h in HOURS if (h + day.toordinal()) % 2 == 1)
        day += timedelta(days=1)
    from backcourse.scheduling.models import Session

    taken = set(
        Session.objects.active()
        .filter(practice=practice, starts_at__gte=min(free))
        .values_list("therapist_id", "starts_at")
    )
    rng = random.Random(args.seed)
    pool = [(t, s) for t in therapist_ids for s in free if (t, s) not in taken]
    rng.shuffle(pool)
    n = args.concurrency * args.attempts_per_client
    unique = pool[:n]
    plans: list[list[tuple[int, datetime, int]]] = [[] for _ in range(args.concurrency)]
    for i, (t, s) in enumerate(unique):
        plans[i % args.concurrency].append((t, s, rng.choice(client_ids)))
    # One attempt in ten targets the slot the next process attempts at about the same
    # moment (its attempt j + 1, which is never itself replaced), so both race for it.
    originals = [list(plan) for plan in plans]
    for k, plan in enumerate(plans):
        other = originals[(k + 1) % args.concurrency]
        for j in range(0, len(plan) - 1, 10):
            t, s, _c = other[min(j + 1, len(other) - 1)]
            plan[j] = (t, s, rng.choice(client_ids))
    return plans


def _book_worker(plan, url, barrier, out):
    from django.db import connections

    connections.close_all()
    from backcourse.clients.models import Client
    from backcourse.practices.models import Practice, StaffMember
    from backcourse.scheduling.errors import SchedulingError
    from backcourse.scheduling.models import SessionType
    from backcourse.scheduling.services import session_book

    practice = Practice.objects.get(slug="bench")
    session_type = SessionType.objects.get(practice=practice)
    staff = {s.pk: s for s in StaffMember.objects.filter(practice=practice)}
    booked = taken = refused = errors = 0
    first_error = ""
    barrier.wait()
    t0 = time.perf_counter()
    for therapist_id, start, client_id in plan:
        try:
            session_book(
                practice=practice,
                therapist=staff[therapist_id],
                client=Client(pk=client_id, practice_id=practice.pk),
                starts_at=start,
                session_type=session_type,
            )
            booked += 1
        except SchedulingError as exc:
            if exc.is_conflict:
                taken += 1
            else:
                refused += 1
        except Exception as exc:  # noqa: BLE001 - every unexpected failure is counted
            errors += 1
            first_error = first_error or f"{type(exc).__name__}: {exc}"
    out.put((booked, taken, refused, errors, time.perf_counter() - t0, first_error))
    connections.close_all()


def bench_booking(args) -> dict:
    from django.db import connections

    plans = booking_targets(args)
    connections.close_all()
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(args.concurrency + 1)
    out = ctx.Queue()
    procs = [
        ctx.Process(target=_book_worker, args=(plan, args.database_url, barrier, out))
        for plan in plans
    ]
    for p in procs:
        p.start()
    barrier.wait()
    t0 = time.perf_counter()
    results = [out.get() for _ in procs]
    wall = time.perf_counter() - t0
    for p in procs:
        p.join()
    booked = sum(r[0] for r in results)
    taken = sum(r[1] for r in results)
    refused = sum(r[2] for r in results)
    errors = sum(r[3] for r in results)
    attempts = booked + taken + refused + errors
    print(
        f"booking via session_book, {args.concurrency} concurrent clients: "
        f"{booked / wall:.0f} bookings/s, {attempts / wall:.0f} attempts/s "
        f"({attempts} attempts in {wall:.1f} s: {booked} booked, {taken} slot taken, "
        f"{refused} other refusals, {errors} errors)"
    )
    first = next((r[5] for r in results if r[5]), "")
    if first:
        print(f"  first error: {first}")
    return {"booked/s": booked / wall, "attempts": attempts, "taken": taken, "errors": errors}


def bench_single_client(args) -> dict:
    """One client alone, in this process: the rate without contention, and the queries
    one booking takes (counted with CaptureQueriesContext on a real booking)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from backcourse.clients.models import Client
    from backcourse.practices.models import Practice, StaffMember
    from backcourse.scheduling.errors import SchedulingError
    from backcourse.scheduling.models import SessionType
    from backcourse.scheduling.services import session_book

    if not args.single_attempts:
        return {}
    plan = [a for plan in booking_targets(args) for a in plan]
    practice = Practice.objects.get(slug="bench")
    session_type = SessionType.objects.get(practice=practice)
    staff = {s.pk: s for s in StaffMember.objects.filter(practice=practice)}
    booked = refused = errors = 0
    queries = None
    t0, cpu0 = time.perf_counter(), time.process_time()
    for therapist_id, start, client_id in plan[: args.single_attempts]:
        try:
            with CaptureQueriesContext(connection) as captured:
                session_book(
                    practice=practice,
                    therapist=staff[therapist_id],
                    client=Client(pk=client_id, practice_id=practice.pk),
                    starts_at=start,
                    session_type=session_type,
                )
            booked += 1
            queries = queries or [q["sql"].split()[0] for q in captured.captured_queries]
        except SchedulingError:
            refused += 1
        except Exception:  # noqa: BLE001 - counted
            errors += 1
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    n = max(booked + refused + errors, 1)
    print(
        f"booking via session_book, 1 client: {booked / wall:.0f} bookings/s "
        f"({booked} booked, {refused} refused (slot taken), {errors} errors in {wall:.1f} s; "
        f"{1000 * wall / n:.1f} ms per attempt, of which {1000 * cpu / n:.1f} ms Python CPU "
        f"in this process, the rest waiting for PostgreSQL)"
    )
    if queries:
        print(f"  queries per booking: {len(queries)} ({', '.join(queries)})")
    return {
        "booked/s": booked / wall,
        "queries": len(queries or []),
        "ms": 1000 * wall / n,
        "cpu ms": 1000 * cpu / n,
    }


def count_overlaps() -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT count(*) FROM scheduling_session a JOIN scheduling_session b
              ON a.therapist_id = b.therapist_id AND a.id < b.id
             AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
             AND a.status <> 'cancelled' AND b.status <> 'cancelled'
             WHERE a.starts_at > now()
            """
        )
        return cur.fetchone()[0]


def main() -> None:
    args = parse_args()
    if not args.reuse:
        recreate_database(args.database_url)
    setup_django(args.database_url)
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("this benchmark needs PostgreSQL (--database-url postgres://...)")
    print(
        f"database {urlsplit(args.database_url).path.lstrip('/')} on PostgreSQL "
        f"{connection.cursor().connection.info.server_version}, {os.cpu_count()} CPUs"
    )
    if not args.reuse:
        seed(args)
    search = bench_availability(args)
    remove_earlier_bookings()
    many = bench_booking(args)
    remove_earlier_bookings()
    one = bench_single_client(args)
    overlaps = count_overlaps()
    print(f"overlapping future sessions of one therapist after the run: {overlaps}")
    print()
    print(f"SUMMARY ({os.cpu_count()} CPU cores; app and PostgreSQL on the same machine)")
    for label, (p50, p95, _n) in search.items():
        print(f"  availability 4 weeks, {label:<22} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")
    print(
        f"  bookings/s, {args.concurrency} clients{'':<16} {many['booked/s']:7.0f}"
        f"   errors {many['errors']}, slot taken {many['taken']} of {many['attempts']}"
    )
    if one:
        print(
            f"  bookings/s, 1 client{'':<20} {one['booked/s']:7.0f}"
            f"   {one['ms']:.1f} ms each ({one['cpu ms']:.1f} ms Python CPU), "
            f"{one['queries']} statements incl. BEGIN/COMMIT"
        )


if __name__ == "__main__":
    main()
