"""Money pages: who may see them, the front desk's flow, bad input kept, exports."""

import csv
import io
from datetime import date, time
from decimal import Decimal

import pytest
from django.urls import reverse

from backcourse.billing import services
from backcourse.billing.models import Invoice, Payment
from backcourse.scheduling.models import WorkingHours
from tests import factories as f

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def invoice_a(client_a, make_session, price_a):
    client_a.email = "clara@example.org"
    client_a.save()
    return services.invoice_for_sessions(
        client=client_a,
        sessions=[make_session(days=-d, status="completed") for d in (14, 7)],
        client_address="Hauptstr. 5\n10115 Berlin",
    )


@pytest.fixture
def as_owner(client, practice_a):
    owner = f.StaffFactory(practice=practice_a, role="owner", user__username="olga")
    client.force_login(owner.user)
    return client


@pytest.mark.parametrize("name", ["billing:outstanding", "billing:export", "billing:summary"])
def test_therapist_cannot_open_money_pages(as_therapist_a, name):
    assert as_therapist_a.get(reverse(name)).status_code == 403


def test_therapist_cannot_open_an_invoice_or_client_money(as_therapist_a, invoice_a, client_a):
    assert as_therapist_a.get(reverse("billing:invoice", args=[invoice_a.pk])).status_code == 403
    assert as_therapist_a.get(reverse("billing:client", args=[client_a.pk])).status_code == 403
    assert (
        as_therapist_a.get(reverse("billing:invoice_pdf", args=[invoice_a.pk])).status_code == 403
    )


def test_therapist_sees_only_their_own_sessions_charges(
    as_therapist_a, invoice_a, practice_a, price_a
):
    other = f.StaffFactory(practice=practice_a, display_name="Other Therapist")
    course = f.CourseFactory(client=f.ClientFactory(practice=practice_a), therapist=other)
    s = f.SessionFactory(course=course, status="completed", session_type=price_a.session_type)
    services.invoice_for_sessions(client=course.client, sessions=[s])
    page = as_therapist_a.get(reverse("billing:my_charges")).content.decode()
    assert "2026-1" in page and "2026-2" not in page


def test_client_page_links_money_for_front_desk_not_for_therapists(
    as_therapist_a, client_a, front_desk_a, client
):
    url = reverse("clients:detail", args=[client_a.pk])
    money = reverse("billing:client", args=[client_a.pk])
    assert money not in as_therapist_a.get(url).content.decode()
    client.force_login(front_desk_a.user)
    assert money in client.get(url).content.decode()


def test_another_practices_invoice_is_404(client, therapist_b, invoice_a, other_practice):
    desk = f.StaffFactory(practice=other_practice, role="front_desk")
    client.force_login(desk.user)
    assert client.get(reverse("billing:invoice", args=[invoice_a.pk])).status_code == 404
    assert client.get(reverse("billing:invoice_pdf", args=[invoice_a.pk])).status_code == 404


def test_front_desk_invoices_held_sessions_from_the_client_page(
    front_desk_client, client_a, make_session, price_a
):
    s1 = make_session(days=-7, status="completed")
    make_session(days=3)  # booked: not offered
    url = reverse("billing:client", args=[client_a.pk])
    page = front_desk_client.get(url).content.decode()
    assert f'value="{s1.pk}"' in page
    resp = front_desk_client.post(
        url, {"action": "invoice", "sessions": [s1.pk], "client_address": "Hauptstr. 5"}
    )
    invoice = Invoice.objects.get()
    assert resp.status_code == 302 and resp.url == reverse("billing:invoice", args=[invoice.pk])
    assert invoice.total == Decimal("75.00") and invoice.client_address == "Hauptstr. 5"


def test_payment_larger_than_balance_is_refused_and_typed_values_kept(front_desk_client, invoice_a):
    url = reverse("billing:invoice", args=[invoice_a.pk])
    resp = front_desk_client.post(
        url,
        {
            "action": "pay",
            "amount": "200",
            "method": "card",
            "received_on": "2026-11-25",
            "reference": "Terminal 7",
        },
    )
    page = resp.content.decode()
    assert resp.status_code == 400
    assert "more than the balance of 150.00" in page
    assert 'value="200"' in page and 'value="Terminal 7"' in page
    assert not Payment.objects.exists()


