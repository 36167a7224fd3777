from datetime import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from backcourse.clients.models import Client
from backcourse.clients.widgets import ClientChoiceField
from backcourse.courses.models import Course
from backcourse.lib.slots import local_to_utc
from backcourse.practices.models import StaffMember
from backcourse.scheduling.models import Room, SessionType
from backcourse.security.limits import PlausibleDateField


class TherapistField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class CourseField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # The calendar is not a clinical page (front desk books too): no complaint.
        return obj.neutral_label


class CalendarBookingForm(forms.Form):
    """Book from the grid. Date and time are the practice's wall clock; every choice is
    limited to the practice. The rules themselves are the session service's."""

    therapist = TherapistField(label=_("Therapist"), queryset=StaffMember.objects.none())
    client = ClientChoiceField(label=_("Client"), queryset=Client.objects.none())
    course = CourseField(
        label=_("Course"),
        queryset=Course.objects.none(),
        required=False,
        empty_label=_("No course"),
    )
    session_type = forms.ModelChoiceField(
        label=_("Session type"),
        queryset=SessionType.objects.none(),
        required=False,
        empty_label=_("Other (duration below)"),
    )
    date = PlausibleDateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(
        label=_("Start time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        min_value=10,
        max_value=240,
        required=False,
        help_text=_("Taken from the session type when one is chosen."),
    )
    room = forms.ModelChoiceField(
        label=_("Room"), queryset=Room.objects.none(), required=False, empty_label=_("No room")
    )

    def __init__(self, *args, practice, client=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.practice = practice
        self.fields["therapist"].queryset = StaffMember.objects.filter(
            practice=practice, is_active=True, takes_sessions=True
        ).select_related("user")
        self.fields["client"].queryset = Client.objects.filter(practice=practice)
        # Only the chosen client's active courses, never the whole practice's: the
        # page fills this list when a client is picked (calendar/book.js).
        self.fields["course"].queryset = (
            Course.objects.filter(practice=practice, client=client, status=Course.Status.ACTIVE)
            if client is not None
            else Course.objects.none()
        )
        self.fields["session_type"].queryset = SessionType.objects.filter(
            practice=practice, is_active=True
        )
        self.fields["room"].queryset = Room.objects.filter(practice=practice, is_active=True)

    def starts_at(self) -> datetime:
        return local_to_utc(
            self.cleaned_data["date"], self.cleaned_data["time"], self.practice.zone
        )

    def clean(self):
        data = super().clean()
        client, course = data.get("client"), data.get("course")
        if client and course and course.client_id != client.pk:
            self.add_error("course", _("This course belongs to another client."))
        if not data.get("session_type") and not data.get("duration_minutes"):
            self.add_error("duration_minutes", _("Choose a session type or give a duration."))
        return data
