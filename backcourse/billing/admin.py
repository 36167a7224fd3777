"""Money settings, prices and vouchers are edited here by owners; invoices, payments,
packages and fees are only shown: they change through the money pages (services), which
keep the numbering, immutability and audit rules."""

from django.contrib import admin

from backcourse.billing.models import (
    BillingSettings,
    FeeProposal,
    Invoice,
    InvoiceLine,
    Package,
    Payment,
    Price,
    Voucher,
)
from backcourse.practices.admin_scoping import PracticeScopedAdmin


class ReadOnlyAdmin(PracticeScopedAdmin, admin.ModelAdmin):
    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BillingSettings)
class BillingSettingsAdmin(PracticeScopedAdmin, admin.ModelAdmin):
    list_display = ["practice", "currency", "payment_terms_days", "no_show_policy"]

    def get_readonly_fields(self, request, obj=None):
        # Once invoices exist, the counter is the services' alone (no gaps, no repeats).
        if obj is not None and Invoice.objects.filter(practice=obj.practice).exists():
            return ["next_invoice_number"]
        return []


@admin.register(Price)
class PriceAdmin(PracticeScopedAdmin, admin.ModelAdmin):
    list_display = ["session_type", "duration_minutes", "amount", "tax_rate", "tax_exempt"]
    list_filter = ["practice"]


@admin.register(Voucher)
class VoucherAdmin(PracticeScopedAdmin, admin.ModelAdmin):
    list_display = ["code", "kind", "amount", "sessions", "valid_until", "redeemed_at"]
    list_filter = ["practice", "kind"]
    readonly_fields = ["redeemed_at", "redeemed_by_client"]
    search_fields = ["code"]


@admin.register(Package)
class PackageAdmin(ReadOnlyAdmin):
    list_display = ["name", "client", "sessions_total", "price", "valid_from", "valid_until"]
    list_filter = ["practice"]


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    fields = ["description", "quantity", "unit_price", "tax_rate", "tax_exempt", "gross"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number_text", "kind", "client_name", "issued_on", "total", "currency"]
    list_filter = ["practice", "kind"]
    search_fields = ["number_text", "client_name"]
    inlines = [InvoiceLineInline]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["received_on", "invoice", "amount", "currency", "method"]
    list_filter = ["practice", "method"]


@admin.register(FeeProposal)
class FeeProposalAdmin(ReadOnlyAdmin):
    list_display = ["session", "kind", "amount", "state"]
    list_filter = ["practice", "state"]
    practice_path = "practice"
