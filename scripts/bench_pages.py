#!/usr/bin/env python
"""Page benchmark on PostgreSQL: every page at a real practice's size, against the floor.

    .venv/bin/python scripts/bench_pages.py \
        [--database-url postgres://postgres@127.0.0.1:5432/bc_bench] [--reuse] [--port 8160]

1. Seeds (drops and re-creates the database; --reuse skips this when the data is there)
   two practices in one database, written with COPY:
   - "bench": 100 therapists, 50,000 clients, 1,000,000 one-hour sessions (the timetable
     of scripts/bench_scheduling.py: ~3 years fully booked, the next 8 weeks half booked),
     grouped into courses of 10 weekly sessions (~100,000 courses, two or so per client),
     a session record with pain and stress before and after (4 measurements) for every
     held session: ~980,000 records, ~3.9 million measurements;
   - "bench-small": 5 therapists, 1,000 clients, 20,000 sessions, the same shape.
2. Serves the app with gunicorn as in production (2 sync workers, DEBUG off, persistent
   database connections) plus the floor view (settings.BENCH_FLOOR: one session fetched
   by primary key, a few bytes, through the same middleware as every staff page).
3. For each page of issue 15, in each practice: requests alternate with floor requests
   (--samples pairs, at most --page-seconds per page, --timeout per request) and the
   page's p50 and p95 are compared with the floor's p95 from the same interleaving.
4. Query counts per page, counted in this process with Django's test client on the
   same database, in the small and the large practice: a page whose count differs does
   work that grows with the practice.
5. Worker RSS after the load (from /proc).

The last line is one JSON object: {"max_ratio", "worst_page", "bookings_per_s",
"worker_rss_mb"}; bookings_per_s is read from the JSON that scripts/bench_scheduling.py
leaves in var/ (null if it has not run). Figures only; nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_scheduling import (  # noqa: E402 - the same timetable and database set-up, one owner
    ZONE,
    pct,
    recreate_database,
    setup_django,
    timetable,
)

WEEK_SLOTS = 60  # 12 one-hour slots a day, Monday to Friday
COURSE_LENGTH = 10  # sessions per course, one a week at the same hour
EPOCH = WEEK_SLOTS * COURSE_LENGTH
COMPLAINTS = [
    "Low back pain",
    "Neck and shoulder tension",
    "Upper back pain",
    "Pain between the shoulder blades",
    "Stress and tension",
]
CHUNK = 50_000  # rows per COPY write
BOOKINGS_JSON = ROOT / "var" / "bench_scheduling.json"


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bc_bench")
    p.add_argument("--reuse", action="store_true", help="keep the seeded data if it is there")
    p.add_argument("--therapists", type=int, default=100)
    p.add_argument("--clients", type=int, default=50_000)
    p.add_argument("--sessions", type=int, default=1_000_000)
    p.add_argument("--small-therapists", type=int, default=5)
    p.add_argument("--small-clients", type=int, default=1_000)
    p.add_argument("--small-sessions", type=int, default=20_000)
    p.add_argument("--port", type=int, default=8160)
    p.add_argument("--workers", type=int, default=2)
    # 200: the p95 of 30 samples is their second-largest value, one stray pause on a
    # busy machine; every page is now fast enough for 200 pairs in a few seconds.
    p.add_argument("--samples", type=int, default=200, help="page/floor pairs per page")
    p.add_argument("--page-seconds", type=float, default=45, help="time budget per page")
    p.add_argument("--timeout", type=float, default=30, help="seconds per request")
    p.add_argument("--only", default="", help="page names to measure, separated by |")
    p.add_argument("--seed-only", action="store_true", help="seed, then stop")
    p.add_argument("--skip-worker", action="store_true", help="no db_worker memory check")
    p.add_argument(
        "--refresh-outcomes",
        action="store_true",
        help="with --reuse: recompute the stored course summaries and priors first",
    )
    return p.parse_args()


# --------------------------------------------------------------------------- database


def database_exists(url: str) -> bool:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        row = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [parts.path.lstrip("/")]
        ).fetchone()
    return row is not None


def is_seeded() -> bool:
    from django.db import connection

    from backcourse.practices.models import Practice

    if "practices_practice" not in connection.introspection.table_names():
        return False
    return (
        Practice.objects.filter(slug__in=["bench", "bench-small"], sessions__isnull=False)
        .values("slug")
        .distinct()
        .count()
        == 2
    )


# --------------------------------------------------------------------------- seeding


@dataclass
class Layout:
    """One therapist's timetable, shared by all therapists of a practice: slot i (oldest
    first) belongs to course `course[i]` (a local number) as its session `number[i]`."""

    starts: list[datetime]
    past: list[bool]
    course: list[int]
    number: list[int]
    courses: int
    course_first_day: list[date] = field(default_factory=list)
    course_done: list[bool] = field(default_factory=list)


def make_layout(per_therapist: int) -> Layout:
    today = datetime.now(ZONE).date()
    slots, _first_day = timetable(per_therapist, today)
    slots.sort()
    starts = [s for s, _p in slots]
    past = [bool(p) for _s, p in slots]
    course = [(i // EPOCH) * WEEK_SLOTS + i % WEEK_SLOTS for i in range(len(starts))]
    number = [(i % EPOCH) // WEEK_SLOTS + 1 for i in range(len(starts))]
    n = max(course) + 1
    first_day: list[date | None] = [None] * n
    done = [True] * n
    for i, c in enumerate(course):
        if first_day[c] is None:
            first_day[c] = starts[i].astimezone(ZONE).date()
        if not past[i]:
            done[c] = False
    return Layout(starts, past, course, number, n, first_day, done)  # type: ignore[arg-type]


def reserve_ids(cur, table: str, n: int) -> int:
    """The first of n fresh primary keys for `table` (its sequence moved past them)."""
    cur.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")
    first = cur.fetchone()[0]
    if n:
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [first + n - 1])
    return first


def other_required_columns(cur, table: str, columns: str) -> tuple[list[str], list[str]]:
    """NOT NULL columns without a database default that `columns` leaves out (added by
    later migrations, e.g. a blank CharField), with an empty value for each."""
    given = {c.strip() for c in columns.split(",")}
    cur.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_name = %s AND is_nullable = 'NO' AND column_default IS NULL "
        "AND is_identity = 'NO'",
        [table],
    )
    empty = {"boolean": "f", "text": "", "character varying": "", "jsonb": "{}"}
    names, values = [], []
    for name, kind in cur.fetchall():
        if name not in given:
            names.append(name)
            values.append(empty.get(kind, "0"))
    return names, values


def copy_rows(cur, table: str, columns: str, rows) -> int:
    """COPY tab-separated rows (tuples of str) into `table`; returns the row count."""
    count = 0
    extra_names, extra_values = other_required_columns(cur, table, columns)
    if extra_names:
        columns = ", ".join([columns, *extra_names])
    tail = "".join("\t" + v for v in extra_values)
    with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        buf: list[str] = []
        for row in rows:
            buf.append("\t".join(row) + tail)
            if len(buf) >= CHUNK:
                copy.write("\n".join(buf) + "\n")
                count += len(buf)
                buf = []
        if buf:
            copy.write("\n".join(buf) + "\n")
            count += len(buf)
    return count


def _pain(k: int, i: int) -> tuple[int, int, int, int]:
    """Pain and stress before/after session k of a course: tension that eases over the
    course with a little noise; deterministic so that --reuse needs no state."""
    noise = (i * 7919) % 3 - 1
    pain_before = max(0, min(10, round(7 - 4 * (1 - math.exp(-(k - 1) / 2.5)) + noise)))
    pain_after = max(0, pain_before - 1 - i % 2)
    stress_before = max(0, min(10, 6 - (k - 1) // 3 + noise))
    stress_after = max(0, stress_before - 2)
    return pain_before, pain_after, stress_before, stress_after


def seed_practice(
    *, slug: str, name: str, therapists: int, clients: int, sessions: int
) -> dict[str, float]:
    from django.db import connection, transaction

    from backcourse.accounts.models import User
    from backcourse.measures.models import MeasureDefinition
    from backcourse.practices.models import Practice, StaffMember
    from backcourse.scheduling.models import SessionType, WorkingHours

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    practice = Practice.objects.create(name=name, slug=slug, time_zone="Europe/Berlin")
    SessionType.objects.create(practice=practice, name="Massage 60", duration_minutes=60)
    users = User.objects.bulk_create(
        [
            User(username=f"{slug}-t{i:03d}", first_name="Therapist", last_name=f"{i:03d}")
            for i in range(therapists)
        ]
    )
    staff = StaffMember.objects.bulk_create(
        [
            StaffMember(user=u, practice=practice, display_name=f"Therapist {i:03d}")
            for i, u in enumerate(users)
        ]
    )
    WorkingHours.objects.bulk_create(
        [
            WorkingHours(therapist=s, weekday=wd, start_time=dtime(8), end_time=dtime(20))
            for s in staff
            for wd in range(5)
        ]
    )
    measures = dict(MeasureDefinition.objects.values_list("code", "id"))
    pain_id, stress_id = str(measures["pain"]), str(measures["stress"])

    per_client = clients // therapists
    layout = make_layout(sessions // therapists)
    now = datetime.now(UTC).isoformat()
    pid = str(practice.pk)
    n_sessions = len(layout.starts) * therapists
    n_held = sum(layout.past) * therapists

    with transaction.atomic(), connection.cursor() as django_cur:
        cur = django_cur.connection.cursor()  # psycopg 3
        # Bulk load: the rows are consistent by construction, so skip the per-row foreign
        # key triggers (the exclusion constraints and unique indexes still apply).
        cur.execute("SET LOCAL session_replication_role = replica")
        client_first = reserve_ids(cur, "clients_client", per_client * therapists)
        course_first = reserve_ids(cur, "courses_course", layout.courses * therapists)
        session_first = reserve_ids(cur, "scheduling_session", n_sessions)
        record_first = reserve_ids(cur, "records_sessionrecord", n_held)
        measurement_first = reserve_ids(cur, "records_measurement", 4 * n_held)

        t = time.perf_counter()
        copy_rows(
            cur,
            "clients_client",
            "id, practice_id, first_name, last_name, email, phone, notes, is_archived, created_at",
            (
                (
                    str(client_first + j),
                    pid,
                    f"Client{j % 97}",
                    f"{slug.title()}{j:06d}",
                    f"c{j}@{slug}.example.org",
                    f"+49 30 {j:07d}",
                    "",
                    "f",
                    now,
                )
                for j in range(per_client * therapists)
            ),
        )
        timings["clients"] = time.perf_counter() - t

        t = time.perf_counter()
        copy_rows(
            cur,
            "courses_course",
            "id, practice_id, client_id, therapist_id, complaint, goal_measure_id, goal_kind, "
            "goal_value, planned_sessions, intensive_interval_days, maintenance_interval_days, "
            "phase, status, started_on, notes, created_at",
            (
                (
                    str(course_first + ti * layout.courses + c),
                    pid,
                    str(client_first + ti * per_client + c % per_client),
                    str(s.pk),
                    COMPLAINTS[c % len(COMPLAINTS)],
                    pain_id,
                    "target",
                    "3.0",
                    str(COURSE_LENGTH),
                    "7",
                    "28",
                    "intensive",
                    "completed" if layout.course_done[c] else "active",
                    layout.course_first_day[c].isoformat(),
                    "",
                    now,
                )
                for ti, s in enumerate(staff)
                for c in range(layout.courses)
            ),
        )
        timings["courses"] = time.perf_counter() - t

        starts = [s.isoformat() for s in layout.starts]
        ends = [(s + timedelta(hours=1)).isoformat() for s in layout.starts]
        t = time.perf_counter()
        per = len(starts)
        copy_rows(
            cur,
            "scheduling_session",
            "id, practice_id, therapist_id, client_id, course_id, starts_at, duration_minutes, "
            "ends_at, status, buffer_minutes, created_at",
            (
                (
                    str(session_first + ti * per + i),
                    pid,
                    str(s.pk),
                    str(client_first + ti * per_client + layout.course[i] % per_client),
                    str(course_first + ti * layout.courses + layout.course[i]),
                    starts[i],
                    "60",
                    ends[i],
                    "completed" if layout.past[i] else "booked",
                    "0",
                    now,
                )
                for ti, s in enumerate(staff)
                for i in range(per)
            ),
        )
        timings["sessions"] = time.perf_counter() - t

        held = [i for i in range(per) if layout.past[i]]
        t = time.perf_counter()
        copy_rows(
            cur,
            "records_sessionrecord",
            "id, session_id, pressure, duration_minutes, subjective, objective, assessment, "
            "plan, version, created_at, updated_at",
            (
                (
                    str(record_first + ti * len(held) + h),
                    str(session_first + ti * per + i),
                    "2",
                    "55",
                    "",
                    "",
                    "",
                    "",
                    "1",
                    ends[i],
                    ends[i],
                )
                for ti in range(therapists)
                for h, i in enumerate(held)
            ),
        )
        timings["records"] = time.perf_counter() - t

        def measurement_rows():
            mid = measurement_first
            for ti in range(therapists):
                for h, i in enumerate(held):
                    record = str(record_first + ti * len(held) + h)
                    pb, pa, sb, sa = _pain(layout.number[i], ti * per + i)
                    for measure, moment, value in (
                        (pain_id, "before", pb),
                        (pain_id, "after", pa),
                        (stress_id, "before", sb),
                        (stress_id, "after", sa),
                    ):
                        yield (str(mid), record, measure, moment, f"{value}.0")
                        mid += 1

        t = time.perf_counter()
        n_measurements = copy_rows(
            cur,
            "records_measurement",
            "id, record_id, measure_id, moment, value",
            measurement_rows(),
        )
        timings["measurements"] = time.perf_counter() - t
        cur.execute("SET LOCAL session_replication_role = origin")

    # The client whose pages are measured: one of therapist 0's, in a running course
    # with sessions already held, signed in to the client pages.
    from backcourse.clients.models import Client

    course_local = next(
        c
        for c in range(layout.courses)
        if not layout.course_done[c]
        and sum(1 for i in range(per) if layout.course[i] == c and layout.past[i]) >= 3
    )
    client = Client.objects.get(pk=client_first + course_local % per_client)
    client.user = User.objects.create(username=f"{slug}-client", first_name=client.first_name)
    client.save(update_fields=["user"])
    timings["total"] = time.perf_counter() - t0
    print(
        f"seeded {name}: {therapists} therapists, {per_client * therapists:,} clients, "
        f"{layout.courses * therapists:,} courses, {n_sessions:,} sessions, {n_held:,} records, "
        f"{n_measurements:,} measurements in {timings['total']:.0f} s ("
        + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items() if k != "total")
        + ")",
        flush=True,
    )
    return timings


def seed(args) -> None:
    from django.core.management import call_command
    from django.db import connection

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.perf_counter() - t0:.0f} s", flush=True)
    seed_practice(
        slug="bench",
        name="Bench Studio",
        therapists=args.therapists,
        clients=args.clients,
        sessions=args.sessions,
    )
    seed_practice(
        slug="bench-small",
        name="Small Studio",
        therapists=args.small_therapists,
        clients=args.small_clients,
        sessions=args.small_sessions,
    )
    t = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    print(f"vacuum analyze: {time.perf_counter() - t:.0f} s", flush=True)
    refresh_outcomes()
    print(f"seeding took {time.perf_counter() - t0:.0f} s in all", flush=True)


def refresh_outcomes() -> None:
    """The stored course summaries and practice priors, as the task that runs when a
    course completes would have left them (COPY bypasses it)."""
    from django.core.management import call_command, get_commands

    if "outcomes_refresh" not in get_commands():
        return
    t = time.perf_counter()
    call_command("outcomes_refresh")
    print(f"outcomes_refresh: {time.perf_counter() - t:.0f} s", flush=True)


# --------------------------------------------------------------------------- pages


@dataclass
class Page:
    name: str
    url: str
    who: str  # "staff", "client" or "public"


@dataclass
class Scale:
    slug: str
    label: str
    pages: list[Page]
    floor_url: str
    staff_user: object
    client_user: object
    cookies: dict[str, str] = field(default_factory=dict)


def last_full_weekday(today: date) -> date:
    day = today - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def build_scale(slug: str, label: str) -> Scale:
    from django.db.models import Count, Q

    from backcourse.accounts.models import User
    from backcourse.courses.models import Course
    from backcourse.practices.models import Practice, StaffMember
    from backcourse.scheduling.models import Session, SessionType

    practice = Practice.objects.get(slug=slug)
    staff = StaffMember.objects.select_related("user").get(user__username=f"{slug}-t000")
    client_user = User.objects.get(username=f"{slug}-client")
    client = client_user.client
    course = (
        Course.objects.filter(client=client, status=Course.Status.ACTIVE)
        .annotate(held=Count("sessions", filter=Q(sessions__status="completed")))
        .filter(held__gte=3)
        .first()
    )
    kind = SessionType.objects.get(practice=practice)
    today = datetime.now(ZONE).date()
    day = last_full_weekday(today)
    monday = day - timedelta(days=day.weekday())
    floor_session = Session.objects.filter(therapist=staff).order_by("-id").values("id")[0]["id"]
    pages = [
        Page("course page with the effect panel", f"/courses/{course.pk}/", "staff"),
        Page("client page (active course)", f"/clients/{client.pk}/", "staff"),
        Page("/outcomes/", "/outcomes/", "staff"),
        Page("day view, all therapists", f"/today/?date={day}&therapist=all", "staff"),
        Page("/clients/", "/clients/", "staff"),
        Page(
            "/api/v1/sessions (one week)",
            f"/api/v1/sessions?from={monday}&to={monday + timedelta(days=6)}",
            "staff",
        ),
        Page("week view", f"/week/?start={monday}", "staff"),
        Page("week view, all therapists", f"/week/?start={monday}&therapist=all", "staff"),
        Page("day view, own", f"/today/?date={day}", "staff"),
        Page(
            "availability, one therapist",
            f"/book/{slug}/?type={kind.pk}&therapist={staff.pk}",
            "public",
        ),
        Page(
            "availability, any therapist", f"/book/{slug}/?type={kind.pk}&therapist=any", "public"
        ),
        Page("booking start", f"/book/{slug}/", "public"),
        Page("/api/v1/clients", "/api/v1/clients", "staff"),
        Page("client's home (/me/)", "/me/", "client"),
        Page("client's course (/me/courses/)", f"/me/courses/{course.pk}/", "client"),
    ]
    return Scale(
        slug=slug,
        label=label,
        pages=pages,
        floor_url=f"/bench/floor/{floor_session}/",
        staff_user=staff.user,
        client_user=client_user,
    )


def session_cookie(user) -> str:
    from django.conf import settings
    from django.test import Client as TestClient

    tc = TestClient()
    tc.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return f"{settings.SESSION_COOKIE_NAME}={tc.cookies[settings.SESSION_COOKIE_NAME].value}"


# --------------------------------------------------------------------------- serving


def start_server(args) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DEBUG": "0",
        "BACKCOURSE_BENCH_FLOOR": "1",
        "DB_CONN_MAX_AGE": "60",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "ERROR",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    cmd = [
        str(gunicorn),
        "backcourse.wsgi:application",
        "--workers",
        str(args.workers),
        "--bind",
        f"127.0.0.1:{args.port}",
        "--timeout",
        str(int(args.timeout) + 15),
        "--log-level",
        "warning",
    ]
    # As in production: static files collected for whitenoise before the server starts.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    print("server: " + " ".join(cmd[1:]), flush=True)
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _body, _ms = fetch(args.port, "/accounts/login/", "", 5)
            if status == 200:
                return proc
        except OSError:
            time.sleep(0.3)
    stop_server(proc)
    sys.exit("gunicorn did not start within 60 s")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def worker_pids(master_pid: int) -> list[int]:
    """The gunicorn workers: children of the master."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(master_pid):
            out.append(int(entry.name))
    return out


