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
import http.client
import json
import multiprocessing as mp
import os
import random
import signal
import statistics
import subprocess
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
RESULT_JSON = ROOT / "var" / "bench_scheduling.json"  # read by bench_pages.py


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
    p.add_argument("--port", type=int, default=8162, help="first port of the app servers")
    p.add_argument("--http-workers", type=int, default=2, help="gunicorn workers per server")
    p.add_argument(
        "--http-attempts-per-client",
        type=int,
        default=40,
        help="confirmations per concurrent client over HTTP (0: skip HTTP)",
    )
    p.add_argument(
        "--second-server",
        action="store_true",
        help="also book through two gunicorn processes on two ports, and check the rate "
        "limit and the reminder claims across two servers and two workers",
    )
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
    # DEBUG is off as in production, which wants a key; one key for this process and
    # the servers it starts (sessions and signed links must verify on both sides).
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 40)
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
        "buffer_minutes, created_at, overrides"
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
                            "",
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


def booking_targets(args, per_client: int | None = None) -> list[list[tuple[int, datetime, int]]]:
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
    n = args.concurrency * (per_client or args.attempts_per_client)
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


# --------------------------------------------------------------------------- over HTTP

CSRF = "benchschedulingcsrfsecret0123456"  # 32 characters: a valid unmasked secret


def start_servers(args, ports: list[int]) -> list[subprocess.Popen]:
    """gunicorn as in production (README), one process per port, one PostgreSQL."""
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DEBUG": "0",
        "DB_CONN_MAX_AGE": "60",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "ERROR",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    servers = []
    for port in ports:
        cmd = [
            str(gunicorn),
            "backcourse.wsgi:application",
            "--workers",
            str(args.http_workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
            "--backlog",
            "256",
            "--log-level",
            "warning",
        ]
        servers.append(subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True))
    for port in ports:
        deadline = time.monotonic() + 60
        while True:
            try:
                if http_request(port, "GET", "/accounts/login/")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                stop_servers(servers)
                sys.exit(f"gunicorn on port {port} did not start within 60 s")
            time.sleep(0.3)
    return servers


