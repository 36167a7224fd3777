from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backcourse.clients.models import Client
from backcourse.clients.widgets import ClientChoiceField
from backcourse.formats.widgets import IsoDateInput
from backcourse.practices.models import StaffMember
from backcourse.security.limits import PlausibleDateField


class CalendarFeedForm(forms.Form):
    """Owner choices are limited to the practice, so a forged id is just 'not a choice'."""

    staff = forms.ModelChoiceField(
        label=_("Therapist"), queryset=StaffMember.objects.none(), required=False
    )
    client = ClientChoiceField(label=_("Client"), queryset=Client.objects.none(), required=False)
    expires_on = PlausibleDateField(
        label=_("Valid until (optional)"),
        required=False,
        widget=IsoDateInput(),
    )

    def __init__(self, *args, practice, **kwargs):
        super().__init__(*args, **kwargs)
        self.practice = practice
        self.fields["staff"].queryset = StaffMember.objects.filter(
            practice=practice, is_active=True, takes_sessions=True
        ).select_related("user")
        self.fields["client"].queryset = Client.objects.filter(practice=practice, is_archived=False)

    def clean_expires_on(self):
        day = self.cleaned_data.get("expires_on")
        if day is not None and day <= timezone.localdate(timezone=self.practice.zone):
            raise forms.ValidationError(_("The expiry date must lie in the future."))
        return day

    def clean(self):
        data = super().clean()
        if "staff" in data and "client" in data and bool(data["staff"]) == bool(data["client"]):
            raise forms.ValidationError(_("Choose either a therapist or a client, not both."))
        return data

    @property
    def expires_at(self) -> datetime | None:
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        # Valid through the whole chosen day in the practice's time zone.
        return datetime.combine(day, time.max, tzinfo=self.practice.zone)