def worker_rss_mb(master_pid: int) -> list[float]:
    """RSS of each gunicorn worker, in MB."""
    return sorted(process_memory_mb(pid)[0] for pid in worker_pids(master_pid))


def process_memory_mb(pid: int) -> tuple[float, float]:
    """(RSS, PSS) of one process in MB; PSS shares pages common to several processes."""
    rss = pss = 0.0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1]) / 1024
            elif line.startswith("Pss:"):
                pss = int(line.split()[1]) / 1024
    except OSError:
        pass
    return rss, pss


def worker_memory(args) -> tuple[float, int]:
    """Run `manage.py db_worker`, queue one reminder scan over 500 due reminders, and
    return the worker's RSS (MB) once the scan is done, with the reminders it sent.

    The reminder window of both practices is widened to a week for the scan (so that
    enough booked sessions are due whatever the weekday), emails go to files in a
    temporary folder, and everything the scan wrote is removed afterwards."""
    import tempfile

    from django.db import connection

    from backcourse.notifications.models import Notification
    from backcourse.notifications.tasks import reminders_send_due
    from backcourse.practices.models import Practice

    practices = Practice.objects.filter(slug__in=["bench", "bench-small"])
    hours_before = dict(practices.values_list("pk", "reminder_hours_before"))
    Notification.objects.filter(practice__in=practices).delete()
    practices.update(reminder_hours_before=168)
    connection.close()
    with tempfile.TemporaryDirectory(prefix="bench-mail-") as mail_dir:
        env = {
            **os.environ,
            "DATABASE_URL": args.database_url,
            "DEBUG": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": mail_dir,
            "REMINDER_SCAN_LIMIT": "500",
            "LOG_LEVEL": "ERROR",
        }
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.5"],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        try:
            result = reminders_send_due.enqueue()
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline:
                result.refresh()
                if result.is_finished:
                    break
                time.sleep(1)
            time.sleep(1)
            rss, _pss = process_memory_mb(worker.pid)
        finally:
            stop_server(worker)
    sent = Notification.objects.filter(
        practice__in=practices, status=Notification.Status.SENT
    ).count()
    Notification.objects.filter(practice__in=practices).delete()
    for pk, hours in hours_before.items():
        Practice.objects.filter(pk=pk).update(reminder_hours_before=hours)
    print(
        f"  db_worker RSS after a scan that sent {sent} reminders: {rss:.0f} MB "
        f"(task {result.status})",
        flush=True,
    )
    return rss, sent