def stop_servers(servers: list[subprocess.Popen]) -> None:
    for proc in servers:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in servers:
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def http_request(port: int, method: str, url: str, body: bytes = b"", headers=None):
    """(status, body) of one request on a fresh connection (gunicorn's sync workers
    close every connection anyway)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, url, body=body, headers={"Host": "127.0.0.1", **(headers or {})})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def pending_tokens(args, plans) -> list[list[str]]:
    """A public booking request (PendingBooking) per planned attempt, as the request
    form would leave it, and its emailed confirmation token. Written directly: the
    requests are not what is measured (and the rate limit would stop one address)."""
    from backcourse.booking.pending import confirm_token
    from backcourse.practices.models import Practice
    from backcourse.scheduling.models import PendingBooking, SessionType

    practice = Practice.objects.get(slug="bench")
    session_type = SessionType.objects.get(practice=practice)
    rows = [
        PendingBooking(
            practice=practice,
            session_type=session_type,
            therapist_id=therapist_id,
            starts_at=start,
            first_name="Http",
            last_name=f"Client{k:02d}x{j:04d}",
            email=f"http{k:02d}x{j:04d}@bench.example.org",
        )
        for k, plan in enumerate(plans)
        for j, (therapist_id, start, _client_id) in enumerate(plan)
    ]
    created = iter(PendingBooking.objects.bulk_create(rows, batch_size=2000))
    return [[confirm_token(next(created)) for _ in plan] for plan in plans]


def _http_worker(tokens, ports, barrier, out):
    booked = taken = refused = errors = 0
    first_error = ""
    headers = {
        "Accept": "application/json",
        "Cookie": f"csrftoken={CSRF}",
        "X-CSRFToken": CSRF,
        "Content-Length": "0",
    }
    barrier.wait()
    t0 = time.perf_counter()
    for i, token in enumerate(tokens):
        port = ports[i % len(ports)]
        try:
            status, body = http_request(
                port, "POST", f"/book/bench/confirm/{token}/", headers=headers
            )
        except (OSError, http.client.HTTPException) as exc:
            errors += 1
            first_error = first_error or f"{type(exc).__name__}: {exc}"
            continue
        if status == 201:
            booked += 1
        elif status == 409:
            taken += 1
        elif status in (400, 429):
            refused += 1
        else:
            errors += 1
            first_error = first_error or f"HTTP {status}: {body[:200]!r}"
    out.put((booked, taken, refused, errors, time.perf_counter() - t0, first_error))


def remove_http_leftovers() -> None:
    """The booking requests of earlier HTTP runs, and the clients their confirmations
    created (their sessions went with `remove_earlier_bookings`)."""
    from backcourse.clients.models import Client
    from backcourse.scheduling.models import PendingBooking

    PendingBooking.objects.filter(practice__slug="bench").delete()
    Client.objects.filter(
        practice__slug="bench", email__startswith="http", email__endswith="@bench.example.org"
    ).delete()


def bench_http(args, ports: list[int]) -> dict:
    """The public confirm endpoint (POST /book/<slug>/confirm/<token>/) under
    `args.concurrency` concurrent clients, the requests spread over `ports`."""
    from django.db import connections

    remove_earlier_bookings()
    remove_http_leftovers()
    plans = booking_targets(args, per_client=args.http_attempts_per_client)
    tokens = pending_tokens(args, plans)
    connections.close_all()
    servers = start_servers(args, ports)
    try:
        ctx = mp.get_context("fork")
        barrier = ctx.Barrier(args.concurrency + 1)
        out = ctx.Queue()
        procs = [
            ctx.Process(
                target=_http_worker,
                args=(t, ports[k % len(ports) :] + ports[: k % len(ports)], barrier, out),
            )
            for k, t in enumerate(tokens)
        ]
        for p in procs:
            p.start()
        barrier.wait()
        t0 = time.perf_counter()
        results = [out.get() for _ in procs]
        wall = time.perf_counter() - t0
        for p in procs:
            p.join()
    finally:
        stop_servers(servers)
    booked = sum(r[0] for r in results)
    taken = sum(r[1] for r in results)
    refused = sum(r[2] for r in results)
    errors = sum(r[3] for r in results)
    attempts = booked + taken + refused + errors
    where = f"{len(ports)} gunicorn processes ({args.http_workers} workers each)"
    print(
        f"booking via POST /book/bench/confirm/<token>/, {args.concurrency} concurrent clients, "
        f"{where}: {booked / wall:.0f} bookings/s ({attempts} attempts in {wall:.1f} s: "
        f"{booked} booked, {taken} slot taken, {refused} other refusals, {errors} errors)",
        flush=True,
    )
    first = next((r[5] for r in results if r[5]), "")
    if first:
        print(f"  first error: {first}")
    return {"booked/s": booked / wall, "attempts": attempts, "taken": taken, "errors": errors}


def check_rate_limit(args, ports: list[int]) -> tuple[int, int, int]:
    """Booking requests for one email address, alternately through each app server:
    (accepted, refused with 429, limit). The limit is counted in the database, so the
    servers together accept exactly BOOKING_REQUESTS_PER_EMAIL_HOUR."""
    from urllib.parse import urlencode

    from django.conf import settings

    from backcourse.scheduling.models import PendingBooking, SessionType

    email = "rate-limit@bench.example.org"
    PendingBooking.objects.filter(email=email).delete()
    kind = SessionType.objects.get(practice__slug="bench")
    plans = booking_targets(args, per_client=1)
    limit = settings.BOOKING_REQUESTS_PER_EMAIL_HOUR
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={CSRF}",
        "X-CSRFToken": CSRF,
    }
    form = urlencode({"first_name": "Rita", "last_name": "Limit", "email": email}).encode()
    accepted = refused = 0
    for i, plan in enumerate(plans[: 2 * limit + 2]):
        therapist_id, start, _client = plan[0]
        query = urlencode({"type": kind.pk, "therapist": therapist_id, "slot": start.isoformat()})
        status, _body = http_request(
            ports[i % len(ports)], "POST", f"/book/bench/?{query}", form, headers
        )
        if status == 302:
            accepted += 1
        elif status == 429:
            refused += 1
    PendingBooking.objects.filter(email=email).delete()
    return accepted, refused, limit


def check_reminder_claims(args) -> tuple[int, int, int]:
    """Two db_worker processes run two reminder scans at the same time over the same
    due reminders: (reminders sent, emails written, distinct sessions). Exactly once
    means all three are equal."""
    import tempfile

    from django.db import connection

    from backcourse.notifications.models import Notification
    from backcourse.notifications.tasks import reminders_send_due
    from backcourse.practices.models import Practice

    practice = Practice.objects.get(slug="bench")
    hours_before = practice.reminder_hours_before
    Notification.objects.filter(practice=practice).delete()
    Practice.objects.filter(pk=practice.pk).update(reminder_hours_before=168)
    results = [reminders_send_due.enqueue() for _ in range(2)]
    connection.close()
    with tempfile.TemporaryDirectory(prefix="bench-mail-") as mail_dir:
        env = {
            **os.environ,
            "DATABASE_URL": args.database_url,
            "DEBUG": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": mail_dir,
            "REMINDER_SCAN_LIMIT": "300",
            "LOG_LEVEL": "ERROR",
        }
        workers = [
            subprocess.Popen(
                [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--batch"],
                cwd=ROOT,
                env=env,
                start_new_session=True,
                stdout=subprocess.DEVNULL,
            )
            for _ in range(2)
        ]
        try:
            for w in workers:
                w.wait(600)
        finally:
            stop_servers(workers)
        emails = sum(
            sum(
                line.startswith("Message-ID:")
                for line in p.read_text(errors="replace").splitlines()
            )
            for p in Path(mail_dir).iterdir()
        )
    for r in results:
        r.refresh()
    sent = Notification.objects.filter(practice=practice, status=Notification.Status.SENT)
    counts = (sent.count(), emails, sent.values("session_id").distinct().count())
    Notification.objects.filter(practice=practice).delete()
    Practice.objects.filter(pk=practice.pk).update(reminder_hours_before=hours_before)
    return counts


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
    else:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    search = bench_availability(args)
    remove_earlier_bookings()
    many = bench_booking(args)
    remove_earlier_bookings()
    one = bench_single_client(args)
    http_one = http_two = None
    limit = claims = None
    if args.http_attempts_per_client:
        http_one = bench_http(args, [args.port])
        if args.second_server:
            http_two = bench_http(args, [args.port, args.port + 1])
    overlaps = count_overlaps()
    print(f"overlapping future sessions of one therapist after the run: {overlaps}")
    if args.second_server:
        servers = start_servers(args, [args.port, args.port + 1])
        try:
            limit = check_rate_limit(args, [args.port, args.port + 1])
        finally:
            stop_servers(servers)
        print(
            f"rate limit across two servers: {limit[0]} booking requests accepted, "
            f"{limit[1]} refused with 429 (limit {limit[2]} per address and hour)"
        )
        claims = check_reminder_claims(args)
        print(
            f"reminder claims, two workers scanning at once: {claims[0]} reminders sent, "
            f"{claims[1]} emails written, {claims[2]} distinct sessions"
        )
    remove_earlier_bookings()
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
    for label, fig in (("HTTP, 1 server", http_one), ("HTTP, 2 servers", http_two)):
        if fig:
            print(
                f"  bookings/s, {args.concurrency} clients, {label:<15} {fig['booked/s']:7.0f}"
                f"   errors {fig['errors']}, slot taken {fig['taken']} of {fig['attempts']}"
            )
    print(f"  double bookings (overlapping sessions of one therapist): {overlaps}")
    figures = {
        "bookings_per_s": round(many["booked/s"], 1),
        "errors": many["errors"],
        "http_bookings_per_s": round(http_one["booked/s"], 1) if http_one else None,
        "http_errors": http_one["errors"] if http_one else None,
        "two_servers_bookings_per_s": round(http_two["booked/s"], 1) if http_two else None,
        "two_servers_errors": http_two["errors"] if http_two else None,
        "double_bookings": overlaps,
        "rate_limit_accepted_refused_limit": limit,
        "reminders_sent_emails_sessions": claims,
        "concurrency": args.concurrency,
    }
    RESULT_JSON.parent.mkdir(parents=True, exist_ok=True)
    RESULT_JSON.write_text(json.dumps(figures))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
