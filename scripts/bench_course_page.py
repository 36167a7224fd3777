#!/usr/bin/env python
"""Course page, client page and /outcomes/ with 50 and with 50,000 completed courses.

    .venv/bin/python scripts/bench_course_page.py \
        [--database-url postgres://postgres@127.0.0.1:5432/bc_i14p] [--large 50000]

Re-creates the database, then builds one practice with one active course of 8 measured
sessions (the page under test) and adds completed courses of 6 measured sessions each
(pain before/after, about 12 rows per course) with SQL `INSERT … SELECT`, first 50, then
up to `--large`. After each step it runs what a course completion runs in the worker
(`outcomes_refresh`: course summaries and practice priors; its time is printed) and
then requests each page in-process (Django test client, DEBUG off) `--repeats` times,
printing the median and p90 time and the number of queries.

The page time must not grow with the number of completed courses: the practice prior is
read from its stored row, the outcomes page aggregates stored course summaries in SQL.
Figures only; nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import secrets
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

THERAPISTS = 100
SESSIONS_PER_COURSE = 6


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bc_i14p")
    p.add_argument("--small", type=int, default=50)
    p.add_argument("--large", type=int, default=50_000)
    p.add_argument("--repeats", type=int, default=30)
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
    os.environ["AXES_ENABLED"] = "0"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))  # DEBUG off needs one
    import django

    django.setup()


def seed_base(slug: str):
    """A practice, 100 therapists and the active course whose pages are measured."""
    from decimal import Decimal

    from backcourse.accounts.models import User
    from backcourse.clients.models import Client
    from backcourse.courses.models import Course
    from backcourse.measures.models import MeasureDefinition
    from backcourse.practices.models import Practice, StaffMember
    from backcourse.records.models import Measurement, SessionRecord
    from backcourse.scheduling.models import Session

    practice = Practice.objects.create(name=f"Bench {slug}", slug=slug, time_zone="Europe/Berlin")
    users = User.objects.bulk_create(
        [
            User(username=f"{slug}-t{i:03d}", first_name="T", last_name=f"{i:03d}")
            for i in range(THERAPISTS)
        ]
    )
    staff = StaffMember.objects.bulk_create(
        [StaffMember(user=u, practice=practice, display_name=u.username) for u in users]
    )
    me = staff[0]
    client = Client.objects.create(practice=practice, first_name="Clara", last_name="Adler")
    pain = MeasureDefinition.objects.get(code="pain")
    start = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(
        days=60
    )
    course = Course.objects.create(
        practice=practice,
        client=client,
        therapist=me,
        complaint="Low back pain",
        goal_measure=pain,
        goal_value=Decimal(3),
        planned_sessions=10,
        started_on=start.date(),
    )
    for k, (b, a) in enumerate([(8, 5), (7, 4), (7, 4), (6, 3), (5, 3), (5, 2), (4, 2), (4, 2)]):
        s = Session.objects.create(
            practice=practice,
            therapist=me,
            client=client,
            course=course,
            starts_at=start + timedelta(days=7 * k, hours=12),  # apart from the bench hours
            ends_at=start + timedelta(days=7 * k, hours=13),
            status=Session.Status.COMPLETED,
        )
        r = SessionRecord.objects.create(session=s)
        Measurement.objects.create(record=r, measure=pain, moment="before", value=b)
        Measurement.objects.create(record=r, measure=pain, moment="after", value=a)
    return practice, me, client, course


def add_completed_courses(practice, first_index: int, count: int) -> None:
    """`count` completed courses (indexes first_index..), one client each, 6 weekly
    sessions with pain before/after on an exponential course with noise (SQL and COPY)."""
    from django.db import connection

    from backcourse.measures.models import MeasureDefinition

    pain = MeasureDefinition.objects.get(code="pain").pk
    therapist_ids = list(
        practice.staff.order_by("pk").values_list("pk", flat=True)
    )  # related_name of StaffMember.practice
    t0_id = therapist_ids[0]
    lo, hi = first_index, first_index + count - 1
    assert first_index == 0, "one batch per practice"
    with connection.cursor() as cur:
        t = time.perf_counter()
        # One client per course; the course keeps its index in `notes` for the timetable.
        cur.execute(
            """
            WITH c AS (
                INSERT INTO clients_client (practice_id, first_name, last_name, email, phone,
                    notes, is_archived, created_at)
                SELECT %(p)s, 'C', 'bench-' || i, '', '', '', false, now()
                FROM generate_series(%(lo)s, %(hi)s) i
                RETURNING id, substr(last_name, 7)::int AS i
            )
            INSERT INTO courses_course (practice_id, client_id, therapist_id, complaint,
                goal_measure_id, goal_kind, goal_value, planned_sessions,
                intensive_interval_days, maintenance_interval_days, phase, status,
                started_on, notes, created_at)
            SELECT %(p)s, c.id, %(t0)s + (i %% %(nt)s),
                (ARRAY['Low back pain', 'Neck tension', 'Shoulder stiffness',
                       'Tension headache'])[1 + i %% 4],
                %(pain)s, 'target', 3, 6, 7, 28, 'maintenance', 'completed',
                (now() - ((2200 - (i / %(nt)s / 10) * 42) || ' days')::interval)::date,
                'bench ' || i, now()
            FROM c
            """,
            {"p": practice.pk, "t0": t0_id, "nt": THERAPISTS, "pain": pain, "lo": lo, "hi": hi},
        )
        # Sessions by COPY: course i with therapist
        # i % 100 at hour 8 + (i / 100) % 10 (UTC), in blocks of 42 days, so no therapist
        # has two sessions at once.  Pain: start 5-9, halving over the course, noise +-1;
        # after = before - 2.
        cur.execute(
            "SELECT id, substr(notes, 7)::int, therapist_id, client_id FROM courses_course "
            "WHERE practice_id = %s AND notes LIKE 'bench %%' ORDER BY id",
            [practice.pk],
        )
        courses = cur.fetchall()
        today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        now = datetime.now(UTC)
        rng = random.Random(first_index)
        raw = cur.connection
        cols = (
            "practice_id, therapist_id, client_id, course_id, starts_at, duration_minutes, "
            "ends_at, status, buffer_minutes, created_at, overrides"
        )
        # The no-overlap exclusion constraints are dropped for the COPY and re-created
        # after it, which checks every row at once: row-by-row gist checks on a busy,
        # shared PostgreSQL took from 1.5 to over 20 minutes for 300,000 rows.
        cur.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'scheduling_session'::regclass AND contype = 'x'"
        )
        exclusions = cur.fetchall()
        for name, _definition in exclusions:
            cur.execute(f'ALTER TABLE scheduling_session DROP CONSTRAINT "{name}"')
        with raw.cursor().copy(f"COPY scheduling_session ({cols}) FROM STDIN") as copy:
            for course_id, i, therapist_id, client_id in courses:
                for k in range(SESSIONS_PER_COURSE):
                    start = today - timedelta(
                        days=2200 - (i // THERAPISTS // 10) * 42 - 7 * k,
                        hours=-(8 + (i // THERAPISTS) % 10),
                    )
                    copy.write_row(
                        (
                            practice.pk,
                            therapist_id,
                            client_id,
                            course_id,
                            start,
                            60,
                            start + timedelta(hours=1),
                            "completed",
                            0,
                            now,
                            "",
                        )
                    )
        for name, definition in exclusions:
            cur.execute(f'ALTER TABLE scheduling_session ADD CONSTRAINT "{name}" {definition}')
        print(f"  clients, courses, sessions: {time.perf_counter() - t:.1f} s")
        cur.execute(
            "SELECT s.id FROM scheduling_session s JOIN courses_course c ON c.id = s.course_id "
            "WHERE s.practice_id = %s AND c.notes LIKE 'bench %%' ORDER BY s.id",
            [practice.pk],
        )
        session_ids = [r[0] for r in cur.fetchall()]
        cols = (
            "session_id, subjective, objective, assessment, plan, version, created_at, updated_at"
        )
        with raw.cursor().copy(f"COPY records_sessionrecord ({cols}) FROM STDIN") as copy:
            for sid in session_ids:
                copy.write_row((sid, "", "", "", "", 1, now, now))
        cur.execute(
            "SELECT r.id, s.course_id FROM records_sessionrecord r "
            "JOIN scheduling_session s ON s.id = r.session_id "
            "JOIN courses_course c ON c.id = s.course_id "
            "WHERE s.practice_id = %s AND c.notes LIKE 'bench %%' "
            "ORDER BY s.course_id, s.starts_at",
            [practice.pk],
        )
        records = cur.fetchall()
        cols = "record_id, measure_id, moment, value"
        with raw.cursor().copy(f"COPY records_measurement ({cols}) FROM STDIN") as copy:
            k, last_course = 0, None
            for record_id, course_id in records:
                k = k + 1 if course_id == last_course else 0
                last_course = course_id
                start = 5 + course_id % 5
                before = round(start * (0.5 + 0.5 * math.exp(-0.4 * k)) + rng.uniform(-1, 1))
                before = min(max(before, 0), 10)
                copy.write_row((record_id, pain, "before", before))
                copy.write_row((record_id, pain, "after", max(before - 2, 0)))
        cur.execute("ANALYZE")


def measure_pages(sites: dict, repeats: int) -> dict:
    """sites: size -> (staff, {page name: url}). Requests alternate between the sizes, so
    the machine's load falls on both alike. Returns size -> page -> (median, p90, queries)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    browsers, queries, times = {}, {}, {}
    for size, (staff, urls) in sites.items():
        browsers[size] = Client()
        browsers[size].force_login(staff.user)
        for name, url in urls.items():
            response = browsers[size].get(url)  # warm-up (templates, connection)
            assert response.status_code == 200, (size, name, response.status_code)
            with CaptureQueriesContext(connection) as ctx:
                browsers[size].get(url)
            queries[size, name] = len(ctx.captured_queries)
            times[size, name] = []
    for _ in range(repeats):
        for size, (_staff, urls) in sites.items():
            for name, url in urls.items():
                t0 = time.perf_counter()
                browsers[size].get(url)
                times[size, name].append(time.perf_counter() - t0)
    out: dict = {}
    for (size, name), ts in times.items():
        ts.sort()
        out.setdefault(size, {})[name] = (
            1000 * statistics.median(ts),
            1000 * ts[int(0.9 * (len(ts) - 1))],
            queries[size, name],
        )
    return out


