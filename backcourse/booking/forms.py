from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backcourse.formats.widgets import IsoDateInput, IsoTimeInput
from backcourse.lib.slots import local_to_utc
from backcourse.scheduling.models import Room, SessionType
from backcourse.scheduling.selectors import bookable_therapists
from backcourse.security.limits import PlausibleDateField


class ContactForm(forms.Form):
    """Who is booking. A returning client is recognised by the email address."""

    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    email = forms.EmailField(
        label=_("Email"), help_text=_("We send the link to confirm your booking here.")
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        autocomplete = {
            "first_name": "given-name",
            "last_name": "family-name",
            "email": "email",
            "phone": "tel",
        }
        for name, value in autocomplete.items():
            self.fields[name].widget.attrs["autocomplete"] = value
        self.fields["phone"].widget.input_type = "tel"


class SeriesForm(forms.Form):
    """A course as a series: an intensive phase, then maintenance sessions."""

    session_type = forms.ModelChoiceField(label=_("Kind of session"), queryset=SessionType.objects)
    therapist = forms.ModelChoiceField(label=_("Therapist"), queryset=None)
    room = forms.ModelChoiceField(label=_("Room"), queryset=Room.objects, required=False)
    first_date = PlausibleDateField(label=_("First session on"), widget=IsoDateInput())
    first_time = forms.TimeField(label=_("at"), widget=IsoTimeInput(attrs={"step": 900}))
    intensive_count = forms.IntegerField(
        label=_("Intensive sessions"), min_value=1, max_value=30, initial=8
    )
    intensive_every_days = forms.IntegerField(
        label=_("every … days"), min_value=1, max_value=60, initial=7
    )
    maintenance_count = forms.IntegerField(
        label=_("Maintenance sessions after that"), min_value=0, max_value=24, initial=3
    )
    maintenance_cadence = forms.ChoiceField(
        label=_("Maintenance"),
        choices=[("monthly", _("monthly")), ("days", _("every … days"))],
        initial="monthly",
    )
    maintenance_every_days = forms.IntegerField(
        label=_("Maintenance every … days"), min_value=7, max_value=180, initial=28
    )

    def __init__(self, *args, practice, **kwargs):
        super().__init__(*args, **kwargs)
        self.practice = practice
        self.fields["session_type"].queryset = SessionType.objects.filter(
            practice=practice, is_active=True
        )
        self.fields["therapist"].queryset = bookable_therapists(practice)
        self.fields["room"].queryset = Room.objects.filter(practice=practice, is_active=True)

    def clean(self):
        data = super().clean()
        day, at = data.get("first_date"), data.get("first_time")
        if day and at:
            first = local_to_utc(day, at, self.practice.zone)
            if first < timezone.now():
                self.add_error("first_date", _("The first session must be in the future."))
            data["first"] = first
        return data

    @classmethod
    def initial_for(cls, course, practice) -> dict:
        today = timezone.now().astimezone(practice.zone).date()
        return {
            "therapist": course.therapist_id,
            "intensive_count": course.planned_sessions or 8,
            "intensive_every_days": course.intensive_interval_days,
            "maintenance_every_days": course.maintenance_interval_days,
            "first_date": today + timedelta(days=7 - today.weekday()),
            "first_time": time(9),
            "session_type": SessionType.objects.filter(practice=practice, is_active=True)
            .values_list("id", flat=True)
            .first(),
        }


def parse_utc(value: str | None) -> datetime | None:
    """An aware ISO datetime from a query string, or None if missing or malformed."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace(" ", "+"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


class RescheduleForm(forms.Form):
    day = PlausibleDateField(label=_("New date"), widget=IsoDateInput())
    at = forms.TimeField(label=_("New time"), widget=IsoTimeInput(attrs={"step": 900}))
    whole_series = forms.BooleanField(
        label=_("Move the later sessions of this series by the same amount"), required=False
    )