def fetch(port: int, url: str, cookie: str, timeout: float) -> tuple[int, int, float]:
    """(status, body bytes, milliseconds) of one GET on a fresh connection."""
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Host": "127.0.0.1"}
        if cookie:
            headers["Cookie"] = cookie
        conn.request("GET", url, headers=headers)
        response = conn.getresponse()
        body = response.read()
        return response.status, len(body), (time.perf_counter() - t0) * 1000
    finally:
        conn.close()


@dataclass
class Result:
    page: Page
    status: int = 0
    size: int = 0
    times: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    error: str = ""
    queries: int | None = None

    @property
    def p50(self) -> float:
        return pct(self.times, 0.5) if self.times else math.nan

    @property
    def p95(self) -> float:
        return pct(self.times, 0.95) if self.times else math.nan

    @property
    def floor_p95(self) -> float:
        return pct(self.floor, 0.95) if self.floor else math.nan

    @property
    def ratio(self) -> float:
        if self.error or not self.times:
            return math.inf
        return self.p95 / self.floor_p95


def measure_page(args, scale: Scale, page: Page) -> Result:
    cookie = scale.cookies.get(page.who, "")
    floor_cookie = scale.cookies["staff"]
    result = Result(page)
    # Warm up both workers (imports, templates, connections); not counted.
    for _ in range(2):
        try:
            status, size, ms = fetch(args.port, page.url, cookie, args.timeout)
        except (OSError, http.client.HTTPException) as exc:
            result.error = f"{type(exc).__name__} after {args.timeout:.0f} s"
            return result
        if status != 200:
            result.error = f"HTTP {status}"
            return result
        result.status, result.size = status, size
        if ms > 1000 * args.page_seconds / 3:
            break  # a slow page: keep its budget for measuring
        fetch(args.port, scale.floor_url, floor_cookie, args.timeout)
    started = time.monotonic()
    for n in range(args.samples):
        order = [(scale.floor_url, floor_cookie, result.floor), (page.url, cookie, result.times)]
        if n % 2:
            order.reverse()
        for url, ck, bucket in order:
            try:
                status, _size, ms = fetch(args.port, url, ck, args.timeout)
            except (OSError, http.client.HTTPException) as exc:
                result.error = f"{type(exc).__name__} after {args.timeout:.0f} s"
                return result
            if status != 200:
                result.error = f"HTTP {status} on {url}"
                return result
            bucket.append(ms)
        if time.monotonic() - started > args.page_seconds and n >= 4:
            break
    return result


