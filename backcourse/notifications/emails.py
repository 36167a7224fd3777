"""Reminder emails: in the practice's language, times in the practice's time zone."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from backcourse.notifications.calendar import session_ics

TEMPLATES = {
    "session_reminder": "notifications/email/session_reminder",
    "maintenance_due": "notifications/email/maintenance_due",
}


def booking_url(practice) -> str | None:
    """The practice's public booking page, absolute; None while online booking is off."""
    if not practice.online_booking:
        return None
    path = reverse("booking:start", kwargs={"slug": practice.slug})
    return settings.SITE_URL.rstrip("/") + path


def reminder_message(*, notification, session) -> EmailMessage:
    practice = session.practice
    context = {
        "session": session,
        "client": session.client,
        "practice": practice,
        "therapist": session.therapist,
        "course": session.course,
        "starts_at": timezone.localtime(session.starts_at, practice.zone),
        "site_url": settings.SITE_URL,
        "booking_url": booking_url(practice),
    }
    base = TEMPLATES[notification.kind]
    with translation.override(practice.language), timezone.override(practice.zone):
        subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
        body = render_to_string(f"{base}.txt", context)
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient],
        reply_to=[practice.email] if practice.email else None,
        headers={"Message-ID": notification.message_id},
    )
    if notification.kind == "session_reminder":
        message.attach(
            "session.ics", session_ics([session]), "text/calendar; charset=utf-8; method=PUBLISH"
        )
    return message
