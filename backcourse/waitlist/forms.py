from django import forms
from django.utils.translation import gettext_lazy as _

from backcourse.clients.models import Client
from backcourse.clients.widgets import ClientChoiceField
from backcourse.practices.models import StaffMember
from backcourse.scheduling.models import Session, SessionType
from backcourse.security.limits import PlausibleDateField

DATE = forms.DateInput(attrs={"type": "date"})


class TherapistField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class WaitlistForm(forms.Form):
    therapist = TherapistField(label=_("Therapist"), queryset=StaffMember.objects.none())
    session_type = forms.ModelChoiceField(
        label=_("Session type"), queryset=SessionType.objects.none()
    )
    first_day = PlausibleDateField(label=_("Earliest day"), widget=DATE)
    last_day = PlausibleDateField(label=_("Latest day"), widget=DATE)
    session = forms.ModelChoiceField(
        label=_("Move this booked session earlier"),
        queryset=Session.objects.none(),
        required=False,
        empty_label=_("No: book a new session"),
    )

    def __init__(self, *args, practice, client=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["therapist"].queryset = StaffMember.objects.filter(
            practice=practice, is_active=True, takes_sessions=True
        ).select_related("user")
        self.fields["session_type"].queryset = SessionType.objects.filter(
            practice=practice, is_active=True
        )
        if client is not None:
            self.fields["session"].queryset = Session.objects.filter(
                client=client, status=Session.Status.BOOKED
            )
        else:
            del self.fields["session"]


class StaffWaitlistForm(WaitlistForm):
    client = ClientChoiceField(label=_("Client"), queryset=Client.objects.none())
    field_order = ["client"]

    def __init__(self, *args, practice, **kwargs):
        super().__init__(*args, practice=practice, **kwargs)
        self.fields["client"].queryset = Client.objects.filter(practice=practice)
