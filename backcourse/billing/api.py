"""Money in the JSON API: invoices, payments and package balances (django-ninja router,
mounted at /api/v1/billing/ by `api/api.py`). Same scoping as the pages: objects of
another practice answer 404; invoices and payments are for owners and front desk (403
for therapists); package balances for any staff of the practice. Amounts are decimal
strings with an ISO 4217 currency code, never floats."""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from backcourse.api.errors import ERRORS, IsoDate
from backcourse.billing import selectors, services
from backcourse.billing.access import handles_money
from backcourse.billing.models import Invoice, Payment
from backcourse.practices.access import access_client

router = Router(tags=["billing"])

MAX_LIMIT = 200
MAX_OFFSET = 1_000_000  # beyond any practice's rows; larger numbers crash databases


class LineOut(Schema):
    kind: str
    description: str
    quantity: int
    unit_price: Decimal
    tax_rate: Decimal
    tax_exempt: bool
    net: Decimal
    tax: Decimal
    gross: Decimal
    session_id: int | None
    package_id: int | None


class PaymentOut(Schema):
    id: int
    invoice_id: int
    amount: Decimal = Field(description="Negative for a refund.")
    currency: str
    method: str
    received_on: date
    reference: str
    is_overpayment: bool


class InvoiceOut(Schema):
    id: int
    number: str = Field(alias="number_text")
    kind: str = Field(description="invoice or credit_note")
    corrects_id: int | None = Field(description="For a credit note: the invoice it cancels.")
    client_id: int
    issued_on: date
    due_on: date
    currency: str
    net_total: Decimal
    tax_total: Decimal
    total: Decimal
    paid: Decimal
    balance: Decimal = Field(description="Still owed (negative: owed to the client).")
    created_at: datetime

    # Sums come back from SQLite without their scale; answer in cents always.
    @staticmethod
    def resolve_paid(obj) -> Decimal:
        return services.money(obj.paid)

    @staticmethod
    def resolve_balance(obj) -> Decimal:
        return services.money(obj.balance)


class InvoiceDetailOut(InvoiceOut):
    lines: list[LineOut]
    payments: list[PaymentOut]


class InvoicePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[InvoiceOut]


class PaymentIn(Schema):
    amount: Decimal = Field(description="Decimal string; negative for a refund.")
    currency: str = Field(description="Must be the invoice's currency.")
    method: str = Field(description="cash, card or transfer (vouchers: on the invoice page).")
    received_on: IsoDate | None = None
    reference: str = ""
    is_overpayment: bool = Field(
        False, description="Accept more than the balance; the difference is kept as credit."
    )


class PackageOut(Schema):
    id: int
    name: str
    course_id: int | None
    sessions_total: int
    sessions_used: int
    sessions_left: int
    sessions_booked: int = Field(description="Booked ahead in the package's period.")
    valid_from: date
    valid_until: date
    expired: bool
    price: Decimal
    currency: str


def _money_staff(request: HttpRequest) -> None:
    if not handles_money(request.staff):
        raise HttpError(403, "Invoices and payments are for owners and front desk.")


def _invoices(request):
    return selectors.invoices_with_balance(Invoice.objects.filter(practice=request.practice))


@router.get("/invoices", response={200: InvoicePage, **ERRORS}, url_name="billing_invoices")
def invoice_list(
    request: HttpRequest,
    client_id: int | None = None,
    issued_from: IsoDate | None = None,
    issued_until: IsoDate | None = None,
    outstanding: bool = False,
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """Invoices and credit notes of your practice, newest first, with paid and balance."""
    _money_staff(request)
    qs = _invoices(request).order_by("-number")
    if client_id is not None:
        qs = qs.filter(client=access_client(request, client_id))
    if issued_from:
        qs = qs.filter(issued_on__gte=issued_from)
    if issued_until:
        qs = qs.filter(issued_on__lte=issued_until)
    if outstanding:
        qs = qs.filter(balance__gt=0, kind=Invoice.Kind.INVOICE)
    return {
        "count": qs.count(),
        "limit": limit,
        "offset": offset,
        "items": list(qs[offset : offset + limit]),
    }


@router.get(
    "/invoices/{invoice_id}",
    response={200: InvoiceDetailOut, **ERRORS},
    url_name="billing_invoice",
)
def invoice_detail(request: HttpRequest, invoice_id: int):
    """One invoice or credit note with its lines and payments."""
    _money_staff(request)
    return get_object_or_404(_invoices(request), pk=invoice_id)


@router.post(
    "/invoices/{invoice_id}/payments",
    response={201: PaymentOut, **ERRORS},
    url_name="billing_invoice_payments",
)
def payment_create(request: HttpRequest, invoice_id: int, payload: PaymentIn):
    """Record a payment (or, negative, a refund). Refused with 422 and nothing saved if
    it is larger than the balance (unless `is_overpayment`), a refund larger than what
    was paid, in another currency, or zero."""
    _money_staff(request)
    invoice = get_object_or_404(Invoice.objects.filter(practice=request.practice), pk=invoice_id)
    if payload.method == Payment.Method.VOUCHER:
        raise HttpError(422, "Vouchers are redeemed by code on the invoice page.")
    try:
        payment = services.payment_record(
            invoice=invoice,
            amount=str(payload.amount),
            currency=payload.currency,
            method=payload.method,
            received_on=payload.received_on,
            reference=payload.reference,
            is_overpayment=payload.is_overpayment,
            by=request.user,
            request=request,
        )
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages)) from exc
    return Status(201, payment)


@router.get("/payments", response={200: list[PaymentOut], **ERRORS}, url_name="billing_payments")
def payment_list(
    request: HttpRequest,
    received_from: IsoDate,
    received_until: IsoDate,
):
    """Payments and refunds of your practice received in the date range (at most a year)."""
    _money_staff(request)
    if received_until < received_from or (received_until - received_from).days > 366:
        raise HttpError(422, "Give a range of at most 366 days, the end not before the start.")
    return list(
        Payment.objects.filter(
            practice=request.practice,
            received_on__gte=received_from,
            received_on__lte=received_until,
        ).order_by("received_on", "id")
    )


@router.get(
    "/clients/{client_id}/packages",
    response={200: list[PackageOut], **ERRORS},
    url_name="billing_client_packages",
)
def client_packages(request: HttpRequest, client_id: int):
    """The client's packages with sessions used, left and booked ahead."""
    client = access_client(request, client_id)
    return [
        {
            "id": b.package.pk,
            "name": b.package.name,
            "course_id": b.package.course_id,
            "sessions_total": b.package.sessions_total,
            "sessions_used": b.used,
            "sessions_left": b.left,
            "sessions_booked": b.booked,
            "valid_from": b.package.valid_from,
            "valid_until": b.package.valid_until,
            "expired": b.expired,
            "price": b.package.price,
            "currency": b.package.currency,
        }
        for b in selectors.package_balances(client)
    ]
