"""No double booking under concurrent requests, at a live server.

200 clients confirm their emailed links at once; their bookings conflict in groups of 50
on 4 slots of one therapist. Exactly one wins per slot; every other request gets HTTP 409
with a "slot taken" message; no request fails with a server error.

The server processes at most `WORKERS` requests at a time (like an app server with that
many workers), all 200 being in flight at once: the PostgreSQL server here allows 100
connections in total, shared with other test runs, and one request holds one.

PostgreSQL only: on SQLite pytest-django's test database lives in memory and the live
server shares one connection between its threads, so requests cannot overlap there; the
SQLite guard (IMMEDIATE transactions + triggers) is tested in test_booking.py.
"""

import json
import threading
import time as time_module
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, time, timedelta

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection
from django.test.testcases import LiveServerThread, _StaticFilesHandler
from django.urls import reverse

from backcourse.booking import pending as public_booking
from backcourse.scheduling import services
from backcourse.scheduling.models import PendingBooking, Session, SessionType, WorkingHours

REQUESTS = 200
SLOTS = 4
WORKERS = 24
CSRF = "concurrencytestcsrfsecret0123456"  # 32 characters: a valid unmasked secret


class BoundedThreadedWSGIServer(ThreadedWSGIServer):
    """Accepts every connection at once, runs at most WORKERS requests concurrently."""

    gate = threading.BoundedSemaphore(WORKERS)
    request_queue_size = 512

    def process_request_thread(self, request, client_address):
        with self.gate:
            super().process_request_thread(request, client_address)


class BoundedLiveServerThread(LiveServerThread):
    server_class = BoundedThreadedWSGIServer