def count_queries(scale: Scale, results: dict[str, Result]) -> None:
    """Queries per page in this process (Django's test client, same database)."""
    from django.db import connection
    from django.test import Client as TestClient
    from django.test.utils import CaptureQueriesContext

    clients = {"public": TestClient()}
    for who, user in (("staff", scale.staff_user), ("client", scale.client_user)):
        tc = TestClient()
        tc.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        clients[who] = tc
    for page in scale.pages:
        result = results.get(page.name)
        if result is None or result.error:
            continue  # a page that timed out over HTTP would take as long here
        tc = clients[page.who]
        tc.get(page.url)  # first call fills per-process caches (content types, …)
        with CaptureQueriesContext(connection) as captured:
            response = tc.get(page.url)
        if response.status_code == 200:
            result.queries = len(captured.captured_queries)


def run_scale(args, scale: Scale) -> dict[str, Result]:
    wanted = {n.strip() for n in args.only.split("|") if n.strip()}
    results = {}
    print(f"\n{scale.label}", flush=True)
    for page in scale.pages:
        if wanted and page.name not in wanted:
            continue
        r = measure_page(args, scale, page)
        results[page.name] = r
        if r.error:
            print(f"  {page.name:<36} {r.error}", flush=True)
        else:
            print(
                f"  {page.name:<36} p50 {r.p50:8.1f} ms  p95 {r.p95:8.1f} ms  "
                f"floor p95 {r.floor_p95:6.1f} ms  ratio {r.ratio:6.2f}  "
                f"{r.size / 1024:6.0f} KB  n={len(r.times)}",
                flush=True,
            )
    return results


