"""The calendar's only way to change sessions: a thin adapter over the session service.

Every booking and move made from the calendar page (and the waitlist) goes through here,
and from here through `scheduling/services.py`, which owns the rules (working hours,
breaks, time off, no double booking, the client's other sessions; staff checked like
online bookings, with explicit, recorded overrides). A refusal comes back as one error
type, `CalendarRefusal`, carrying the service's code, its message (shown unchanged) and
whether staff may confirm and go ahead anyway.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from django.utils.translation import gettext as _

from backcourse.scheduling import services
from backcourse.scheduling.errors import SchedulingError
from backcourse.scheduling.models import Session


class CalendarRefusal(Exception):
    """The service refused; `message` is meant for the person at the desk."""

    def __init__(self, message: str, *, code: str = "", overridable: bool = False):
        self.message = str(message)
        self.code = code
        self.overridable = overridable
        super().__init__(self.message)

    @classmethod
    def of(cls, exc: SchedulingError) -> CalendarRefusal:
        return cls(exc.message, code=exc.code, overridable=exc.overridable)


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
    by=None,
    overrides: Collection[str] = (),
) -> Session:
    """Book one session for a client, checked like an online booking; `by` is the staff
    user (None: the client themselves, e.g. from a waitlist offer)."""
    try:
        return services.session_book(
            practice=practice,
            therapist=therapist,
            client=client,
            course=course,
            session_type=session_type,
            duration_minutes=duration_minutes,
            room=room,
            starts_at=starts_at,
            by=by,
            overrides=overrides,
        )
    except SchedulingError as exc:
        raise CalendarRefusal.of(exc) from exc


def move(
    *,
    session: Session,
    starts_at: datetime,
    therapist=None,
    by=None,
    overrides: Collection[str] = (),
) -> Session:
    """Move a session to a new start (staff: no client notice period applies)."""
    if therapist is not None and therapist.pk != session.therapist_id:
        # The move service keeps the therapist; a change of therapist is refused rather
        # than done around the service.
        raise CalendarRefusal(_("A session can only be moved within its therapist's column."))
    try:
        return services.session_move(
            session=session, starts_at=starts_at, by_client=False, by=by, overrides=overrides
        )
    except SchedulingError as exc:
        raise CalendarRefusal.of(exc) from exc
