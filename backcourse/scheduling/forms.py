from datetime import UTC, datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from backcourse.clients.models import Client
from backcourse.clients.widgets import ClientChoiceField
from backcourse.courses.models import Course
from backcourse.formats.widgets import IsoDateInput, IsoTimeInput
from backcourse.practices.models import StaffMember
from backcourse.scheduling.models import Room, Session
from backcourse.scheduling.services import STAFF_OVERRIDABLE
from backcourse.security.limits import PlausibleDateField


def overrides_confirmed(post) -> list[str]:
    """The rules staff ticked "book anyway" for (scheduling/_override.html), limited to
    the ones staff may override at all."""
    return sorted(set(post.getlist("override")) & STAFF_OVERRIDABLE)


class TherapistChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class CourseChoiceField(forms.ModelChoiceField):
    """Shows the complaint alone once the client is known, else client and complaint.
    The complaint is clinical: for clients outside `clinical_ids` (None: all clients)
    the course is named by its start date instead."""

    one_client = False
    clinical_ids: set[int] | None = set()

    def shows_complaint(self, course) -> bool:
        return self.clinical_ids is None or course.client_id in self.clinical_ids

    def label_from_instance(self, obj):
        label = obj.complaint if self.shows_complaint(obj) else obj.neutral_label
        return label if self.one_client else f"{obj.client} — {label}"


class SessionForm(forms.Form):
    """Book a session. Date and time are typed in the practice's time zone and turned
    into a UTC instant in `starts_at()`; every choice is limited to the practice."""

    therapist = TherapistChoiceField(label=_("Therapist"), queryset=StaffMember.objects.none())
    client = ClientChoiceField(label=_("Client"), queryset=Client.objects.none())
    course = CourseChoiceField(label=_("Course"), queryset=Course.objects.none(), required=False)
    date = PlausibleDateField(label=_("Date"), widget=IsoDateInput())
    time = forms.TimeField(label=_("Start time"), widget=IsoTimeInput())
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=10, max_value=240, initial=60
    )
    room = forms.ModelChoiceField(label=_("Room"), queryset=Room.objects.none(), required=False)

    def __init__(self, *args, practice, client=None, clinical_ids=frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.practice = practice
        self.fields["course"].clinical_ids = clinical_ids
        self.fields["therapist"].queryset = StaffMember.objects.filter(
            practice=practice, is_active=True, takes_sessions=True
        ).select_related("user")
        self.fields["client"].queryset = Client.objects.filter(practice=practice, is_archived=False)
        courses = Course.objects.filter(practice=practice).select_related("client")
        if client is not None:
            # Only this client's courses are offered; a posted course of another
            # client is refused again in clean().
            courses = courses.filter(client=client)
            self.fields["course"].one_client = True
            self.fields["client"].queryset = Client.objects.filter(practice=practice)
        self.fields["course"].queryset = courses
        self.fields["room"].queryset = Room.objects.filter(practice=practice, is_active=True)

    def starts_at(self) -> datetime:
        local = datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"])
        # zoneinfo picks the first of two readings in the autumn overlap (fold=0); a
        # time inside the spring gap is refused in clean().
        return local.replace(tzinfo=self.practice.zone).astimezone(UTC)

    def clean(self):
        data = super().clean()
        client, course = data.get("client"), data.get("course")
        if client and course and course.client_id != client.pk:
            self.add_error("course", _("This course belongs to another client."))
        if data.get("date") and data.get("time"):
            start = self.starts_at()
            back = start.astimezone(self.practice.zone)
            if back.replace(tzinfo=None) != datetime.combine(data["date"], data["time"]):
                self.add_error(
                    "time",
                    _("This time does not exist on that day (the clocks go forward)."),
                )
                return data
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (s, s.label)
            for s in (
                Session.Status.CHECKED_IN,
                Session.Status.COMPLETED,
                Session.Status.NO_SHOW,
                Session.Status.CANCELLED,
                Session.Status.BOOKED,
            )
        ]
    )
    next = forms.CharField(required=False, max_length=2000)