@pytest.fixture
def bounded_live_server(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://…)")
    thread = BoundedLiveServerThread("127.0.0.1", _StaticFilesHandler)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()


def post(url: str) -> tuple[int, dict]:
    req = urllib.request.Request(
        url,
        data=b"",
        method="POST",
        headers={
            "Accept": "application/json",
            "Cookie": f"csrftoken={CSRF}",
            "X-CSRFToken": CSRF,
        },
    )
    try:
        with urllib.request.urlopen(req, timeout=120) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        body = exc.read()
        try:
            return exc.code, json.loads(body)
        except ValueError:
            return exc.code, {"raw": body[:200].decode(errors="replace")}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("service_check", [True, False], ids=["service+db", "db-only"])
def test_200_concurrent_conflicting_bookings_one_wins_per_slot(
    bounded_live_server, practice_a, therapist_a, monkeypatch, service_check
):
    """With `db-only` the service's own overlap check is switched off (the live server
    runs in this process), so only the exclusion constraint stands between the requests."""
    if not service_check:
        monkeypatch.setattr(services.selectors, "slot_problems", lambda **kw: [])
    for wd in range(7):
        WorkingHours.objects.create(
            therapist=therapist_a, weekday=wd, start_time=time(8), end_time=time(18)
        )
    kind = SessionType.objects.create(practice=practice_a, name="Back", duration_minutes=60)
    day = (datetime.now(UTC) + timedelta(days=3)).astimezone(practice_a.zone).date()
    slots = [
        datetime.combine(day, time(9 + 2 * i), tzinfo=practice_a.zone).astimezone(UTC)
        for i in range(SLOTS)
    ]
    pendings = PendingBooking.objects.bulk_create(
        PendingBooking(
            practice=practice_a,
            session_type=kind,
            therapist=therapist_a,
            starts_at=slots[n % SLOTS],
            first_name="Client",
            last_name=str(n),
            email=f"client{n}@example.org",
        )
        for n in range(REQUESTS)
    )
    urls = [
        bounded_live_server
        + reverse(
            "booking:confirm",
            kwargs={"slug": practice_a.slug, "token": public_booking.confirm_token(p)},
        )
        for p in pendings
    ]
    start = threading.Barrier(REQUESTS)

    def fire(url):
        start.wait()
        return post(url)

    began = time_module.perf_counter()
    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        results = list(pool.map(fire, urls))
    elapsed = time_module.perf_counter() - began

    statuses = Counter(status for status, _ in results)
    print(
        f"\nconcurrency ({'service+db' if service_check else 'db-only'}): {REQUESTS} requests on {SLOTS} slots → {dict(statuses)} in {elapsed:.2f} s"
    )
    assert not [r for r in results if r[0] >= 500], results
    assert statuses == {201: SLOTS, 409: REQUESTS - SLOTS}
    losers = [body for status, body in results if status == 409]
    assert all(b["error"] == "slot_taken" and "already taken" in b["message"] for b in losers)
    # The database agrees: one session per slot, nothing else saved.
    booked = Session.objects.filter(therapist=therapist_a).exclude(status="cancelled")
    assert sorted(booked.values_list("starts_at", flat=True)) == slots
    assert PendingBooking.objects.filter(confirmed_at__isnull=False).count() == SLOTS
    assert practice_a.clients.count() == SLOTS


# --- SQLite: the same storm at a real server process on a SQLite file ------------------

SQLITE_SETUP = """
import json
from datetime import UTC, datetime, time, timedelta
from backcourse.accounts.models import User
from backcourse.practices.models import Practice, StaffMember
from backcourse.scheduling import errors, series, services
from backcourse.booking import pending as public_booking
from backcourse.scheduling.errors import SchedulingError
from backcourse.scheduling.models import PendingBooking, SessionType, WorkingHours
p = Practice.objects.create(name="Storm", slug="storm")
t = StaffMember.objects.create(practice=p, user=User.objects.create(username="t"))
for wd in range(7):
    WorkingHours.objects.create(therapist=t, weekday=wd, start_time=time(8), end_time=time(18))
kind = SessionType.objects.create(practice=p, name="Back", duration_minutes=60)
day = (datetime.now(UTC) + timedelta(days=3)).astimezone(p.zone).date()
slots = [datetime.combine(day, time(9 + 2 * i), tzinfo=p.zone).astimezone(UTC) for i in range(%(slots)d)]
tokens = []
for n in range(%(requests)d):
    pb = PendingBooking.objects.create(practice=p, session_type=kind, therapist=t,
        starts_at=slots[n %% len(slots)], first_name="C", last_name=str(n), email=f"c{n}@example.org")
    tokens.append(public_booking.confirm_token(pb))
print(json.dumps(tokens))
"""


# runserver listens with a backlog of 10; a production server has a larger one.
SQLITE_SERVER = """
import sys
import django
django.setup()
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.core.wsgi import get_wsgi_application

class Server(ThreadedWSGIServer):
    request_queue_size = 512

httpd = Server(("127.0.0.1", int(sys.argv[1])), WSGIRequestHandler)
httpd.set_app(get_wsgi_application())
httpd.serve_forever()
"""


READY_WITHIN_S = 180  # a loaded 2-core machine may take long to import Django and numpy


def wait_until_serving(url: str, server, log_path, within_s: float = READY_WITHIN_S) -> None:
    """Poll `url` until the server process answers, with bounded retries on any connection
    error (refused, reset, timed out, a half-written response). Fails with the server's
    own output if it exits or does not answer in time."""
    import http.client

    deadline = time_module.monotonic() + within_s
    last_error: BaseException | None = None
    while time_module.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(
                f"the server process exited with {server.returncode} before serving:\n"
                + log_path.read_text(errors="replace")[-4000:]
            )
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except urllib.error.HTTPError:
            return  # it answered, even if not with 200
        except (OSError, http.client.HTTPException) as exc:
            last_error = exc
            time_module.sleep(0.2)
    pytest.fail(
        f"the server did not answer {url} within {within_s} s (last error: {last_error!r}):\n"
        + log_path.read_text(errors="replace")[-4000:]
    )


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_200_concurrent_conflicting_bookings_on_sqlite(tmp_path):
    """SQLite variant: a server process (one thread per request, no cap) on a SQLite
    file; BEGIN IMMEDIATE serializes the check and the insert, the triggers back it up."""
    import os
    import sqlite3
    import subprocess
    import sys
    from pathlib import Path

    if connection.vendor != "sqlite":
        pytest.skip("the SQLite variant runs when the suite runs on SQLite")
    root = Path(__file__).resolve().parents[2]
    db = tmp_path / "storm.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "DEBUG": "0", "LOG_LEVEL": "ERROR"}
    manage = [sys.executable, str(root / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=root)
    out = subprocess.run(
        [*manage, "shell", "-c", SQLITE_SETUP % {"slots": SLOTS, "requests": REQUESTS}],
        env=env,
        check=True,
        cwd=root,
        capture_output=True,
        text=True,
    ).stdout
    tokens = json.loads(out.strip().splitlines()[-1])
    port = _free_port()
    server_log = tmp_path / "server.log"
    with server_log.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-c", SQLITE_SERVER, str(port)],
            env={**env, "DJANGO_SETTINGS_MODULE": "backcourse.settings"},
            cwd=root,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_serving(base + "/book/storm/", server, server_log)
        urls = [f"{base}/book/storm/confirm/{token}/" for token in tokens]
        start = threading.Barrier(REQUESTS)

        def fire(url):
            start.wait()
            return post(url)

        began = time_module.perf_counter()
        with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
            results = list(pool.map(fire, urls))
        elapsed = time_module.perf_counter() - began
    finally:
        server.terminate()
        server.wait(timeout=10)
    statuses = Counter(status for status, _ in results)
    print(
        f"\nconcurrency (sqlite): {REQUESTS} requests on {SLOTS} slots → {dict(statuses)} in {elapsed:.2f} s"
    )
    assert not [r for r in results if r[0] >= 500], results
    assert statuses == {201: SLOTS, 409: REQUESTS - SLOTS}
    losers = [body for status, body in results if status == 409]
    assert all(b["error"] == "slot_taken" for b in losers)
    with sqlite3.connect(db) as con:
        rows = con.execute(
            "SELECT starts_at FROM scheduling_session WHERE status <> 'cancelled'"
        ).fetchall()
    assert len(rows) == SLOTS and len(set(rows)) == SLOTS
