"""The demo practice has money to look at: priced types, part-used packages, paid,
part-paid and overdue invoices, one credit note."""

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from backcourse.billing import selectors
from backcourse.billing.models import Invoice, Package, Price
from backcourse.practices.models import Practice
from backcourse.scheduling.models import SessionType

NOW = datetime(2026, 11, 25, 10, 30, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.fixture
def demo(db):
    with time_machine.travel(NOW, tick=False):
        call_command("seed_demo", stdout=StringIO())
    return Practice.objects.get(slug="demo")


def test_demo_money(demo):
    assert (
        Price.objects.filter(practice=demo).count()
        == SessionType.objects.filter(practice=demo).count()
    )
    packages = [
        b
        for p in Package.objects.filter(practice=demo)
        for b in selectors.package_balances(p.client, today=NOW.date())
    ]
    assert any(0 < b.used < b.package.sessions_total for b in packages)
    rows = list(
        selectors.invoices_with_balance(Invoice.objects.filter(practice=demo, kind="invoice"))
    )
    assert any(r.paid == r.total and not r.credited for r in rows)  # paid
    assert any(0 < r.paid < r.total for r in rows)  # part-paid
    overdue = selectors.outstanding_invoices(demo, today=NOW.date())
    assert any(r.days_overdue > 14 for r in overdue)
    assert Invoice.objects.filter(practice=demo, kind="credit_note").count() == 1
    numbers = sorted(Invoice.objects.filter(practice=demo).values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))
    dates = list(
        Invoice.objects.filter(practice=demo).order_by("number").values_list("issued_on", flat=True)
    )
    assert dates == sorted(dates)  # numbers and dates rise together
