"""Session reminders by text message: who gets one, and its words."""

from datetime import datetime, timedelta

from django.db.models import Exists, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from backcourse.notifications.models import Notification
from backcourse.notifications.selectors import settled_notifications
from backcourse.practices.models import Practice
from backcourse.scheduling.models import Session
from backcourse.sms.models import ReminderChannels


def sms_number(client) -> str:
    try:
        prefs = client.reminder_channels
    except ReminderChannels.DoesNotExist:
        return ""
    return prefs.phone if prefs.wants_sms else ""


def due_sms_reminders(*, now: datetime):
    """Booked sessions in their practice's reminder window whose client wants texts and
    whose text reminder is not yet settled (same rule as the email one)."""
    window = Q(pk__in=[])
    for hours in Practice.objects.values_list("reminder_hours_before", flat=True).distinct():
        window |= Q(
            practice__reminder_hours_before=hours, starts_at__lte=now + timedelta(hours=hours)
        )
    return (
        Session.objects.filter(status=Session.Status.BOOKED, starts_at__gt=now)
        .filter(window)
        .filter(client__reminder_channels__channels__in=["sms", "both"])
        .exclude(client__reminder_channels__phone="")
        .filter(
            ~Exists(settled_notifications(Notification.Kind.SESSION_REMINDER, now, channel="sms"))
        )
        .select_related("practice", "client__reminder_channels", "therapist__user")
        .order_by("starts_at", "id")
    )


def reminder_text(*, session: Session) -> str:
    practice = session.practice
    with translation.override(practice.language), timezone.override(practice.zone):
        return " ".join(
            render_to_string(
                "sms/session_reminder.txt",
                {
                    "practice": practice,
                    "therapist": session.therapist,
                    "starts_at": timezone.localtime(session.starts_at, practice.zone),
                },
            ).split()
        )
