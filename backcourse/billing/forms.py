from django import forms
from django.utils.translation import gettext_lazy as _

from backcourse.billing.models import Payment
from backcourse.security.limits import TEXT_MAX, PlausibleDateField


class InvoiceSessionsForm(forms.Form):
    sessions = forms.MultipleChoiceField(
        label=_("Held sessions to invoice"), widget=forms.CheckboxSelectMultiple
    )
    client_address = forms.CharField(
        max_length=TEXT_MAX,
        label=_("Client's address"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args, sessions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sessions"].choices = [(str(s.pk), str(s.pk)) for s in sessions]


class PackageSellForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, initial=_("Course package"))
    course = forms.TypedChoiceField(label=_("Course"), required=False, coerce=int, empty_value=None)
    sessions_total = forms.IntegerField(label=_("Sessions"), min_value=1, max_value=100, initial=6)
    price = forms.CharField(label=_("Package price"), max_length=20)
    months = forms.IntegerField(label=_("Valid for (months)"), min_value=1, max_value=60, initial=6)
    tax_exempt = forms.BooleanField(label=_("Tax exempt"), required=False, initial=True)
    tax_rate = forms.DecimalField(
        label=_("Tax rate (%)"),
        min_value=0,
        max_value=100,
        decimal_places=2,
        initial=0,
        required=False,
    )
    client_address = forms.CharField(
        max_length=TEXT_MAX,
        label=_("Client's address"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args, courses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].choices = [("", _("— not tied to a course —"))] + [
            (c.pk, c.neutral_label) for c in courses
        ]


class VoucherForm(forms.Form):
    code = forms.CharField(label=_("Voucher code"), max_length=32)


class PaymentForm(forms.Form):
    amount = forms.CharField(
        label=_("Amount"), max_length=20, help_text=_("Negative for a refund.")
    )
    method = forms.ChoiceField(
        label=_("Method"),
        choices=[(m.value, m.label) for m in Payment.Method if m != Payment.Method.VOUCHER],
    )
    received_on = PlausibleDateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reference = forms.CharField(label=_("Reference"), max_length=120, required=False)
    is_overpayment = forms.BooleanField(
        label=_("More than the balance: keep the difference as the client's credit"),
        required=False,
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class DateRangeForm(forms.Form):
    start = PlausibleDateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = PlausibleDateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("The end must not be before the start."))
        if data.get("start") and data.get("end") and (data["end"] - data["start"]).days > 731:
            raise forms.ValidationError(_("Export at most two years at a time."))
        return data
