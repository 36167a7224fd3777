"""Demo money for the demo practice: priced session types, sold packages part-used,
paid, part-paid and overdue invoices, one credit note, a proposed fee and two vouchers.
Called once by the demo seeding after the sessions exist."""

from collections.abc import Callable
from datetime import date, datetime, timedelta
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

    # Each invoice is a job with its issue date; they run in date order so numbers and
    # dates rise together, as an accountant expects.
    jobs: list[tuple[date, int, Callable[[], None]]] = []

    def job(day: date, fn: Callable[[], None]) -> None:
        jobs.append((day, len(jobs), fn))

    # Packages: the active courses with held sessions and more booked get a 10-session
    # package from their start, so they show part-used. Clients with a login to the
    # client pages first, so the demo client sees hers. Most pay at once; one pays half
    # so far, the newest not yet.
    active = (
        Course.objects.filter(practice=practice, status=Course.Status.ACTIVE)
        .filter(sessions__status=held)
        .distinct()
        .select_related("client")
    )
    chosen = sorted(active, key=lambda c: (c.client.user_id is None, c.pk))[:4]
    for course, share in zip(chosen, [1, 1, Decimal("0.5"), 0], strict=False):

        def sell(course=course, share=share):
            _package, invoice = services.package_sell(
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
            if share:
                services.payment_record(
                    invoice=invoice,
                    amount=invoice.total * share,
                    method="card" if share == 1 else "transfer",
                    received_on=min(today, invoice.issued_on + timedelta(days=3)),
                )

        job(course.started_on, sell)
        counts["packages"] += 1

    # Sessions of completed courses: a few paid, part-paid, overdue and one corrected by
    # a credit note; the rest invoiced at the course's end and paid, so revenue per
    # course has figures to show next to the outcome.
    finished = Course.objects.filter(practice=practice, status=Course.Status.COMPLETED)
    plans = ["paid", "part", "overdue", "paid", "credit"]
    for n, course in enumerate(finished.order_by("pk")):
        plan = plans[n] if n < len(plans) else "course"
        sessions = Session.objects.filter(
            course=course, status=held, package_draw__isnull=True
        ).order_by("-starts_at")
        sessions = list(sessions if plan == "course" else sessions[:2])
        if not sessions:
            continue
        issued = sessions[0].starts_at.astimezone(practice.zone).date()
        if plan == "overdue":
            issued = min(issued, today - timedelta(days=40))

        def bill(course=course, sessions=sessions, issued=issued, plan=plan):
            invoice = services.invoice_for_sessions(
                client=course.client,
                sessions=sessions,
                client_address="Beispielweg 7\n10999 Berlin",
                issued_on=issued,
            )
            if plan in ("paid", "course"):
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
                job(today, lambda: correct(invoice, course, sessions))

        def correct(invoice, course, sessions):
            services.credit_note_issue(invoice=invoice, reason="Invoiced to the wrong address")
            services.invoice_for_sessions(
                client=course.client,
                sessions=sessions,
                client_address="Richtige Str. 3\n10437 Berlin",
            )

        job(issued, bill)
        counts["invoices"] += 1
    while jobs:
        jobs.sort(key=lambda j: (j[0], j[1]))
        _day, _n, fn = jobs.pop(0)
        fn()

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
