"""Demo money for the demo practice: priced session types, sold packages part-used,
paid, part-paid and overdue invoices, one credit note, a proposed fee and two vouchers.
Called once by the demo seeding after the sessions exist."""

from datetime import datetime, timedelta
from decimal import Decimal

from backcourse.billing import services
from backcourse.billing.models import (
    BillingSettings,
    Invoice,
    InvoiceLine,
    Payment,
    Price,
    Voucher,
)
from backcourse.courses.models import Course
from backcourse.scheduling.models import Session, SessionType

PRICES = {  # session type name -> (price, tax rate, exempt)
    "Therapeutic back massage": (Decimal("75.00"), Decimal("0"), True),
    "Neck and shoulder massage": (Decimal("58.00"), Decimal("19"), False),
    "First visit: intake and massage": (Decimal("90.00"), Decimal("0"), True),
}


def billing_demo_seed(*, practice, now: datetime) -> dict[str, int]:
    today = now.astimezone(practice.zone).date()
    BillingSettings.objects.create(
        practice=practice,
        currency="EUR",
        tax_id="DE123456789",
        exemption_text="Therapeutic massage on medical grounds: exempt from VAT (§ 4 Nr. 14 UStG).",
        payment_terms_days=14,
        payment_terms_text="Payable within 14 days without deduction.",
        bank_details="Rückenwerk Berlin · GLS Bank\nIBAN DE89 3704 0044 0532 0130 00\nBIC COBADEFFXXX",
        invoice_prefix=f"{today.year}-",
        no_show_fee=Decimal("40.00"),
        late_cancel_fee=Decimal("30.00"),
    )
    for kind in SessionType.objects.filter(practice=practice):
        amount, rate, exempt = PRICES.get(kind.name, (Decimal("75.00"), Decimal("0"), True))
        Price.objects.create(
            practice=practice,
            session_type=kind,
            duration_minutes=kind.duration_minutes,
            amount=amount,
            tax_rate=rate,
            tax_exempt=exempt,
        )
    held = Session.Status.COMPLETED
    counts = {"packages": 0, "invoices": 0}

    # Packages: the active courses with held sessions and more booked get a 10-session
    # package from their start, so they show part-used.
    active = (
        Course.objects.filter(practice=practice, status=Course.Status.ACTIVE)
        .filter(sessions__status=held)
        .distinct()
        .order_by("pk")
    )
    for course in active[:4]:
        services.package_sell(
            client=course.client,
            course=course,
            name="Course package · 10 sessions",
            sessions_total=10,
            price="690.00",
            months=6,
            tax_exempt=True,
            valid_from=course.started_on,
            issued_on=course.started_on,
            client_address="Musterstraße 1\n10115 Berlin",
        )
        counts["packages"] += 1

    # Single sessions invoiced for clients of completed courses: paid, part-paid, overdue.
    finished = Course.objects.filter(practice=practice, status=Course.Status.COMPLETED).order_by(
        "pk"
    )
    plans = ["paid", "part", "overdue", "paid", "credit"]
    for course, plan in zip(finished, plans, strict=False):
        sessions = list(
            Session.objects.filter(course=course, status=held, package_draw__isnull=True).order_by(
                "-starts_at"
            )[:2]
        )
        if not sessions:
            continue
        issued = sessions[0].starts_at.astimezone(practice.zone).date()
        if plan == "overdue":
            issued = min(issued, today - timedelta(days=40))
        invoice = services.invoice_for_sessions(
            client=course.client,
            sessions=sessions,
            client_address="Beispielweg 7\n10999 Berlin",
            issued_on=issued,
        )
        counts["invoices"] += 1
        if plan == "paid":
            services.payment_record(
                invoice=invoice,
                amount=invoice.total,
                method="transfer",
                received_on=min(today, issued + timedelta(days=6)),
                reference=f"SEPA {invoice.number_text}",
            )
        elif plan == "part":
            services.payment_record(
                invoice=invoice, amount=invoice.total / 2, method="card", received_on=issued
            )
        elif plan == "credit":
            services.credit_note_issue(invoice=invoice, reason="Invoiced to the wrong address")
            services.invoice_for_sessions(
                client=course.client,
                sessions=sessions,
                client_address="Richtige Str. 3\n10437 Berlin",
            )
    # A proposed no-show fee, as if staff had just marked it.
    no_show = (
        Session.objects.filter(practice=practice, status=Session.Status.NO_SHOW)
        .order_by("-starts_at")
        .first()
    )
    if no_show:
        services.session_status_changed(session=no_show, old="booked", new="no_show", now=now)
    Voucher.objects.create(
        practice=practice,
        code="GIFT-75",
        kind="amount",
        amount=Decimal("75.00"),
        valid_until=today + timedelta(days=365),
    )
    Voucher.objects.create(
        practice=practice,
        code="GIFT-3X",
        kind="sessions",
        sessions=3,
        valid_until=today + timedelta(days=365),
    )
    counts["invoices_total"] = Invoice.objects.filter(practice=practice).count()
    return counts


def billing_demo_delete(*, practice) -> None:
    """Remove the demo practice's money (only for `seed_demo --reset`: real invoices are
    never deleted). Order matters: the rows protect what they refer to."""
    Payment.objects.filter(practice=practice).delete()
    InvoiceLine.objects.filter(invoice__practice=practice).delete()
    Invoice.objects.filter(practice=practice, corrects__isnull=False).delete()
    Invoice.objects.filter(practice=practice).delete()