def print_table(small: dict[str, Result], large: dict[str, Result], pages: list[Page]) -> None:
    print(
        "\nSUMMARY: p95 against the floor's p95 (interleaved), queries in the small / large practice"
    )
    print(
        f"  {'page':<36} {'p50 ms':>8} {'p95 ms':>8} {'floor':>7} {'ratio':>6}  "
        f"{'small':>6} {'queries':>7} {'small p95':>9}"
    )
    for page in pages:
        big = large.get(page.name)
        if big is None:
            continue
        little = small.get(page.name)
        q_small = little.queries if little and little.queries is not None else "—"
        q_large = big.queries if big.queries is not None else "—"
        grows = ""
        if isinstance(q_small, int) and isinstance(q_large, int) and q_small != q_large:
            grows = "  ← query count differs"
        small_p95 = f"{little.p95:9.1f}" if little and not little.error else f"{'—':>9}"
        if big.error:
            print(f"  {page.name:<36} {big.error:<33}  {q_small!s:>6} {q_large!s:>7} {small_p95}")
        else:
            print(
                f"  {page.name:<36} {big.p50:8.1f} {big.p95:8.1f} {big.floor_p95:7.1f} "
                f"{big.ratio:6.2f}  {q_small!s:>6} {q_large!s:>7} {small_p95}{grows}"
            )


