"""Reminders and calendar feeds.

Exactly-once sending, and what that honestly means
--------------------------------------------------
A reminder is *claimed* before it is sent: `notification_claim` inserts the
Notification(session, kind, starts_at) row in its own committed transaction, and the
unique constraint on those three lets only one worker win (starts_at: a session moved
after its reminder gets one reminder of the new time). The email goes out after the claim;
the row is then marked 'sent'. So:

* Two workers, two overlapping scans, a scan re-run after a restart: never two emails —
  the second insert fails on the constraint and that worker skips the reminder.
* A worker killed *before* the claim: nothing happened; the next scan claims and sends.
* A worker killed *after* 'sent' is written: done; nobody sends again.
* A worker killed *between* claim and 'sent' (usually while talking to the mail server):
  we cannot know whether the server accepted the message. The row stays 'sending'; once
  it is older than REMINDER_CLAIM_TIMEOUT_SECONDS (15 min) a later scan takes it over
  (an atomic conditional UPDATE, so one taker) and sends it again. That is at-least-once
  for this one window: a duplicate is possible only if the server accepted the message in
  the milliseconds before the kill. The resend carries the same Message-ID, which many
  mail systems use to fold duplicates. We chose this over at-most-once (never resend a
  'sending' row) because a missed reminder costs a missed session; a rare duplicate costs
  one extra email. Failures the mail backend reports are retried the same way, at most
  MAX_ATTEMPTS times, then the row is 'failed'.
"""

import logging
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from backcourse.notifications import conf
from backcourse.notifications.emails import reminder_message
from backcourse.notifications.models import CalendarFeed, Notification
from backcourse.notifications.selectors import (
    MAX_ATTEMPTS,
    due_maintenance_reminders,
    due_session_reminders,
)
from backcourse.scheduling.models import Session
from backcourse.sms import send_sms
from backcourse.sms.reminders import due_sms_reminders, reminder_text, sms_number

logger = logging.getLogger(__name__)


def notification_claim(
    *, session: Session, kind: str, now: datetime, channel: str = "email", recipient: str = ""
) -> Notification | None:
    """Own the send of (session, kind) on `channel`, or return None when someone else does."""
    recipient = recipient or session.client.email
    try:
        with transaction.atomic():
            return Notification.objects.create(
                practice_id=session.practice_id,
                session=session,
                kind=kind,
                channel=channel,
                starts_at=session.starts_at,
                recipient=recipient,
                claimed_at=now,
            )
    except IntegrityError:
        pass
    # Already claimed. Take it over only when the earlier claim is stale: the worker that
    # made it died before it could record 'sent'. The WHERE makes the takeover atomic.
    mine = {"session": session, "kind": kind, "starts_at": session.starts_at, "channel": channel}
    taken = Notification.objects.filter(
        **mine,
        status=Notification.Status.SENDING,
        claimed_at__lt=now - conf.claim_timeout(),
        attempts__lt=MAX_ATTEMPTS,
    ).update(claimed_at=now, attempts=F("attempts") + 1, recipient=recipient)
    if not taken:
        return None
    return Notification.objects.get(**mine)


def notification_deliver(
    *, session: Session, kind: str, now: datetime | None = None, channel: str = "email"
) -> bool:
    """Claim, send, mark sent. True when this call sent the email (or text message)."""
    now = now or timezone.now()
    phone = sms_number(session.client) if channel == "sms" else ""
    if channel == "sms" and not phone:
        return False
    note = notification_claim(session=session, kind=kind, now=now, channel=channel, recipient=phone)
    if note is None:
        return False
    try:
        if channel == "sms":
            send_sms(to=phone, body=reminder_text(session=session))
        else:
            reminder_message(notification=note, session=session).send()
    except Exception as exc:  # any backend error: keep the claim, retry after the timeout
        logger.exception("Reminder %s for session %s failed", kind, session.pk)
        failed = note.attempts >= MAX_ATTEMPTS
        Notification.objects.filter(pk=note.pk).update(
            last_error=str(exc)[:2000],
            status=Notification.Status.FAILED if failed else Notification.Status.SENDING,
        )
        return False
    Notification.objects.filter(pk=note.pk).update(
        status=Notification.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return True


def reminders_send_due(*, now: datetime | None = None) -> dict[str, int]:
    """Send every due session reminder and maintenance reminder, one email each.

    Runs outside any transaction on purpose: each claim must commit before its email.
    """
    now = now or timezone.now()
    limit = conf.scan_limit()
    counts = {"session_reminder": 0, "maintenance_due": 0, "skipped": 0}
    for session in due_session_reminders(now=now)[:limit]:
        if notification_deliver(session=session, kind=Notification.Kind.SESSION_REMINDER, now=now):
            counts["session_reminder"] += 1
        else:
            counts["skipped"] += 1
    # Text-message reminders: their own claims, so email and SMS are each sent once.
    counts["session_reminder_sms"] = 0
    for session in due_sms_reminders(now=now)[:limit]:
        kind = Notification.Kind.SESSION_REMINDER
        if notification_deliver(session=session, kind=kind, now=now, channel="sms"):
            counts["session_reminder_sms"] += 1
        else:
            counts["skipped"] += 1
    for session in due_maintenance_reminders(now=now):
        if notification_deliver(session=session, kind=Notification.Kind.MAINTENANCE_DUE, now=now):
            counts["maintenance_due"] += 1
        else:
            counts["skipped"] += 1
    return counts


# --- Calendar feeds ----------------------------------------------------------------


@transaction.atomic
def calendar_feed_create(*, practice, by, staff=None, client=None, expires_at=None) -> CalendarFeed:
    if (staff is None) == (client is None):
        raise ValidationError(_("Choose either a therapist or a client."))
    owner = staff or client
    if owner.practice_id != practice.pk:
        # Views pass owners fetched through the practice scope; this is the last guard.
        raise ValidationError(_("Choose a therapist or client of this practice."))
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_on": _("The expiry date must lie in the future.")})
    return CalendarFeed.objects.create(
        practice=practice, staff=staff, client=client, created_by=by, expires_at=expires_at
    )


@transaction.atomic
def calendar_feed_revoke(*, feed: CalendarFeed, by) -> CalendarFeed:
    if feed.revoked_at is None:
        feed.revoked_at = timezone.now()
        feed.revoked_by = by
        feed.save(update_fields=["revoked_at", "revoked_by"])
    return feed
