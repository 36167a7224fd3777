"""Money: prices, packages, vouchers, invoices, payments and proposed fees.

Amounts are `Decimal` with two places, always next to an ISO 4217 currency code (the
practice's, from `BillingSettings`); never floats. An issued invoice is never changed or
deleted: `Invoice.save`/`delete` refuse it, and a correction is a credit note that refers
to the original. Writes go through `billing.services`.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from backcourse.clients.models import Client
from backcourse.courses.models import Course
from backcourse.practices.models import Practice
from backcourse.scheduling.models import Session, SessionType

MAX_AMOUNT = Decimal("100000.00")  # anything above is a typing error, not a price
CENT = Decimal("0.01")


def money_field(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, **kwargs)


def tax_rate_field() -> models.DecimalField:
    return models.DecimalField(
        _("tax rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )


currency_validator = RegexValidator(r"^[A-Z]{3}$", _("Use a three-letter ISO 4217 code (EUR)."))


class BillingSettings(models.Model):
    """A practice's money settings: currency, tax, payment terms, bank, fee policy and
    the invoice number counter (locked while an invoice is numbered, see services)."""

    class NoShowPolicy(models.TextChoices):
        DRAW = "draw", _("A no-show uses one package session")
        KEEP = "keep", _("A no-show does not use a package session")

    practice = models.OneToOneField(Practice, on_delete=models.CASCADE, related_name="billing")
    currency = models.CharField(
        _("currency"), max_length=3, default="EUR", validators=[currency_validator]
    )
    tax_id = models.CharField(_("tax number / VAT ID"), max_length=60, blank=True)
    exemption_text = models.TextField(
        _("tax exemption text"),
        blank=True,
        help_text=_("Printed on invoices with exempt lines, e.g. the law that exempts them."),
    )
    payment_terms_days = models.PositiveSmallIntegerField(
        _("payment due after (days)"), default=14, validators=[MaxValueValidator(365)]
    )
    payment_terms_text = models.TextField(_("payment terms"), blank=True)
    bank_details = models.TextField(_("bank details"), blank=True)
    invoice_prefix = models.CharField(_("invoice number prefix"), max_length=20, blank=True)
    next_invoice_number = models.PositiveIntegerField(_("next invoice number"), default=1)
    no_show_policy = models.CharField(
        _("no-shows and packages"),
        max_length=8,
        choices=NoShowPolicy.choices,
        default=NoShowPolicy.DRAW,
    )
    no_show_fee = money_field(
        _("no-show fee"),
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_AMOUNT)],
    )
    late_cancel_fee = money_field(
        _("late-cancellation fee"),
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_AMOUNT)],
        help_text=_("Proposed when a session is cancelled within the practice's notice period."),
    )
    reminder_after_days = models.PositiveSmallIntegerField(
        _("reminder after days overdue"), default=7, validators=[MaxValueValidator(365)]
    )

    class Meta:
        verbose_name = _("billing settings")
        verbose_name_plural = _("billing settings")

    def __str__(self) -> str:
        return str(self.practice)


class Price(models.Model):
    """What a session of a type and length costs. An empty session type is the price
    for any session of that length that has no price of its own."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="prices")
    session_type = models.ForeignKey(
        SessionType,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="prices",
        verbose_name=_("session type"),
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(10), MaxValueValidator(240)]
    )
    amount = money_field(
        _("price"), validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_AMOUNT)]
    )
    tax_rate = tax_rate_field()
    tax_exempt = models.BooleanField(
        _("tax exempt"), default=False, help_text=_("The invoice prints the exemption text.")
    )

    class Meta:
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        ordering = ["session_type__name", "duration_minutes"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "session_type", "duration_minutes"], name="price_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.session_type or '—'} {self.duration_minutes} min: {self.amount}"

    def clean(self) -> None:
        if self.session_type_id and self.session_type.practice_id != self.practice_id:
            raise ValidationError({"session_type": _("This session type is another practice's.")})


