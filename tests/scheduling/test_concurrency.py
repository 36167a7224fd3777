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

from backcourse.scheduling import booking
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
        monkeypatch.setattr(booking.av, "slot_problem", lambda **kw: None)
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
            kwargs={"slug": practice_a.slug, "token": booking.confirm_token(p)},
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
