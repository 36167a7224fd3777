"""The emails of booking: the confirmation link of a public request, and "booked"
with the session as a calendar file. In the practice's language and time zone; queued
(notifications/outbox.py) when the transaction commits."""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from backcourse.booking.manage import manage_url
from backcourse.clients.readiness import forms_missing
from backcourse.notifications.calendar import session_ics
from backcourse.notifications.outbox import email_queue
from backcourse.scheduling.formats import when_text
from backcourse.scheduling.models import PendingBooking, Session

# How long a confirmation link is valid (the signed token's max age).
CONFIRM_MAX_AGE_HOURS = 6


def booking_confirm_request_send(pending: PendingBooking, link: str) -> None:
    practice = pending.practice
    with translation.override(practice.language):
        context = {
            "pending": pending,
            "practice": practice,
            "link": link,
            "when": when_text(practice, pending.starts_at),
            "hours": CONFIRM_MAX_AGE_HOURS,
        }
        message = EmailMessage(
            _("Please confirm your booking at %(practice)s") % {"practice": practice.name},
            render_to_string("booking/email_confirm_request.txt", context),
            to=[pending.email],
        )
    email_queue(message)


def session_booked_send(session: Session, email: str) -> None:
    practice = session.practice
    with translation.override(practice.language):
        context = {
            "session": session,
            "practice": practice,
            "when": when_text(practice, session.starts_at),
            "manage_url": manage_url(session),
            "forms_missing": forms_missing(session.client),
        }
        message = EmailMessage(
            _("Your session at %(practice)s is booked") % {"practice": practice.name},
            render_to_string("booking/email_booked.txt", context),
            to=[email],
        )
        message.attach("session.ics", session_ics([session], practice=practice), "text/calendar")
    email_queue(message)
