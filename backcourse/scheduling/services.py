"""Writes to the calendar: booking a session and moving it through its statuses."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backcourse.billing.services import session_status_changed
from backcourse.scheduling.models import Session

# Which status a session may move to from which; a completed session can still be
# corrected (e.g. marked a no-show by mistake), a cancelled one cannot come back here
# because its slot may have been given away.
STATUS_CHANGES: dict[str, set[str]] = {
    Session.Status.BOOKED: {
        Session.Status.CHECKED_IN,
        Session.Status.COMPLETED,
        Session.Status.NO_SHOW,
        Session.Status.CANCELLED,
    },
    Session.Status.CHECKED_IN: {
        Session.Status.COMPLETED,
        Session.Status.NO_SHOW,
        Session.Status.CANCELLED,
    },
    Session.Status.COMPLETED: {Session.Status.CHECKED_IN},
    Session.Status.NO_SHOW: {Session.Status.BOOKED, Session.Status.COMPLETED},
    Session.Status.CANCELLED: set(),
}


def session_conflicts(
    *, practice, therapist, room, starts_at: datetime, duration_minutes: int, exclude_pk=None
) -> dict[str, str]:
    """Field -> message for every double booking the new time range would cause."""
    ends_at = starts_at + timedelta(minutes=duration_minutes)
    busy = Session.objects.active().filter(practice=practice).overlapping(starts_at, ends_at)
    if exclude_pk:
        busy = busy.exclude(pk=exclude_pk)
    errors = {}
    if therapist is not None and busy.filter(therapist=therapist).exists():
        errors["therapist"] = _("This therapist already has a session at that time.")
    if room is not None and busy.filter(room=room).exists():
        errors["room"] = _("This room is already booked at that time.")
    return errors


@transaction.atomic
def session_create(
    *,
    practice,
    therapist,
    client,
    course=None,
    room=None,
    starts_at: datetime,
    duration_minutes: int,
) -> Session:
    """Book one session. Raises ValidationError (by field) on a double booking or on
    objects of another practice; nothing is saved then."""
    session = Session(
        practice=practice,
        therapist=therapist,
        client=client,
        course=course,
        room=room,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
    )
    session.ends_at = starts_at + timedelta(minutes=duration_minutes)
    session.full_clean()
    errors = session_conflicts(
        practice=practice,
        therapist=therapist,
        room=room,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
    )
    if errors:
        raise ValidationError(errors)
    try:
        # The database refuses overlaps too (a concurrent booking can slip past the
        # check above); answer that the same way.
        with transaction.atomic():
            session.save()
    except IntegrityError as exc:
        raise ValidationError(
            _("This time was just taken by another booking. Please choose another time.")
        ) from exc
    return session


@transaction.atomic
def session_status_set(*, session: Session, status: str) -> Session:
    """Move a session to `status`; ValidationError if that change is not allowed."""
    if status == session.status:
        return session
    if status not in STATUS_CHANGES.get(session.status, set()):
        raise ValidationError(
            _("A session that is “%(old)s” cannot be marked “%(new)s”."),
            params={"old": session.get_status_display(), "new": Session.Status(status).label}
            if status in Session.Status.values
            else {"old": session.get_status_display(), "new": status},
        )
    if status == Session.Status.NO_SHOW and session.starts_at > timezone.now():
        raise ValidationError(_("A session that has not started yet cannot be a no-show."))
    session_status_changed(session=session, old=session.status, new=status)
    session.status = status
    session.save(update_fields=["status"])
    return session