def main() -> None:
    args = parse_args()
    fresh = not (args.reuse and database_exists(args.database_url))
    if fresh:
        recreate_database(args.database_url)
    setup_django(args.database_url)
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("this benchmark needs PostgreSQL (--database-url postgres://...)")
    if fresh or not is_seeded():
        if not fresh:
            connection.close()
            recreate_database(args.database_url)
        seed(args)
    else:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        print("reusing the seeded database", flush=True)
        if args.refresh_outcomes:
            refresh_outcomes()
    if args.seed_only:
        return
    with connection.cursor() as cur:
        cur.execute(
            "SELECT (SELECT count(*) FROM clients_client), (SELECT count(*) FROM scheduling_session),"
            " (SELECT count(*) FROM records_sessionrecord), (SELECT count(*) FROM records_measurement),"
            " (SELECT count(*) FROM courses_course)"
        )
        c, s, r, m, k = cur.fetchone()
    print(
        f"database {urlsplit(args.database_url).path.lstrip('/')}: {c:,} clients, {s:,} sessions, "
        f"{r:,} records, {m:,} measurements, {k:,} courses (both practices); {os.cpu_count()} CPUs"
    )

    scales = [build_scale("bench-small", "small practice"), build_scale("bench", "large practice")]
    for scale in scales:
        scale.cookies = {
            "staff": session_cookie(scale.staff_user),
            "client": session_cookie(scale.client_user),
            "public": "",
        }
    connection.close()
    server = start_server(args)
    try:
        small = run_scale(args, scales[0])
        large = run_scale(args, scales[1])
        floor_all = [t for r in large.values() for t in r.floor]
        rss = worker_rss_mb(server.pid)
        pss = [process_memory_mb(pid)[1] for pid in worker_pids(server.pid)]
    finally:
        stop_server(server)
    count_queries(scales[0], small)
    count_queries(scales[1], large)
    print_table(small, large, scales[1].pages)
    if floor_all:
        print(
            f"  floor view (large practice, all interleaved samples): p50 {pct(floor_all, 0.5):.1f} ms, "
            f"p95 {pct(floor_all, 0.95):.1f} ms, n={len(floor_all)}"
        )
    print(
        f"  gunicorn worker RSS after the load: {', '.join(f'{x:.0f} MB' for x in rss)} "
        f"(PSS {', '.join(f'{x:.0f} MB' for x in sorted(pss))})"
    )
    worker_rss, _sent = worker_memory(args) if not args.skip_worker else (None, 0)
    bookings = None
    if BOOKINGS_JSON.exists():
        bookings = json.loads(BOOKINGS_JSON.read_text()).get("bookings_per_s")
        print(f"  bookings/s from {BOOKINGS_JSON.relative_to(ROOT)}: {bookings}")
    worst = max(large.values(), key=lambda r: r.ratio, default=None)
    max_ratio = worst.ratio if worst else None
    print(
        json.dumps(
            {
                "max_ratio": None
                if max_ratio is None or math.isinf(max_ratio)
                else round(max_ratio, 2),
                "worst_page": worst.page.name if worst else None,
                "bookings_per_s": bookings,
                "worker_rss_mb": round(max(rss), 1) if rss else None,
                "db_worker_rss_mb": None if worker_rss is None else round(worker_rss, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
