from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from backcourse.clients.models import ConsentText, ScreeningQuestion
from backcourse.practices.models import StaffMember
from backcourse.scheduling.models import Room, SessionType, WorkingHours


def setup_steps(practice) -> list[dict]:
    """The settings pages with whether each has something in it yet (a checklist for a
    new practice)."""
    staff = StaffMember.objects.filter(practice=practice)
    return [
        {
            "title": _("Practice details"),
            "url": reverse("setup:practice"),
            "done": bool(practice.address and practice.phone),
        },
        {
            "title": _("Staff"),
            "url": reverse("setup:staff"),
            "done": staff.filter(takes_sessions=True, is_active=True).exists(),
        },
        {
            "title": _("Working hours, breaks and time off"),
            "url": reverse("setup:hours_index"),
            "done": WorkingHours.objects.filter(therapist__practice=practice).exists(),
        },
        {
            "title": _("Rooms"),
            "url": reverse("setup:rooms"),
            "done": Room.objects.filter(practice=practice).exists(),
        },
        {
            "title": _("Session types"),
            "url": reverse("setup:session_types"),
            "done": SessionType.objects.filter(practice=practice).exists(),
        },
        {
            "title": _("Online booking and reminders"),
            "url": reverse("setup:booking"),
            "done": practice.online_booking,
        },
        {
            "title": _("Closures and public holidays"),
            "url": reverse("setup:closures"),
            "done": bool(practice.country),
        },
        {
            "title": _("Screening questions"),
            "url": reverse("setup:screening"),
            "done": ScreeningQuestion.objects.filter(practice=practice).exists(),
        },
        {
            "title": _("Consent texts"),
            "url": reverse("setup:consent"),
            "done": ConsentText.objects.filter(
                practice=practice, published_at__isnull=False
            ).exists(),
        },
    ]
