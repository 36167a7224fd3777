"""Every write to money: prices are admin data; everything else goes through here.

Guarantees kept here:
- Invoice numbers run per practice without gaps: the number is taken from the
  practice's `BillingSettings` row under a row lock (`SELECT … FOR UPDATE` on
  PostgreSQL; SQLite's IMMEDIATE transactions serialize writers) in the same transaction
  that writes the invoice, so a failed invoice rolls its number back with it.
- An issued invoice is never changed (see `Invoice.save`); a credit note corrects it.
- A payment never exceeds the balance unless recorded as an overpayment, and a refund
  never exceeds what was paid; the invoice row is locked while this is checked.
- A voucher is redeemed once: a conditional UPDATE claims it.
- Each held session draws at most one package session (`PackageDraw` is one-to-one with
  the session); `session_status_changed` reconciles draws and fees on every status
  change, whichever path made it.
- Every change is written to the audit trail (`audit.AccessEvent`, action "change").

Errors are `ValidationError`s with a clear message; nothing is saved when one is raised.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from backcourse.audit.models import AccessEvent
from backcourse.audit.services import access_event_record
from backcourse.billing import tasks
from backcourse.billing.models import (
    CENT,
    MAX_AMOUNT,
    BillingSettings,
    FeeProposal,
    Invoice,
    InvoiceLine,
    Package,
    PackageDraw,
    Payment,
    Price,
    Voucher,
)
from backcourse.scheduling.models import Session

HELD = Session.Status.COMPLETED


# --------------------------------------------------------------------------- helpers


def money(value) -> Decimal:
    """A Decimal rounded to cents; refuses floats (they cannot hold cents exactly)."""
    if isinstance(value, float):
        raise TypeError("money is never a float")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_amount(value, *, allow_negative: bool = False) -> Decimal:
    """Typed text → Decimal, with the message a person can act on."""
    try:
        amount = money(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise ValidationError(_("“%(v)s” is not an amount."), params={"v": value}) from exc
    if not amount.is_finite():
        raise ValidationError(_("“%(v)s” is not an amount."), params={"v": value})
    if amount < 0 and not allow_negative:
        raise ValidationError(_("The amount cannot be negative."))
    if abs(amount) > MAX_AMOUNT:
        raise ValidationError(
            _("%(v)s is more than the largest amount allowed (%(max)s)."),
            params={"v": amount, "max": MAX_AMOUNT},
        )
    return amount


def billing_settings(practice) -> BillingSettings:
    row, _created = BillingSettings.objects.get_or_create(practice=practice)
    return row


def billing_settings_read(practice) -> BillingSettings:
    """The practice's settings, or the defaults (unsaved) if it has none: reading them on
    every status change must not write."""
    return BillingSettings.objects.filter(practice=practice).first() or BillingSettings(
        practice=practice
    )


def split_gross(gross: Decimal, tax_rate: Decimal, exempt: bool) -> tuple[Decimal, Decimal]:
    """Prices are what the client pays (gross); the tax inside them is worked out."""
    if exempt or not tax_rate:
        return gross, Decimal("0.00")
    net = money(gross * 100 / (100 + tax_rate))
    return net, gross - net


def price_for(session: Session) -> Price | None:
    prices = Price.objects.filter(
        practice_id=session.practice_id, duration_minutes=session.duration_minutes
    )
    if session.session_type_id:
        own = prices.filter(session_type_id=session.session_type_id).first()
        if own:
            return own
    return prices.filter(session_type__isnull=True).first()


def _audit(*, by, request, client, what: str) -> None:
    if request is not None:
        access_event_record(request=request, client=client, what=what, action="change")
    else:
        AccessEvent.objects.create(
            user=by, practice_id=client.practice_id, client=client, action="change", what=what
        )


def _local_date(practice, when: datetime) -> date:
    return when.astimezone(practice.zone).date()


# --------------------------------------------------------------------------- packages


def _packages_for(session: Session):
    day = _local_date(session.practice, session.starts_at)
    packages = Package.objects.filter(
        client_id=session.client_id, valid_from__lte=day, valid_until__gte=day
    ).order_by("valid_until", "id")
    # A package sold for this course first; then one not tied to a course.
    ranked = [p for p in packages if session.course_id and p.course_id == session.course_id]
    ranked += [p for p in packages if p.course_id is None]
    return ranked


def package_draw_reconcile(*, session: Session, status: str | None = None) -> PackageDraw | None:
    """Make the session's package use match its status (`status`: the one it is moving
    to, if not saved yet): held and, by the practice's policy, no-show sessions use one
    package session; every other status none."""
    settings_row = billing_settings_read(session.practice)
    status = status or session.status
    draws = status == HELD or (
        status == Session.Status.NO_SHOW
        and settings_row.no_show_policy == BillingSettings.NoShowPolicy.DRAW
    )
    existing = PackageDraw.objects.filter(session=session).first()
    if not draws:
        if existing:
            existing.delete()
        return None
    if existing:
        return existing
    if session_is_invoiced(session):
        return None  # invoiced on its own already
    for package in _packages_for(session):
        # Lock the package so two sessions held at once cannot both take its last credit.
        locked = Package.objects.select_for_update().get(pk=package.pk)
        if locked.draws.count() < locked.sessions_total:
            return PackageDraw.objects.create(package=locked, session=session)
    return None


def _fee_reconcile(*, session: Session, old: str | None, new: str, now: datetime) -> None:
    settings_row = billing_settings_read(session.practice)
    fee = FeeProposal.objects.filter(session=session).first()
    kind = None
    amount = Decimal("0")
    if new == Session.Status.NO_SHOW:
        kind, amount = FeeProposal.Kind.NO_SHOW, settings_row.no_show_fee
    elif new == Session.Status.CANCELLED:
        notice = timedelta(hours=session.practice.cancellation_notice_hours)
        if now > session.starts_at - notice:
            kind, amount = FeeProposal.Kind.LATE_CANCEL, settings_row.late_cancel_fee
    if fee and fee.state == FeeProposal.State.PROPOSED and fee.kind != kind:
        fee.delete()  # the session was corrected: the proposal no longer applies
        fee = None
    if kind and amount > 0 and fee is None:
        FeeProposal.objects.create(
            practice=session.practice,
            session=session,
            kind=kind,
            amount=amount,
            currency=settings_row.currency,
        )


def session_status_changed(
    *, session: Session, old: str | None, new: str, by=None, now: datetime | None = None
) -> None:
    """The one coupling from sessions to money; called on every status change (`old` is
    None when the session was just booked: nothing to do then, not even a savepoint,
    so booking costs no extra query)."""
    if old == new or old is None:
        return
    with transaction.atomic():
        package_draw_reconcile(session=session, status=new)
        _fee_reconcile(session=session, old=old, new=new, now=now or timezone.now())


@transaction.atomic
def package_sell(
    *,
    client,
    course=None,
    name: str,
    sessions_total: int,
    price,
    months: int,
    tax_rate=Decimal("0"),
    tax_exempt: bool = True,
    valid_from: date | None = None,
    client_address: str = "",
    issued_on: date | None = None,
    by=None,
    request=None,
) -> tuple[Package, Invoice]:
    """Sell a package and issue its invoice in one step (dated today)."""
    practice = client.practice
    if course is not None and course.client_id != client.pk:
        raise ValidationError(_("This course belongs to another client."))
    if not 1 <= int(sessions_total) <= 100:
        raise ValidationError(_("A package has between 1 and 100 sessions."))
    if not 1 <= int(months) <= 60:
        raise ValidationError(_("A package is valid for 1 to 60 months."))
    price = parse_amount(price)
    valid_from = valid_from or timezone.localdate(timezone=practice.zone)
    package = Package.objects.create(
        practice=practice,
        client=client,
        course=course,
        name=name.strip() or _("Package"),
        sessions_total=sessions_total,
        price=price,
        currency=billing_settings(practice).currency,
        tax_rate=tax_rate,
        tax_exempt=tax_exempt,
        valid_from=valid_from,
        valid_until=valid_from + relativedelta(months=int(months)) - timedelta(days=1),
        created_by=by,
    )
    with translation.override(practice.language):
        description = _("%(name)s: %(n)s sessions, valid until %(until)s") % {
            "name": package.name,
            "n": package.sessions_total,
            "until": formats.date_format(package.valid_until, "DATE_FORMAT"),
        }
    invoice = _issue(
        practice=practice,
        client=client,
        lines=[
            LineSpec(
                kind=InvoiceLine.Kind.PACKAGE,
                description=description,
                unit_price=price,
                tax_rate=package.tax_rate,
                tax_exempt=package.tax_exempt,
                package=package,
            )
        ],
        client_address=client_address,
        issued_on=issued_on,
        by=by,
    )
    _audit(by=by, request=request, client=client, what=f"package {package.pk} sold")
    # Sessions already held in the package's period and not billed use it up now.
    for session in Session.objects.filter(client=client, status=HELD, package_draw__isnull=True):
        package_draw_reconcile(session=session)
    return package, invoice


# --------------------------------------------------------------------------- invoices


@dataclass
class LineSpec:
    kind: str
    description: str
    unit_price: Decimal
    tax_rate: Decimal = Decimal("0")
    tax_exempt: bool = False
    quantity: int = 1
    session: Session | None = None
    package: Package | None = None
    fee: FeeProposal | None = None


def _next_number(practice) -> tuple[int, str]:
    billing_settings(practice)
    row = BillingSettings.objects.select_for_update().get(practice=practice)
    number = row.next_invoice_number
    BillingSettings.objects.filter(pk=row.pk).update(
        next_invoice_number=F("next_invoice_number") + 1
    )
    return number, f"{row.invoice_prefix}{number}"


def _issue(
    *,
    practice,
    client,
    lines: list[LineSpec],
    client_address: str = "",
    kind: str = Invoice.Kind.INVOICE,
    corrects: Invoice | None = None,
    reason: str = "",
    issued_on: date | None = None,
    by=None,
) -> Invoice:
    if not lines:
        raise ValidationError(_("Choose at least one thing to invoice."))
    settings_row = billing_settings(practice)
    issued_on = issued_on or timezone.localdate(timezone=practice.zone)
    computed = []
    for spec in lines:
        gross = money(spec.unit_price * spec.quantity)
        if abs(gross) > MAX_AMOUNT:
            raise ValidationError(
                _("A line cannot be more than %(max)s."), params={"max": MAX_AMOUNT}
            )
        net, tax = split_gross(gross, spec.tax_rate, spec.tax_exempt)
        computed.append((spec, net, tax, gross))
    number, number_text = _next_number(practice)
    invoice = Invoice.objects.create(
        practice=practice,
        client=client,
        kind=kind,
        number=number,
        number_text=number_text,
        corrects=corrects,
        issued_on=issued_on,
        due_on=issued_on + timedelta(days=settings_row.payment_terms_days),
        currency=settings_row.currency,
        language=practice.language,
        practice_name=practice.name,
        practice_address=practice.address,
        practice_tax_id=settings_row.tax_id,
        client_name=client.full_name,
        client_address=client_address.strip() or _last_address(client),
        client_email=client.email,
        exemption_text=settings_row.exemption_text
        if any(spec.tax_exempt for spec, *_rest in computed)
        else "",
        payment_terms_text=settings_row.payment_terms_text,
        bank_details=settings_row.bank_details,
        net_total=sum((c[1] for c in computed), Decimal("0.00")),
        tax_total=sum((c[2] for c in computed), Decimal("0.00")),
        total=sum((c[3] for c in computed), Decimal("0.00")),
        reason=reason,
        created_by=by,
    )
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=invoice,
            kind=spec.kind,
            description=spec.description[:300],
            session=spec.session,
            package=spec.package,
            fee=spec.fee,
            quantity=spec.quantity,
            unit_price=spec.unit_price,
            tax_rate=spec.tax_rate,
            tax_exempt=spec.tax_exempt,
            net=net,
            tax=tax,
            gross=gross,
        )
        for spec, net, tax, gross in computed
    )
    return invoice


def _last_address(client) -> str:
    last = Invoice.objects.filter(client=client).exclude(client_address="").first()
    return last.client_address if last else ""


def session_is_invoiced(session: Session) -> bool:
    """On an invoice that has not been cancelled by a credit note."""
    return InvoiceLine.objects.filter(
        session=session, invoice__kind=Invoice.Kind.INVOICE, invoice__credit_note__isnull=True
    ).exists()


def session_line(session: Session) -> LineSpec:
    """The invoice line for one held session at its price; refuses what cannot be billed."""
    when = formats.date_format(
        timezone.localtime(session.starts_at, session.practice.zone), "DATE_FORMAT"
    )
    if session.status == Session.Status.CANCELLED:
        raise ValidationError(
            _("The session on %(when)s was cancelled; a cancelled session cannot be invoiced."),
            params={"when": when},
        )
    if session.status != HELD:
        raise ValidationError(
            _("The session on %(when)s has not been held; only held sessions are invoiced."),
            params={"when": when},
        )
    if PackageDraw.objects.filter(session=session).exists():
        raise ValidationError(
            _("The session on %(when)s is paid by a package."), params={"when": when}
        )
    if session_is_invoiced(session):
        raise ValidationError(
            _("The session on %(when)s is already invoiced."), params={"when": when}
        )
    price = price_for(session)
    if price is None:
        raise ValidationError(
            _(
                "There is no price for a %(minutes)s-minute session of this type; "
                "add one under Administration → Prices."
            ),
            params={"minutes": session.duration_minutes},
        )
    kind = session.session_type.name if session.session_type_id else _("Session")
    return LineSpec(
        kind=InvoiceLine.Kind.SESSION,
        description=f"{when} · {kind} ({session.duration_minutes} min) · {session.therapist.name}",
        unit_price=price.amount,
        tax_rate=price.tax_rate,
        tax_exempt=price.tax_exempt,
        session=session,
    )


@transaction.atomic
def invoice_for_sessions(
    *, client, sessions, client_address: str = "", issued_on=None, by=None, request=None
) -> Invoice:
    """Invoice held sessions at their prices. `issued_on` is for the demo data only; the
    pages always issue today."""
    practice = client.practice
    sessions = list(
        Session.objects.select_for_update()
        .filter(pk__in=[s.pk for s in sessions])
        .order_by("starts_at")
    )
    if any(s.client_id != client.pk for s in sessions):
        raise ValidationError(_("A session of another client cannot be on this invoice."))
    sessions = list(
        Session.objects.filter(pk__in=[s.pk for s in sessions])
        .select_related("practice", "therapist__user", "session_type")
        .order_by("starts_at")
    )
    with translation.override(practice.language):
        lines = [session_line(s) for s in sessions]
    invoice = _issue(
        practice=practice,
        client=client,
        lines=lines,
        client_address=client_address,
        issued_on=issued_on,
        by=by,
    )
    _audit(by=by, request=request, client=client, what=f"invoice {invoice.number_text} issued")
    return invoice


@transaction.atomic
def fee_invoice(*, fee: FeeProposal, client_address: str = "", by=None, request=None) -> Invoice:
    fee = FeeProposal.objects.select_for_update().select_related("session__practice").get(pk=fee.pk)
    if fee.state != FeeProposal.State.PROPOSED:
        raise ValidationError(
            _("This fee was already %(state)s."), params={"state": fee.get_state_display().lower()}
        )
    session = fee.session
    practice = session.practice
    with translation.override(practice.language):
        when = formats.date_format(
            timezone.localtime(session.starts_at, practice.zone), "DATE_FORMAT"
        )
        description = f"{FeeProposal.Kind(fee.kind).label} · {when}"
    invoice = _issue(
        practice=practice,
        client=session.client,
        lines=[
            LineSpec(
                kind=InvoiceLine.Kind.FEE,
                description=description,
                unit_price=fee.amount,
                tax_exempt=False,
                fee=fee,
            )
        ],
        client_address=client_address,
        by=by,
    )
    fee.state = FeeProposal.State.INVOICED
    fee.decided_by = by
    fee.save(update_fields=["state", "decided_by"])
    _audit(
        by=by, request=request, client=session.client, what=f"fee invoiced {invoice.number_text}"
    )
    return invoice


@transaction.atomic
def fee_waive(*, fee: FeeProposal, reason: str, by=None, request=None) -> FeeProposal:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the fee is waived."))
    changed = FeeProposal.objects.filter(pk=fee.pk, state=FeeProposal.State.PROPOSED).update(
        state=FeeProposal.State.WAIVED, waive_reason=reason[:300], decided_by=by
    )
    if not changed:
        raise ValidationError(_("This fee was already decided."))
    fee.refresh_from_db()
    _audit(by=by, request=request, client=fee.session.client, what=f"fee {fee.pk} waived: {reason}")
    return fee


@transaction.atomic
def credit_note_issue(*, invoice: Invoice, reason: str, by=None, request=None) -> Invoice:
    """Cancel an invoice by a credit note with the same lines, negated. The sessions,
    package or fee on it can then be invoiced again."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    reason = (reason or "").strip()
    if invoice.is_credit_note:
        raise ValidationError(_("A credit note cannot itself be credited."))
    if Invoice.objects.filter(corrects=invoice).exists():
        raise ValidationError(_("This invoice already has a credit note."))
    if not reason:
        raise ValidationError(_("Say why the invoice is cancelled."))
    with translation.override(invoice.language):
        lines = [
            LineSpec(
                kind=line.kind,
                description=line.description,
                unit_price=-line.unit_price,
                tax_rate=line.tax_rate,
                tax_exempt=line.tax_exempt,
                quantity=line.quantity,
                session=line.session,
                package=line.package,
                fee=line.fee,
            )
            for line in invoice.lines.all()
        ]
    credit = _issue(
        practice=invoice.practice,
        client=invoice.client,
        lines=lines,
        client_address=invoice.client_address,
        kind=Invoice.Kind.CREDIT_NOTE,
        corrects=invoice,
        reason=reason,
        by=by,
    )
    FeeProposal.objects.filter(lines__invoice=invoice).update(state=FeeProposal.State.PROPOSED)
    _audit(
        by=by,
        request=request,
        client=invoice.client,
        what=f"credit note {credit.number_text} for {invoice.number_text}",
    )
    return credit


