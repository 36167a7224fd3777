"""Invoice numbers have no gaps and no duplicates when front-desk users invoice at the
same moment, some of the attempts being refused.

PostgreSQL only (threads need their own connections to overlap; pytest-django's SQLite
test database is in memory and shared). Threads each open their own connection, like
requests on separate app-server workers.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from backcourse.billing import services
from backcourse.billing.models import BillingSettings, Invoice, Price
from backcourse.scheduling.models import SessionType
from tests import factories as f

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
