"""Which reminders are due now. Both queries skip sessions whose reminder is already sent,
failed for good, or claimed by a worker that may still be sending it."""

from collections.abc import Iterator
from datetime import datetime, timedelta

from django.db.models import Exists, Max, OuterRef, Q

from backcourse.courses.models import Course
from backcourse.notifications import conf
from backcourse.notifications.models import Notification
from backcourse.practices.models import Practice
from backcourse.scheduling.models import Session

MAX_ATTEMPTS = 5


def settled_notifications(kind: str, now: datetime, channel: str = "email"):
    """Notifications that mean "nothing to do": all but a stale, retryable claim."""
    stale_before = now - conf.claim_timeout()
    return Notification.objects.filter(
        session=OuterRef("pk"), kind=kind, starts_at=OuterRef("starts_at"), channel=channel
    ).exclude(
        status=Notification.Status.SENDING,
        claimed_at__lt=stale_before,
        attempts__lt=MAX_ATTEMPTS,
    )


def due_session_reminders(*, now: datetime):
    """Booked sessions starting within their practice's reminder window, not yet reminded."""
    window = Q(pk__in=[])
    # One range per distinct setting keeps the query indexable on starts_at (no
    # per-row interval arithmetic, which SQLite and PostgreSQL spell differently).
    for hours in Practice.objects.values_list("reminder_hours_before", flat=True).distinct():
        window |= Q(
            practice__reminder_hours_before=hours,
            starts_at__lte=now + timedelta(hours=hours),
        )
    return (
        Session.objects.filter(status=Session.Status.BOOKED, starts_at__gt=now)
        .filter(window)
        .exclude(client__email="")
        .exclude(client__reminder_channels__channels="sms")  # text message only (issue 12)
        .filter(~Exists(settled_notifications(Notification.Kind.SESSION_REMINDER, now)))
        .select_related("practice", "client", "therapist__user", "room", "course")
        .order_by("starts_at", "id")
    )


def due_maintenance_reminders(*, now: datetime) -> Iterator[Session]:
    """For each active course in maintenance whose cadence has passed since its last
    non-cancelled session with nothing booked after it: that last session (the key of
    the reminder, so each gap gets one reminder)."""
    lookback = conf.maintenance_lookback()
    courses = (
        Course.objects.filter(phase=Course.Phase.MAINTENANCE, status=Course.Status.ACTIVE)
        .exclude(client__email="")
        .annotate(
            last_start=Max(
                "sessions__starts_at", filter=~Q(sessions__status=Session.Status.CANCELLED)
            )
        )
        # Cheap bounds from the smallest and largest allowed cadence (7..180 days).
        .filter(last_start__lte=now - timedelta(days=7))
        .filter(last_start__gte=now - timedelta(days=180) - lookback)
        .order_by("id")
    )
    for course in courses:
        due_at = course.last_start + timedelta(days=course.maintenance_interval_days)
        if not (now - lookback < due_at <= now):
            continue
        last = (
            Session.objects.active()
            .filter(course=course)
            .filter(~Exists(settled_notifications(Notification.Kind.MAINTENANCE_DUE, now)))
            .select_related("practice", "client", "therapist__user", "room", "course")
            .order_by("-starts_at", "-id")
            .first()
        )
        if last is not None and last.starts_at == course.last_start:
            yield last
