"""Invoices, payments and package balances in the JSON API, with the pages' scoping."""

from datetime import date

import pytest

from backcourse.api.services import api_token_create
from backcourse.billing import services
from backcourse.billing.models import Payment
from tests import factories as f

pytestmark = pytest.mark.usefixtures("frozen")


def bearer(client, staff):
    _, token = api_token_create(staff=staff, name="test")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


@pytest.fixture
def invoice_a(client_a, make_session, price_a):
    return services.invoice_for_sessions(
        client=client_a, sessions=[make_session(days=-d, status="completed") for d in (14, 7)]
    )


def test_invoice_list_and_detail_with_balance(client, front_desk_a, invoice_a):
    api = bearer(client, front_desk_a)
    services.payment_record(invoice=invoice_a, amount="50", method="cash")
    body = api.get("/api/v1/billing/invoices?outstanding=true").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["number"], item["total"], item["paid"], item["balance"], item["currency"]) == (
        "2026-1",
        "150.00",
        "50.00",
        "100.00",
        "EUR",
    )
    detail = api.get(f"/api/v1/billing/invoices/{invoice_a.pk}").json()
    assert [line["gross"] for line in detail["lines"]] == ["75.00", "75.00"]
    assert detail["payments"][0]["method"] == "cash"


def test_payment_through_the_api_and_bad_ones_refused(client, front_desk_a, invoice_a):
    api = bearer(client, front_desk_a)
    url = f"/api/v1/billing/invoices/{invoice_a.pk}/payments"
    too_much = api.post(
        url,
        {"amount": "150.01", "currency": "EUR", "method": "card"},
        content_type="application/json",
    )
    assert too_much.status_code == 422 and "more than the balance" in too_much.json()["detail"]
    wrong = api.post(
        url, {"amount": "10", "currency": "USD", "method": "card"}, content_type="application/json"
    )
    assert wrong.status_code == 422 and "USD" in wrong.json()["detail"]
    assert not Payment.objects.exists()
    ok = api.post(
        url,
        {"amount": "150", "currency": "EUR", "method": "transfer", "reference": "SEPA"},
        content_type="application/json",
    )
    assert ok.status_code == 201 and ok.json()["amount"] == "150.00"
    listed = api.get("/api/v1/billing/payments?received_from=2026-11-01&received_until=2026-11-30")
    assert [p["reference"] for p in listed.json()] == ["SEPA"]


def test_therapist_gets_403_and_other_practice_404(client, therapist_a, therapist_b, invoice_a):
    api = bearer(client, therapist_a)
    assert api.get("/api/v1/billing/invoices").status_code == 403
    pay = api.post(
        f"/api/v1/billing/invoices/{invoice_a.pk}/payments",
        {"amount": "10", "currency": "EUR", "method": "cash"},
        content_type="application/json",
    )
    assert pay.status_code == 403 and not Payment.objects.exists()
    desk_b = f.StaffFactory(practice=therapist_b.practice, role="front_desk")
    api = bearer(client, desk_b)
    assert api.get(f"/api/v1/billing/invoices/{invoice_a.pk}").status_code == 404
    assert api.get("/api/v1/billing/invoices").json()["count"] == 0


def test_package_balance(client, therapist_a, client_a, course_a, price_a, client_b):
    services.package_sell(
        client=client_a,
        course=course_a,
        name="Ten",
        sessions_total=10,
        price="650",
        months=6,
        valid_from=date(2026, 11, 1),
    )
    api = bearer(client, therapist_a)
    (pkg,) = api.get(f"/api/v1/billing/clients/{client_a.pk}/packages").json()
    assert (pkg["sessions_total"], pkg["sessions_left"], pkg["price"]) == (10, 10, "650.00")
    assert api.get(f"/api/v1/billing/clients/{client_b.pk}/packages").status_code == 404


def test_billing_is_in_the_openapi_schema(client, therapist_a):
    schema = bearer(client, therapist_a).get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert "/api/v1/billing/invoices/{invoice_id}/payments" in paths
    assert "/api/v1/billing/clients/{client_id}/packages" in paths
