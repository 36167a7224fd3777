"""Money fixtures: practice_a bills in EUR with a priced 60-minute session type; the
clock is frozen at NOW (a Wednesday) for every test that asks for `frozen`."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from backcourse.billing.models import BillingSettings, Price
from backcourse.scheduling.models import SessionType
from tests import factories as f

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def money_a(practice_a):
    practice_a.address = "Kastanienallee 1\n10435 Berlin"
    practice_a.save()
    return BillingSettings.objects.create(
        practice=practice_a,
        currency="EUR",
        exemption_text="Exempt from VAT under § 4 Nr. 14 UStG.",
        payment_terms_days=14,
        payment_terms_text="Please pay within 14 days.",
        bank_details="IBAN DE02 1203 0000 0000 2020 51",
        invoice_prefix="2026-",
        no_show_fee=Decimal("40.00"),
        late_cancel_fee=Decimal("30.00"),
    )


@pytest.fixture
def massage(practice_a):
    return SessionType.objects.create(practice=practice_a, name="Back massage", duration_minutes=60)


@pytest.fixture
def price_a(practice_a, massage, money_a):
    return Price.objects.create(
        practice=practice_a,
        session_type=massage,
        duration_minutes=60,
        amount=Decimal("75.00"),
        tax_exempt=True,
    )


@pytest.fixture
def make_session(course_a, massage):
    """A session of course_a `days` from NOW (negative: in the past), of status `status`."""

    def make(days=-7, status="booked", **kw):
        return f.SessionFactory(
            course=kw.pop("course", course_a),
            starts_at=NOW + timedelta(days=days),
            status=status,
            session_type=massage,
            **kw,
        )

    return make


@pytest.fixture
def front_desk_client(client, front_desk_a):
    client.force_login(front_desk_a.user)
    return client