def invoice_balance(invoice: Invoice) -> Decimal:
    """What the client still owes on an invoice (negative: what the practice owes back)."""
    if invoice.is_credit_note:
        return Decimal("0.00")
    paid = invoice.payments.aggregate(s=Sum("amount"))["s"] or Decimal("0")
    credited = Invoice.objects.filter(corrects=invoice).aggregate(s=Sum("total"))["s"] or 0
    return money(invoice.total + credited - paid)


# --------------------------------------------------------------------------- payments


@transaction.atomic
def payment_record(
    *,
    invoice: Invoice,
    amount,
    method: str,
    currency: str | None = None,
    received_on: date | None = None,
    reference: str = "",
    is_overpayment: bool = False,
    voucher: Voucher | None = None,
    by=None,
    request=None,
) -> Payment:
    """Record money received (positive) or refunded (negative) on an invoice."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    amount = parse_amount(amount, allow_negative=True)
    if amount == 0:
        raise ValidationError(_("The amount cannot be zero."))
    if method not in Payment.Method.values:
        raise ValidationError(_("Choose how it was paid."))
    if method == Payment.Method.VOUCHER and voucher is None:
        raise ValidationError(_("A voucher payment is recorded by redeeming the voucher's code."))
    currency = (currency or invoice.currency).upper()
    if currency != invoice.currency:
        raise ValidationError(
            _("This invoice is in %(inv)s; a payment in %(cur)s cannot be recorded on it."),
            params={"inv": invoice.currency, "cur": currency},
        )
    if invoice.is_credit_note:
        raise ValidationError(_("Record payments and refunds on the original invoice."))
    balance = invoice_balance(invoice)
    paid = money(invoice.payments.aggregate(s=Sum("amount"))["s"] or 0)
    if amount > 0 and amount > balance and not is_overpayment:
        if balance <= 0:
            raise ValidationError(_("Nothing is outstanding on this invoice."))
        raise ValidationError(
            _(
                "%(amount)s is more than the balance of %(balance)s. Record the difference "
                "as an overpayment kept as credit, or enter the balance."
            ),
            params={"amount": amount, "balance": balance},
        )
    if amount < 0 and -amount > paid:
        raise ValidationError(
            _("A refund cannot be more than what was paid (%(paid)s)."), params={"paid": paid}
        )
    today = timezone.localdate(timezone=invoice.practice.zone)
    received_on = received_on or today
    if received_on > today:
        raise ValidationError(_("A payment cannot be dated in the future."))
    payment = Payment.objects.create(
        practice=invoice.practice,
        invoice=invoice,
        amount=amount,
        currency=currency,
        method=method,
        received_on=received_on,
        reference=reference.strip()[:120],
        is_overpayment=is_overpayment and amount > balance,
        voucher=voucher,
        created_by=by,
    )
    what = "refund" if amount < 0 else "payment"
    _audit(
        by=by,
        request=request,
        client=invoice.client,
        what=f"{what} {amount} {currency} on {invoice.number_text}",
    )
    return payment


def _voucher_claim(*, practice, code: str, kind: str) -> Voucher:
    code = (code or "").strip().upper()
    voucher = Voucher.objects.filter(practice=practice, code__iexact=code).first()
    if voucher is None:
        raise ValidationError(
            _("There is no voucher with the code “%(code)s”."), params={"code": code}
        )
    if voucher.redeemed_at is not None:
        raise ValidationError(
            _("Voucher %(code)s has already been used."), params={"code": voucher.code}
        )
    if voucher.valid_until < timezone.localdate(timezone=practice.zone):
        raise ValidationError(_("Voucher %(code)s has expired."), params={"code": voucher.code})
    if voucher.kind != kind:
        if kind == Voucher.Kind.AMOUNT:
            raise ValidationError(
                _("This voucher is for sessions; redeem it on the client's page.")
            )
        raise ValidationError(_("This voucher is an amount; redeem it on an invoice."))
    claimed = Voucher.objects.filter(pk=voucher.pk, redeemed_at__isnull=True).update(
        redeemed_at=timezone.now()
    )
    if not claimed:  # somebody redeemed it a moment ago
        raise ValidationError(
            _("Voucher %(code)s has already been used."), params={"code": voucher.code}
        )
    voucher.refresh_from_db()
    return voucher


@transaction.atomic
def voucher_redeem_on_invoice(*, invoice: Invoice, code: str, by=None, request=None) -> Payment:
    """Pay (part of) an invoice with an amount voucher. The voucher is used up; a value
    above the balance is not paid out."""
    voucher = _voucher_claim(practice=invoice.practice, code=code, kind=Voucher.Kind.AMOUNT)
    if voucher.currency != invoice.currency:
        raise ValidationError(
            _("This voucher is in %(v)s, the invoice in %(i)s."),
            params={"v": voucher.currency, "i": invoice.currency},
        )
    balance = invoice_balance(invoice)
    if balance <= 0:
        raise ValidationError(_("Nothing is outstanding on this invoice."))
    Voucher.objects.filter(pk=voucher.pk).update(redeemed_by_client=invoice.client)
    return payment_record(
        invoice=invoice,
        amount=min(voucher.amount, balance),
        method=Payment.Method.VOUCHER,
        reference=voucher.code,
        voucher=voucher,
        by=by,
        request=request,
    )


@transaction.atomic
def voucher_redeem_sessions(*, client, code: str, course=None, by=None, request=None) -> Package:
    """A sessions voucher becomes a package at price 0 (used at booking time)."""
    voucher = _voucher_claim(practice=client.practice, code=code, kind=Voucher.Kind.SESSIONS)
    Voucher.objects.filter(pk=voucher.pk).update(redeemed_by_client=client)
    today = timezone.localdate(timezone=client.practice.zone)
    package = Package.objects.create(
        practice=client.practice,
        client=client,
        course=course,
        name=_("Voucher %(code)s") % {"code": voucher.code},
        sessions_total=voucher.sessions,
        price=Decimal("0.00"),
        currency=voucher.currency,
        tax_exempt=True,
        valid_from=today,
        valid_until=max(voucher.valid_until, today),
        created_by=by,
    )
    _audit(by=by, request=request, client=client, what=f"voucher {voucher.code} redeemed")
    return package


# --------------------------------------------------------------------------- email


def invoice_email_queue(*, invoice: Invoice) -> None:
    """Send the invoice PDF to the client after the transaction commits."""
    if not invoice.client_email:
        raise ValidationError(_("This client has no email address."))
    transaction.on_commit(lambda: tasks.invoice_email_send.enqueue(invoice.pk))
