from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarConfig(AppConfig):
    name = "backcourse.calendar"
    label = "frontdesk_calendar"  # "calendar" alone reads like the stdlib module
    verbose_name = _("Calendar")
