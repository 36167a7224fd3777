"""Invoice numbers have no gaps and no duplicates when front-desk users invoice at the
same moment, some of the attempts being refused.

PostgreSQL only (threads need their own connections to overlap; pytest-django's SQLite
test database is in memory and shared). Threads each open their own connection, like
requests on separate app-server workers.
"""

import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test import Client as DjangoClient
from django.urls import reverse

from backcourse.billing import services
from backcourse.billing.models import BillingSettings, Invoice, Price
from backcourse.scheduling.models import SessionType
from tests import factories as f
from tests.scheduling.test_concurrency import bounded_live_server  # noqa: F401 (fixture)

ATTEMPTS = 40


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_invoicing_numbers_without_gaps(practice_a, therapist_a):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://…)")
    BillingSettings.objects.create(practice=practice_a, invoice_prefix="R-")
    kind = SessionType.objects.create(practice=practice_a, name="Back", duration_minutes=60)
    Price.objects.create(
        practice=practice_a, session_type=kind, duration_minutes=60, amount=Decimal("70")
    )
    start = datetime.now(UTC) - timedelta(days=30)
    jobs = []
    for n in range(ATTEMPTS):
        course = f.CourseFactory(client=f.ClientFactory(practice=practice_a), therapist=therapist_a)
        # Every fourth attempt includes a cancelled session: it is refused, and nothing
        # (no number either) may be kept.
        status = "cancelled" if n % 4 == 3 else "completed"
        held = f.SessionFactory(
            course=course,
            starts_at=start + timedelta(hours=2 * n),
            status="completed",
            session_type=kind,
        )
        extra = f.SessionFactory(
            course=course,
            starts_at=start + timedelta(hours=2 * n + 1),
            status=status,
            session_type=kind,
        )
        jobs.append((course.client, [held, extra]))
    barrier = threading.Barrier(ATTEMPTS)

    def invoice(job):
        client, sessions = job
        barrier.wait()
        try:
            return services.invoice_for_sessions(client=client, sessions=sessions).number
        except ValidationError as exc:
            return exc.messages[0]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
        results = list(pool.map(invoice, jobs))

    numbers = sorted(r for r in results if isinstance(r, int))
    refused = [r for r in results if isinstance(r, str)]
    print(
        f"\ninvoice numbering: {ATTEMPTS} concurrent attempts → {len(numbers)} issued, "
        f"{len(refused)} refused"
    )
    assert len(refused) == ATTEMPTS // 4
    assert all("cancelled session cannot be invoiced" in r for r in refused)
    assert numbers == list(range(1, len(numbers) + 1))  # no gap, no duplicate
    stored = list(Invoice.objects.order_by("number").values_list("number_text", flat=True))
    assert stored == [f"R-{n}" for n in numbers]
    assert BillingSettings.objects.get().next_invoice_number == len(numbers) + 1


# --- The same at a live server: two front-desk users posting at the same moment --------

REQUESTS = 30
CSRF = "billingconcurrencycsrfsecret0123"  # 32 characters: a valid unmasked secret


def _post_form(url: str, data: dict, session_cookie: str) -> int:
    body = urllib.parse.urlencode(data, doseq=True).encode()
    req = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Cookie": f"csrftoken={CSRF}; sessionid={session_cookie}",
            "X-CSRFToken": CSRF,
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(req, timeout=120) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_front_desk_users_invoicing_at_once_at_a_live_server(
    bounded_live_server,  # noqa: F811 (the fixture imported above)
    practice_a,
    therapist_a,
):
    BillingSettings.objects.create(practice=practice_a)
    kind = SessionType.objects.create(practice=practice_a, name="Back", duration_minutes=60)
    Price.objects.create(
        practice=practice_a, session_type=kind, duration_minutes=60, amount=Decimal("70")
    )
    cookies = []
    for name in ("desk1", "desk2"):
        desk = f.StaffFactory(
            practice=practice_a, role="front_desk", takes_sessions=False, user__username=name
        )
        browser = DjangoClient()
        browser.force_login(desk.user)
        cookies.append(browser.cookies["sessionid"].value)
    start = datetime.now(UTC) - timedelta(days=30)
    jobs = []
    for n in range(REQUESTS):
        course = f.CourseFactory(client=f.ClientFactory(practice=practice_a), therapist=therapist_a)
        held = f.SessionFactory(
            course=course,
            starts_at=start + timedelta(hours=2 * n),
            status="completed",
            session_type=kind,
        )
        url = bounded_live_server + reverse("billing:client", args=[course.client_id])
        jobs.append((url, {"action": "invoice", "sessions": [held.pk]}, cookies[n % 2]))
    barrier = threading.Barrier(REQUESTS)

    def fire(job):
        barrier.wait()
        return _post_form(*job)

    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        statuses = list(pool.map(fire, jobs))
    print(f"\ninvoice numbering at a live server: {REQUESTS} requests → {Counter(statuses)}")
    assert statuses == [302] * REQUESTS
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == list(range(1, REQUESTS + 1))
