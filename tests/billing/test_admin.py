"""Owners set prices and money settings in the admin; issued invoices are view-only."""

import pytest
from django.urls import reverse

from backcourse.billing import services
from backcourse.billing.models import Invoice, Price
from tests import factories as f

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def as_owner(client, practice_a):
    owner = f.StaffFactory(practice=practice_a, role="owner", user__username="olga")
    client.force_login(owner.user)
    return client


@pytest.fixture
def invoice_a(client_a, make_session, price_a):
    return services.invoice_for_sessions(
        client=client_a, sessions=[make_session(status="completed")]
    )


def test_owner_sees_own_invoices_but_cannot_change_or_delete_them(as_owner, invoice_a):
    url = reverse("admin:billing_invoice_change", args=[invoice_a.pk])
    page = as_owner.get(url)
    assert page.status_code == 200 and "2026-1" in page.content.decode()
    assert as_owner.post(url, {"total": "1.00"}).status_code == 403
    delete = reverse("admin:billing_invoice_delete", args=[invoice_a.pk])
    assert as_owner.post(delete, {"post": "yes"}).status_code == 403
    invoice_a.refresh_from_db()
    assert str(invoice_a.total) == "75.00"
    assert Invoice.objects.count() == 1


def test_other_practices_prices_are_not_shown(as_owner, price_a, other_practice):
    Price.objects.create(practice=other_practice, duration_minutes=45, amount="55.55")
    page = as_owner.get(reverse("admin:billing_price_changelist")).content.decode()
    assert "75.00" in page and "55.55" not in page


def test_counter_is_read_only_once_invoices_exist(as_owner, invoice_a, money_a):
    page = as_owner.get(reverse("admin:billing_billingsettings_change", args=[money_a.pk]))
    assert 'name="next_invoice_number"' not in page.content.decode()
