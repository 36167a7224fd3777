"""End to end in headless Chromium on a phone-sized screen: the front desk invoices a
held session, records a part payment, and finds the rest in the outstanding list."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from backcourse.billing.models import BillingSettings, Invoice, Price
from backcourse.scheduling.models import SessionType
from tests import factories as f
from tests.factories import PASSWORD

SHOTS = Path("/tmp/shots/billing")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_front_desk_invoices_and_records_a_part_payment(
    page, live_server, practice_a, course_a, front_desk_a
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    BillingSettings.objects.create(practice=practice_a, invoice_prefix="R-")
    kind = SessionType.objects.create(practice=practice_a, name="Back massage")
    Price.objects.create(
        practice=practice_a, session_type=kind, duration_minutes=60, amount=Decimal("75")
    )
    # Relative to now: the flow does not depend on the day, only on the session being past.
    held = f.SessionFactory(
        course=course_a,
        status="completed",
        session_type=kind,
        starts_at=timezone.now() - timedelta(days=3),
    )
    page.set_viewport_size({"width": 390, "height": 844})
    path = f"/billing/clients/{course_a.client_id}/"
    page.goto(f"{live_server.url}/accounts/login/?next={path}")
    page.fill("#id_username", front_desk_a.user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{path}")
    assert page.locator(f"input[name=sessions][value='{held.pk}']").is_checked()
    page.click("button:has-text('Issue invoice')")
    page.wait_for_selector("h1:has-text('Invoice R-1')")

    page.fill("#id_amount", "80")
    page.select_option("#id_method", "card")
    page.click("button:has-text('Record')")
    page.wait_for_selector("text=more than the balance")
    assert page.input_value("#id_amount") == "80"  # what was typed is kept
    page.fill("#id_amount", "50")
    page.click("button:has-text('Record')")
    page.wait_for_selector("text=Payment recorded")
    assert page.locator(".balance").inner_text().startswith("25.00")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SHOTS / "invoice-390.png"), full_page=True)

    page.goto(f"{live_server.url}/billing/")
    row = page.locator("table.outstanding tbody tr").first
    assert "R-1" in row.inner_text() and "25.00" in row.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SHOTS / "outstanding-390.png"), full_page=True)
    assert Invoice.objects.get().payments.get().amount == Decimal("50.00")
