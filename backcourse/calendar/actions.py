"""The calendar's only way to change sessions: a thin adapter over the session service.

Every booking and move made from the calendar page goes through here, and from here
through the scheduling services that own the rules (working hours, breaks, time off,
no double booking, the client's other sessions). A refusal comes back as one error type,
`CalendarRefusal`, whose `message` is the service's own sentence, shown unchanged.

When the single session service of issue 9 ("One owner for every rule",
`scheduling/services.py`) lands, only the bodies below change.
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from backcourse.scheduling import booking
from backcourse.scheduling.models import Session


class CalendarRefusal(Exception):
    """The service refused; `message` is meant for the person at the desk."""

    def __init__(self, message: str):
        self.message = str(message)
        super().__init__(self.message)


def book(
    *,
    practice,
    therapist,
    client,
    starts_at: datetime,
    course=None,
    session_type=None,
    duration_minutes: int | None = None,
    room=None,
) -> Session:
    """Book one session for a client, checked like an online booking."""
    try:
        return booking.session_book(
            practice=practice,
            therapist=therapist,
            client=client,
            course=course,
            session_type=session_type,
            duration_minutes=duration_minutes,
            room=room,
            starts_at=starts_at,
        )
    except booking.BookingError as exc:
        raise CalendarRefusal(exc.message) from exc


def move(*, session: Session, starts_at: datetime, therapist=None) -> Session:
    """Move a session to a new start (staff: no client notice period applies)."""
    if therapist is not None and therapist.pk != session.therapist_id:
        # The present reschedule service keeps the therapist; a change of therapist is
        # refused rather than done around the service.
        raise CalendarRefusal(_("A session can only be moved within its therapist's column."))
    try:
        return booking.session_reschedule(session=session, starts_at=starts_at, by_client=False)
    except booking.BookingError as exc:
        raise CalendarRefusal(exc.message) from exc