def test_partial_payment_then_overpayment_as_credit(front_desk_client, invoice_a):
    url = reverse("billing:invoice", args=[invoice_a.pk])
    data = {"action": "pay", "method": "cash", "received_on": "2026-11-25"}
    assert front_desk_client.post(url, {**data, "amount": "50"}).status_code == 302
    resp = front_desk_client.post(url, {**data, "amount": "120", "is_overpayment": "on"})
    assert resp.status_code == 302
    page = front_desk_client.get(url).content.decode()
    assert "Owed to the client" in page and "-20.00" in page


def test_credit_note_from_the_invoice_page_needs_a_reason(front_desk_client, invoice_a):
    url = reverse("billing:invoice", args=[invoice_a.pk])
    assert front_desk_client.post(url, {"action": "credit", "reason": ""}).status_code == 400
    resp = front_desk_client.post(url, {"action": "credit", "reason": "Wrong address"})
    credit = Invoice.objects.get(kind="credit_note")
    assert resp.url == reverse("billing:invoice", args=[credit.pk])
    assert "Cancelled by credit note" in front_desk_client.get(url).content.decode()


def test_emailing_the_invoice_goes_through_the_task_queue(
    front_desk_client, invoice_a, mailoutbox, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    url = reverse("billing:invoice", args=[invoice_a.pk])
    with django_capture_on_commit_callbacks(execute=True):
        front_desk_client.post(url, {"action": "email"})
    task = DBTaskResult.objects.get()
    assert task.task_path == "backcourse.billing.tasks.invoice_email_send"
    assert not mailoutbox  # sent by the worker, not the request
    from backcourse.billing.tasks import invoice_email_send

    invoice_email_send.call(invoice_a.pk)
    (mail,) = mailoutbox
    assert mail.to == ["clara@example.org"] and mail.attachments[0][1][:4] == b"%PDF"
    invoice_a.refresh_from_db()
    assert invoice_a.emailed_at is not None


def test_outstanding_list(front_desk_client, front_desk_a, invoice_a, frozen):
    services.payment_record(invoice=invoice_a, amount="30", method="cash")
    frozen.move_to("2026-12-20 12:00Z")
    front_desk_client.force_login(front_desk_a.user)  # the first login has expired by now
    page = front_desk_client.get(reverse("billing:outstanding")).content.decode()
    assert "2026-1" in page and "120.00" in page and "<strong>11</strong>" in page


def test_csv_export_has_the_documented_columns(as_owner, invoice_a):
    services.payment_record(invoice=invoice_a, amount="150", method="transfer", reference="SEPA")
    services.credit_note_issue(invoice=invoice_a, reason="Mistake")
    services.payment_record(invoice=invoice_a, amount="-150", method="transfer")
    resp = as_owner.get(reverse("billing:export"), {"start": "2026-11-01", "end": "2026-11-30"})
    rows = list(csv.DictReader(io.StringIO(resp.content.decode())))
    assert list(rows[0]) == [
        "record",
        "date",
        "number",
        "refers_to",
        "client",
        "net",
        "tax",
        "gross",
        "currency",
        "method",
        "due_on",
        "reference",
    ]
    assert [(r["record"], r["number"], r["refers_to"], r["gross"]) for r in rows] == [
        ("credit_note", "2026-2", "2026-1", "-150.00"),
        ("invoice", "2026-1", "", "150.00"),
        ("payment", "", "2026-1", "150.00"),
        ("refund", "", "2026-1", "-150.00"),
    ]


def test_export_refuses_a_reversed_range(as_owner):
    resp = as_owner.get(reverse("billing:export"), {"start": "2026-11-30", "end": "2026-11-01"})
    assert resp.status_code == 400 and "must not be before" in resp.content.decode()


def test_summary_by_therapist_and_type(as_owner, invoice_a):
    page = as_owner.get(reverse("billing:summary"), {"year": "2026"}).content.decode()
    assert "Anna Berg" in page and "Back massage" in page and "150.00" in page


def test_fee_waived_from_the_list(front_desk_client, make_session, money_a):
    from backcourse.scheduling.services import session_status_set

    s = make_session(days=-1)
    session_status_set(session=s, status="no_show")
    fee = s.fee
    resp = front_desk_client.post(
        reverse("billing:fee", args=[fee.pk]), {"action": "waive", "reason": "First time"}
    )
    assert resp.status_code == 302
    fee.refresh_from_db()
    assert fee.state == "waived"


# --------------------------------------------------------------------------- public & portal


def test_public_booking_page_shows_prices(client, practice_a, price_a):
    page = client.get(reverse("booking:start", args=[practice_a.slug])).content.decode()
    assert "Back massage" in page and "75.00" in page


def test_client_sees_package_and_invoices_and_only_own_pdf(client, client_a, invoice_a, course_a):
    services.package_sell(
        client=client_a,
        course=course_a,
        name="Six",
        sessions_total=6,
        price="390",
        months=6,
        valid_from=date(2026, 11, 1),
    )
    user = f.UserFactory(username="clara")
    client_a.user = user
    client_a.save()
    client.force_login(user)
    page = client.get(reverse("portal:home")).content.decode()
    assert "0 of 6 sessions used" in page and "2026-1" in page and "150.00" in page
    assert client.get(reverse("billing:my_invoice_pdf", args=[invoice_a.pk]))["Content-Type"] == (
        "application/pdf"
    )
    stranger = services.invoice_for_sessions(
        client=(other := f.ClientFactory(practice=client_a.practice)),
        sessions=[
            f.SessionFactory(
                course=f.CourseFactory(client=other),
                status="completed",
                session_type=invoice_a.lines.first().session.session_type,
            )
        ],
    )
    assert client.get(reverse("billing:my_invoice_pdf", args=[stranger.pk])).status_code == 404


def test_data_export_includes_invoices_and_payments(client_a, invoice_a):
    from backcourse.portal.export import client_data_export

    services.payment_record(invoice=invoice_a, amount="20", method="cash")
    money = client_data_export(client_a)["money"]
    (inv,) = money["invoices"]
    assert (inv["number"], inv["total"], inv["balance"]) == ("2026-1", "150.00", "130.00")
    assert inv["payments"] == [{"received_on": "2026-11-25", "amount": "20.00", "method": "cash"}]


def test_marking_a_no_show_says_a_fee_is_proposed(front_desk_client, make_session, money_a):
    s = make_session(days=-1)
    resp = front_desk_client.post(
        reverse("scheduling:session_status", args=[s.pk]), {"status": "no_show"}, follow=True
    )
    assert "No-show fee of 40.00 EUR proposed" in resp.content.decode()


def test_booking_a_session_past_the_package_says_so(
    front_desk_client, client_a, course_a, price_a, therapist_a, make_session
):
    services.package_sell(
        client=client_a,
        course=course_a,
        name="One",
        sessions_total=1,
        price="70",
        months=1,
        valid_from=date(2026, 11, 1),
    )
    make_session(days=1)  # uses the one session
    for day in range(7):
        WorkingHours.objects.create(
            therapist=therapist_a, weekday=day, start_time=time(8), end_time=time(18)
        )
    resp = front_desk_client.post(
        reverse("scheduling:session_create"),
        {
            "client": client_a.pk,
            "course": course_a.pk,
            "therapist": therapist_a.pk,
            "date": "2026-11-27",
            "time": "10:00",
            "duration_minutes": 60,
        },
        follow=True,
    )
    assert "past the end of the package" in resp.content.decode()


def test_fee_form_does_not_redirect_elsewhere(front_desk_client, make_session, money_a):
    from backcourse.scheduling.services import session_status_set

    s = make_session(days=-1)
    session_status_set(session=s, status="no_show")
    resp = front_desk_client.post(
        reverse("billing:fee", args=[s.fee.pk]),
        {"action": "waive", "reason": "x", "next": "https://evil.example/"},
    )
    assert resp.url == reverse("billing:outstanding")