def main() -> None:
    args = parse_args()
    recreate_database(args.database_url)
    setup_django(args.database_url)
    from django.core.management import call_command
    from django.urls import reverse

    from backcourse.courses.models import Course
    from backcourse.outcomes.services import course_outcomes_refresh, practice_outcomes_refresh

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.perf_counter() - t0:.1f} s")
    sites = {}
    for size in (args.small, args.large):
        practice, me, client, course = seed_base(f"bench{size}")
        t0 = time.perf_counter()
        add_completed_courses(practice, 0, size)
        seeded = time.perf_counter() - t0
        t0 = time.perf_counter()
        stored = practice_outcomes_refresh(practice=practice)
        refresh = time.perf_counter() - t0
        one = Course.objects.filter(practice=practice, status="completed").order_by("-id").first()
        t0 = time.perf_counter()
        course_outcomes_refresh(course_id=one.pk)
        task = time.perf_counter() - t0
        n = Course.objects.filter(practice=practice, status="completed").count()
        print(
            f"practice with {n:,} completed courses: seeded in {seeded:.1f} s; "
            f"outcomes_refresh (the task's work) {refresh:.1f} s, {stored['summaries']:,} "
            f"summaries, priors for {stored['priors']} measures; one course completing "
            f"(the task) {task:.1f} s"
        )
        sites[n] = (
            me,
            {
                "course page": reverse("courses:detail", args=[course.pk]),
                "client page": reverse("clients:detail", args=[client.pk]),
                "course effect page": reverse("outcomes:course", args=[course.pk]),
                "/outcomes/": reverse("outcomes:practice"),
            },
        )
    urls = next(iter(sites.values()))[1]
    results = measure_pages(sites, args.repeats)
    print()
    sizes = list(results)
    header = f"{'page':<20}" + "".join(f"{f'{n:,} courses':>34}" for n in sizes)
    print(header)
    print(f"{'':<20}" + "".join(f"{'median / p90 ms · queries':>34}" for _ in sizes))
    for name in urls:
        cells = "".join(
            f"{f'{results[n][name][0]:.1f} / {results[n][name][1]:.1f} · {results[n][name][2]}':>34}"
            for n in sizes
        )
        print(f"{name:<20}{cells}")


if __name__ == "__main__":
    main()
