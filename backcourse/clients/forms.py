from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from backcourse.clients.models import Client
from backcourse.formats.widgets import IsoDateInput
from backcourse.lib.phone import phone_normalise
from backcourse.security.limits import limited_formfield


class ClientForm(forms.ModelForm):
    class Meta:
        model = Client
        fields = ["first_name", "last_name", "email", "phone", "date_of_birth", "notes"]
        formfield_callback = limited_formfield
        widgets = {
            "date_of_birth": IsoDateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }

    def clean_first_name(self):
        value = self.cleaned_data["first_name"].strip()
        if not value:
            raise forms.ValidationError(_("Please enter a first name."))
        return value

    def clean_last_name(self):
        value = self.cleaned_data["last_name"].strip()
        if not value:
            raise forms.ValidationError(_("Please enter a last name."))
        return value

    def clean_phone(self):
        """Written one way (+49…), so text reminders and searches find it (issue 12)."""
        value = self.cleaned_data.get("phone", "").strip()
        if not value:
            return value
        try:
            return phone_normalise(value, settings.PHONE_REGION)
        except ValueError as exc:
            raise forms.ValidationError(_("This phone number is not valid.")) from exc

    def clean_date_of_birth(self):
        from django.utils import timezone

        value = self.cleaned_data.get("date_of_birth")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        return value


class ClientSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
