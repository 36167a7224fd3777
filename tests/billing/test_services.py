"""Invoices, credit notes, payments, vouchers: the money rules and their bad input."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from backcourse.audit.models import AccessEvent
from backcourse.billing import selectors, services
from backcourse.billing.models import (
    BillingSettings,
    Invoice,
    IssuedInvoiceError,
    Payment,
    Voucher,
)
from tests import factories as f

pytestmark = pytest.mark.usefixtures("frozen")


def invoice_of(client, sessions, **kw):
    return services.invoice_for_sessions(client=client, sessions=sessions, **kw)


def counter(practice):
    return BillingSettings.objects.get(practice=practice).next_invoice_number


def test_invoice_for_held_sessions_numbers_in_sequence_with_prefix(
    client_a, make_session, price_a, front_desk_a
):
    s1, s2, s3 = (make_session(days=-d, status="completed") for d in (21, 14, 7))
    first = invoice_of(client_a, [s1, s2], by=front_desk_a.user, client_address="Hauptstr. 5")
    second = invoice_of(client_a, [s3])
    assert (first.number_text, second.number_text) == ("2026-1", "2026-2")
    assert first.total == Decimal("150.00") and first.currency == "EUR"
    assert first.due_on == date(2026, 11, 25) + timedelta(days=14)
    assert first.exemption_text.startswith("Exempt from VAT")
    assert [line.gross for line in first.lines.all()] == [Decimal("75.00")] * 2
    assert second.client_address == "Hauptstr. 5"  # remembered from the last invoice
    assert AccessEvent.objects.filter(what="invoice 2026-1 issued", user=front_desk_a.user).exists()


def test_taxed_price_splits_gross_into_net_and_tax(client_a, make_session, price_a):
    price_a.tax_exempt, price_a.tax_rate = False, Decimal("19")
    price_a.save()
    inv = invoice_of(client_a, [make_session(status="completed")])
    assert (inv.net_total, inv.tax_total, inv.total) == (
        Decimal("63.03"),
        Decimal("11.97"),
        Decimal("75.00"),
    )
    assert inv.exemption_text == ""


@pytest.mark.parametrize(
    ("status", "message"),
    [("cancelled", "cancelled session cannot be invoiced"), ("booked", "has not been held")],
)
def test_a_session_not_held_cannot_be_invoiced_and_nothing_changes(
    client_a, make_session, price_a, status, message
):
    held = make_session(days=-14, status="completed")
    bad = make_session(status=status)
    with pytest.raises(ValidationError, match=message):
        invoice_of(client_a, [held, bad])
    assert not Invoice.objects.exists()
    assert counter(client_a.practice) == 1  # the number was not used up: no gap


def test_a_session_is_invoiced_once(client_a, make_session, price_a):
    s = make_session(status="completed")
    invoice_of(client_a, [s])
    with pytest.raises(ValidationError, match="already invoiced"):
        invoice_of(client_a, [s])


def test_another_clients_session_is_refused(client_a, make_session, price_a, practice_a):
    other = f.SessionFactory(
        course=f.CourseFactory(client=f.ClientFactory(practice=practice_a)), status="completed"
    )
    with pytest.raises(ValidationError, match="another client"):
        invoice_of(client_a, [other])


def test_no_price_says_where_to_add_one(client_a, make_session, money_a):
    with pytest.raises(ValidationError, match="no price for a 60-minute session"):
        invoice_of(client_a, [make_session(status="completed")])


def test_issued_invoice_cannot_be_changed_or_deleted(client_a, make_session, price_a):
    inv = invoice_of(client_a, [make_session(status="completed")])
    inv.total = Decimal("1.00")
    with pytest.raises(IssuedInvoiceError):
        inv.save()
    with pytest.raises(IssuedInvoiceError):
        inv.delete()
    line = inv.lines.get()
    line.gross = Decimal("1.00")
    with pytest.raises(IssuedInvoiceError):
        line.save()
    inv.refresh_from_db()
    assert inv.total == Decimal("75.00")


def test_credit_note_negates_refers_and_frees_the_sessions(client_a, make_session, price_a):
    s = make_session(status="completed")
    inv = invoice_of(client_a, [s])
    with pytest.raises(ValidationError, match="Say why"):
        services.credit_note_issue(invoice=inv, reason=" ")
    credit = services.credit_note_issue(invoice=inv, reason="Wrong client address")
    assert credit.kind == "credit_note" and credit.corrects == inv
    assert credit.number == inv.number + 1 and credit.total == Decimal("-75.00")
    assert services.invoice_balance(inv) == Decimal("0.00")
    with pytest.raises(ValidationError, match="already has a credit note"):
        services.credit_note_issue(invoice=inv, reason="again")
    with pytest.raises(ValidationError, match="cannot itself be credited"):
        services.credit_note_issue(invoice=credit, reason="again")
    again = invoice_of(client_a, [s], client_address="Right address 1")
    assert again.number == credit.number + 1


# --------------------------------------------------------------------------- payments


@pytest.fixture
def invoice_a(client_a, make_session, price_a):
    return invoice_of(client_a, [make_session(days=-d, status="completed") for d in (14, 7)])


def pay(invoice, amount, **kw):
    kw.setdefault("method", "cash")
    return services.payment_record(invoice=invoice, amount=amount, **kw)


def test_partial_payments_then_paid(invoice_a):
    pay(invoice_a, "50")
    assert services.invoice_balance(invoice_a) == Decimal("100.00")
    pay(invoice_a, "100,00", method="transfer", reference="SEPA 123")
    assert services.invoice_balance(invoice_a) == Decimal("0.00")
    assert not selectors.outstanding_invoices(invoice_a.practice)


@pytest.mark.parametrize(
    ("amount", "kw", "message"),
    [
        ("-5", {}, "cannot be more than what was paid"),
        ("0", {}, "cannot be zero"),
        ("abc", {}, "is not an amount"),
        ("NaN", {}, "is not an amount"),
        ("1e9", {}, "more than the largest amount"),
        ("150.01", {}, "more than the balance of 150.00"),
        ("10", {"currency": "USD"}, "in EUR; a payment in USD"),
        ("10", {"method": "cheque"}, "Choose how it was paid"),
        ("10", {"method": "voucher"}, "redeeming the voucher"),
    ],
)
def test_bad_payments_are_refused_and_nothing_is_saved(invoice_a, amount, kw, message):
    with pytest.raises(ValidationError, match=message):
        pay(invoice_a, amount, **kw)
    assert not Payment.objects.exists()
    assert not AccessEvent.objects.filter(what__startswith="payment").exists()


def test_overpayment_is_accepted_only_when_recorded_as_credit(invoice_a):
    p = pay(invoice_a, "160", is_overpayment=True)
    assert p.is_overpayment
    assert services.invoice_balance(invoice_a) == Decimal("-10.00")
    with pytest.raises(ValidationError, match="Nothing is outstanding"):
        pay(invoice_a, "1")


def test_refund_up_to_what_was_paid(invoice_a):
    pay(invoice_a, "150")
    refund = pay(invoice_a, "-40", method="transfer")
    assert refund.is_refund and services.invoice_balance(invoice_a) == Decimal("40.00")
    with pytest.raises(ValidationError, match=r"more than what was paid \(110.00\)"):
        pay(invoice_a, "-110.01")


def test_payment_dated_in_the_future_is_refused(invoice_a):
    with pytest.raises(ValidationError, match="future"):
        pay(invoice_a, "10", received_on=date(2026, 12, 1))


def test_credit_note_is_not_paid_into(invoice_a):
    credit = services.credit_note_issue(invoice=invoice_a, reason="x")
    with pytest.raises(ValidationError, match="original invoice"):
        pay(credit, "10")


def test_outstanding_list_shows_days_overdue(invoice_a, practice_a):
    pay(invoice_a, "20")
    rows = selectors.outstanding_invoices(practice_a, today=date(2026, 12, 19))
    assert [(r.number_text, r.balance, r.days_overdue) for r in rows] == [
        ("2026-1", Decimal("130.00"), 10)
    ]


# --------------------------------------------------------------------------- vouchers


@pytest.fixture
def gift(practice_a):
    return Voucher.objects.create(
        practice=practice_a,
        code="GIFT50",
        kind="amount",
        amount=Decimal("50.00"),
        currency="EUR",
        valid_until=date(2027, 6, 30),
    )


def test_amount_voucher_pays_once(invoice_a, gift, client_a, make_session):
    payment = services.voucher_redeem_on_invoice(invoice=invoice_a, code="gift50")
    assert (payment.method, payment.amount) == ("voucher", Decimal("50.00"))
    other = invoice_of(client_a, [make_session(days=-1, status="completed")])
    with pytest.raises(ValidationError, match="already been used"):
        services.voucher_redeem_on_invoice(invoice=other, code="GIFT50")
    assert not other.payments.exists()


def test_voucher_in_another_currency_is_refused_and_stays_unused(invoice_a, gift):
    Voucher.objects.filter(pk=gift.pk).update(currency="CHF")
    with pytest.raises(ValidationError, match="in CHF, the invoice in EUR"):
        services.voucher_redeem_on_invoice(invoice=invoice_a, code="GIFT50")
    gift.refresh_from_db()
    assert gift.redeemed_at is None


def test_sessions_voucher_becomes_a_free_package_once(client_a, practice_a):
    Voucher.objects.create(
        practice=practice_a, code="THREE", kind="sessions", sessions=3, valid_until=date(2027, 3, 1)
    )
    package = services.voucher_redeem_sessions(client=client_a, code="three")
    assert (package.sessions_total, package.price) == (3, Decimal("0.00"))
    with pytest.raises(ValidationError, match="already been used"):
        services.voucher_redeem_sessions(client=client_a, code="THREE")


def test_unknown_and_expired_vouchers(client_a, practice_a):
    with pytest.raises(ValidationError, match="no voucher with the code"):
        services.voucher_redeem_sessions(client=client_a, code="NOPE")
    Voucher.objects.create(
        practice=practice_a, code="OLD", kind="sessions", sessions=1, valid_until=date(2026, 1, 1)
    )
    with pytest.raises(ValidationError, match="expired"):
        services.voucher_redeem_sessions(client=client_a, code="OLD")


# --------------------------------------------------------------------------- reminders


def test_overdue_reminder_is_sent_once_with_the_pdf(invoice_a, mailoutbox, frozen):
    from backcourse.billing.tasks import overdue_reminders_send

    assert overdue_reminders_send.call() == 0  # not overdue yet
    frozen.move_to(invoice_a.due_on + timedelta(days=8))
    assert overdue_reminders_send.call() == 1
    assert overdue_reminders_send.call() == 0
    (mail,) = mailoutbox
    assert "Payment reminder" in mail.subject and mail.to == [invoice_a.client_email]
    assert mail.attachments[0][2] == "application/pdf"
    assert mail.attachments[0][1][:4] == b"%PDF"


def test_reminder_command_runs_the_scan(invoice_a, mailoutbox, frozen):
    from io import StringIO

    from django.core.management import call_command

    frozen.move_to(invoice_a.due_on + timedelta(days=30))
    out = StringIO()
    call_command("send_payment_reminders", "--now", stdout=out)
    assert out.getvalue().strip() == "sent 1 payment reminders" and len(mailoutbox) == 1