class Package(models.Model):
    """N sessions sold for one price, valid for a period. Held sessions draw it down
    (one `PackageDraw` each); a sessions voucher becomes a package at price 0."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="packages")
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="packages", verbose_name=_("client")
    )
    course = models.ForeignKey(
        Course,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="packages",
        verbose_name=_("course"),
    )
    name = models.CharField(_("name"), max_length=120)
    sessions_total = models.PositiveSmallIntegerField(
        _("sessions"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    price = money_field(
        _("package price"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_AMOUNT)],
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_validator])
    tax_rate = tax_rate_field()
    tax_exempt = models.BooleanField(_("tax exempt"), default=False)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("package")
        verbose_name_plural = _("packages")
        ordering = ["-valid_from", "-id"]
        indexes = [models.Index(fields=["client", "valid_until"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("valid_from")),
                name="package_valid_until_after_from",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.client}"

    def covers(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_until


class PackageDraw(models.Model):
    """One package session used by one session. The one-to-one on the session is what
    makes "each held session draws one credit" hold however often its status changes."""

    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="draws")
    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="package_draw")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("package session used")
        verbose_name_plural = _("package sessions used")

    def __str__(self) -> str:
        return f"{self.package} · {self.session}"


class Voucher(models.Model):
    """A gift voucher: a code worth an amount or a number of sessions, redeemed once."""

    class Kind(models.TextChoices):
        AMOUNT = "amount", _("Amount")
        SESSIONS = "sessions", _("Sessions")

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="vouchers")
    code = models.CharField(_("code"), max_length=32)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    amount = money_field(
        _("amount"),
        null=True,
        blank=True,
        validators=[MinValueValidator(CENT), MaxValueValidator(MAX_AMOUNT)],
    )
    currency = models.CharField(
        _("currency"), max_length=3, default="EUR", validators=[currency_validator]
    )
    sessions = models.PositiveSmallIntegerField(
        _("sessions"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    valid_until = models.DateField(_("valid until"))
    redeemed_at = models.DateTimeField(_("redeemed"), null=True, blank=True)
    redeemed_by_client = models.ForeignKey(
        Client, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "code"], name="voucher_code_unique"),
            models.CheckConstraint(
                condition=models.Q(kind="amount", amount__isnull=False)
                | models.Q(kind="sessions", sessions__isnull=False),
                name="voucher_has_value",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class IssuedInvoiceError(Exception):
    """Raised on any attempt to change or delete an issued invoice or its lines."""


class Invoice(models.Model):
    """An issued invoice or credit note. Issued on creation: numbered, immutable.

    Names and addresses are copied in, so the document stays what was sent even when
    the practice or client changes later."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        CREDIT_NOTE = "credit_note", _("Credit note")

    # Fields that may still change after issue: delivery bookkeeping, not content.
    MUTABLE_FIELDS = frozenset({"emailed_at", "reminded_at"})

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="invoices")
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("client")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.INVOICE)
    number = models.PositiveIntegerField(_("number"))
    number_text = models.CharField(_("invoice number"), max_length=40)
    corrects = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_note",
        verbose_name=_("corrects invoice"),
    )
    issued_on = models.DateField(_("issued on"))
    due_on = models.DateField(_("due on"))
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_validator])
    language = models.CharField(_("language"), max_length=8)
    practice_name = models.CharField(max_length=200)
    practice_address = models.TextField(blank=True)
    practice_tax_id = models.CharField(max_length=60, blank=True)
    client_name = models.CharField(max_length=200)
    client_address = models.TextField(_("client address"), blank=True)
    client_email = models.EmailField(blank=True)
    exemption_text = models.TextField(blank=True)
    payment_terms_text = models.TextField(blank=True)
    bank_details = models.TextField(blank=True)
    net_total = money_field(_("net"))
    tax_total = money_field(_("tax"))
    total = money_field(_("total"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    emailed_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-number"]
        indexes = [models.Index(fields=["practice", "issued_on"])]
        constraints = [
            # The service numbers under a row lock; this is the database's backstop.
            models.UniqueConstraint(fields=["practice", "number"], name="invoice_number_unique")
        ]

    def __str__(self) -> str:
        return self.number_text

    def save(self, *args, **kwargs):
        if not self._state.adding:
            fields = kwargs.get("update_fields")
            if fields is None or not set(fields) <= self.MUTABLE_FIELDS:
                raise IssuedInvoiceError(_("An issued invoice cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise IssuedInvoiceError(_("An issued invoice cannot be deleted."))

    @property
    def is_credit_note(self) -> bool:
        return self.kind == self.Kind.CREDIT_NOTE


class InvoiceLine(models.Model):
    """One line: a held session, a package, a fee or a voucher's value. Amounts are
    stored as computed at issue (net + tax = gross), never recomputed."""

    class Kind(models.TextChoices):
        SESSION = "session", _("Session")
        PACKAGE = "package", _("Package")
        FEE = "fee", _("Fee")

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=300)
    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, null=True, blank=True, related_name="invoice_lines"
    )
    package = models.ForeignKey(
        Package, on_delete=models.PROTECT, null=True, blank=True, related_name="invoice_lines"
    )
    fee = models.ForeignKey(
        "FeeProposal", on_delete=models.PROTECT, null=True, blank=True, related_name="lines"
    )
    quantity = models.PositiveSmallIntegerField(default=1)
    unit_price = money_field(_("unit price"))
    tax_rate = tax_rate_field()
    tax_exempt = models.BooleanField(default=False)
    net = money_field(_("net"))
    tax = money_field(_("tax"))
    gross = money_field(_("gross"))

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise IssuedInvoiceError(_("An issued invoice cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise IssuedInvoiceError(_("An issued invoice cannot be deleted."))


class Payment(models.Model):
    """Money received against an invoice (positive) or paid back (a refund, negative)."""

    class Method(models.TextChoices):
        CASH = "cash", _("Cash")
        CARD = "card", _("Card terminal")
        TRANSFER = "transfer", _("Bank transfer")
        VOUCHER = "voucher", _("Voucher")

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="payments")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    amount = money_field(_("amount"))
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_validator])
    method = models.CharField(_("method"), max_length=8, choices=Method.choices)
    received_on = models.DateField(_("date"))
    reference = models.CharField(_("reference"), max_length=120, blank=True)
    is_overpayment = models.BooleanField(
        _("overpayment kept as credit"),
        default=False,
        help_text=_("More than the balance was paid; the difference is the client's credit."),
    )
    voucher = models.OneToOneField(
        Voucher, on_delete=models.PROTECT, null=True, blank=True, related_name="payment"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["received_on", "id"]
        indexes = [models.Index(fields=["practice", "received_on"])]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} · {self.invoice}"

    @property
    def is_refund(self) -> bool:
        return self.amount < 0


class FeeProposal(models.Model):
    """A late-cancellation or no-show fee proposed when staff mark the session; staff
    invoice it or waive it with a reason."""

    class Kind(models.TextChoices):
        LATE_CANCEL = "late_cancel", _("Late-cancellation fee")
        NO_SHOW = "no_show", _("No-show fee")

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        INVOICED = "invoiced", _("Invoiced")
        WAIVED = "waived", _("Waived")

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="fees")
    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="fee")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    amount = money_field(_("amount"))
    currency = models.CharField(max_length=3, validators=[currency_validator])
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PROPOSED
    )
    waive_reason = models.CharField(_("reason for waiving"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("proposed fee")
        verbose_name_plural = _("proposed fees")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.session}"
