"""Every email Backcourse writes, built here and in one way.

Each email is a pair of templates, `notifications/email/<kind>_subject.txt` and
`<kind>.txt`, rendered by `_message` in the practice's language and time zone (subject
on one line). The functions below gather what each template needs and return an
`EmailMessage`; links that belong to other apps are computed by the caller and passed
in. Nothing here sends: a request queues the message with `outbox.email_queue` (it
leaves from the "email" task worker once the transaction commits); the reminder worker
(services.py) sends its own, with exactly-once claims.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from backcourse.notifications.calendar import session_ics
from backcourse.scheduling.formats import when_text

TEMPLATE_DIR = "notifications/email"
REMINDER_KINDS = ("session_reminder", "maintenance_due")


def _message(
    kind: str,
    context: dict[str, Any],
    *,
    practice: Any,
    to: list[str],
    language: str | None = None,
    reply_to: list[str] | None = None,
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    """The email `kind` for `to`, in the practice's language (or `language`) and time
    zone; without a practice, the active ones."""
    language = language or (practice.language if practice else translation.get_language())
    zone = practice.zone if practice else timezone.get_current_timezone()
    with translation.override(language), timezone.override(zone):
        subject = " ".join(render_to_string(f"{TEMPLATE_DIR}/{kind}_subject.txt", context).split())
        body = render_to_string(f"{TEMPLATE_DIR}/{kind}.txt", context)
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        reply_to=reply_to,
        headers=headers,
    )


def booking_url(practice: Any) -> str | None:
    """The practice's public booking page, absolute; None while online booking is off."""
    if not practice.online_booking:
        return None
    path = reverse("booking:start", kwargs={"slug": practice.slug})
    return settings.SITE_URL.rstrip("/") + path


# --- Reminders (sent by the reminder worker) -------------------------------------------


def reminder_message(*, notification: Any, session: Any) -> EmailMessage:
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
    message = _message(
        notification.kind,
        context,
        practice=practice,
        to=[notification.recipient],
        reply_to=[practice.email] if practice.email else None,
        headers={"Message-ID": notification.message_id},
    )
    if notification.kind == "session_reminder":
        message.attach(
            "session.ics", session_ics([session]), "text/calendar; charset=utf-8; method=PUBLISH"
        )
    return message


# --- Public booking (queued by booking/pending.py) -------------------------------------


def booking_confirm_request(*, pending: Any, link: str, hours: int) -> EmailMessage:
    """The link that turns a public request into a booking (valid `hours`)."""
    practice = pending.practice
    context = {
        "pending": pending,
        "practice": practice,
        "link": link,
        "when": when_text(practice, pending.starts_at),
        "hours": hours,
    }
    return _message("booking_confirm_request", context, practice=practice, to=[pending.email])


def session_booked(
    *, session: Any, email: str, manage_url: str, forms_missing: Any
) -> EmailMessage:
    """ "Booked", with the private link to the booking and the session as a calendar file."""
    practice = session.practice
    context = {
        "session": session,
        "practice": practice,
        "when": when_text(practice, session.starts_at),
        "manage_url": manage_url,
        "forms_missing": forms_missing,
    }
    message = _message("session_booked", context, practice=practice, to=[email])
    message.attach("session.ics", session_ics([session], practice=practice), "text/calendar")
    return message


# --- The client's own pages (queued by portal/services.py) -----------------------------


def signin_link(*, client: Any, link: str, minutes: int) -> EmailMessage:
    practice = client.practice
    context = {"client": client, "practice": practice, "link": link, "minutes": minutes}
    return _message("signin_link", context, practice=practice, to=[client.email])


def followup(*, session: Any, link: str) -> EmailMessage:
    """The next-day question: how is the back now?"""
    practice = session.practice
    context = {"client": session.client, "practice": practice, "session": session, "link": link}
    return _message("followup", context, practice=practice, to=[session.client.email])


# --- Waiting list (queued by waitlist/services.py) -------------------------------------


def waitlist_offer(
    *,
    client: Any,
    practice: Any,
    therapist: Any,
    starts_at: Any,
    link: str,
    minutes: int,
    moves: bool,
) -> EmailMessage:
    """An earlier time, held for `minutes`; `moves`: taking it moves a booked session."""
    context = {
        "client": client,
        "practice": practice,
        "therapist": therapist,
        "when": starts_at.astimezone(practice.zone),
        "minutes": minutes,
        "link": link,
        "moves": moves,
    }
    return _message("waitlist_offer", context, practice=practice, to=[client.email])


# --- Staff accounts (queued by setup/services.py and accounts/forms.py) -----------------


def staff_invitation(*, staff: Any, inviter: str, link: str, days: int) -> EmailMessage:
    practice = staff.practice
    context = {"practice": practice, "staff": staff, "inviter": inviter, "link": link, "days": days}
    return _message("staff_invitation", context, practice=practice, to=[staff.user.email])


def password_reset(*, context: dict[str, Any], to: str) -> EmailMessage:
    """Django's password-reset context (user, uid, token, protocol, domain), in the
    language of the request that asked (a login is not tied to one practice)."""
    return _message("password_reset", context, practice=None, to=[to])


# --- Money (sent by the billing worker, billing/tasks.py) ------------------------------


def invoice(*, invoice: Any, reminder: bool, attachment: tuple[str, bytes, str]) -> EmailMessage:
    """An invoice or credit note (or the payment reminder) with its PDF, in the
    invoice's own language."""
    kind = "invoice_reminder" if reminder else "invoice"
    practice = invoice.practice
    message = _message(
        kind,
        {"invoice": invoice},
        practice=practice,
        language=invoice.language,
        to=[invoice.client_email],
        reply_to=[practice.email] if practice.email else None,
    )
    message.attach(*attachment)
    return message
