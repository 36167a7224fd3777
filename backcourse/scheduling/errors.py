"""The one error type of scheduling: a refusal with a code and a message for people.

Every rule about a session (its status changes on `Session`, the booking checks in
`scheduling/services.py`) refuses with a `SchedulingError`. Callers branch on `code`
(never on the English text); `message` is already translated into the active language
and is what a page, the API or the portal shows. `overridable` says that staff may
confirm and book anyway (see `services.STAFF_OVERRIDABLE`).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# The slot arithmetic (plain Python) names the reasons a time cannot be booked.
from backcourse.lib.slots import BREAK, OUTSIDE_HOURS, PAST, TAKEN, TIME_OFF

# --- Codes. One name per rule; the message below is the only wording of it. ----------
ROOM_TAKEN = "room_taken"
CLOSED = "closed"  # a public holiday or closure day (closures app)
ROOMS_FULL = "rooms_full"
CLIENT_BUSY = "client_busy"
SERIES_OVERLAP = "series_overlap"
# Who belongs to whom
OTHER_PRACTICE = "other_practice"
OTHER_CLIENT = "other_client"
# Status changes (Session.transition_problem)
SAME_STATUS = "same_status"
NOT_ALLOWED = "not_allowed"
NOT_STARTED = "not_started"
CHECK_IN_NOT_OPEN = "check_in_not_open"
ALREADY_STARTED = "already_started"
HAS_RECORD = "has_record"
UNKNOWN_STATUS = "unknown_status"
NOT_HELD = "not_held"
RECORD_TOO_EARLY = "record_too_early"
# Moves and cancellations
NOT_MOVABLE = "not_movable"
NOTICE_PERIOD = "notice_period"
NOT_CHANGEABLE_ONLINE = "not_changeable_online"
NOTHING_TO_BOOK = "nothing_to_book"
# Public booking requests
ONLINE_BOOKING_OFF = "online_booking_off"
NOT_BOOKABLE_ONLINE = "not_bookable_online"
TOO_MANY_REQUESTS = "too_many_requests"
LINK_INVALID = "link_invalid"
LINK_EXPIRED = "link_expired"
ALREADY_CONFIRMED = "already_confirmed"

MESSAGES = {
    PAST: _("This time is in the past."),
    OUTSIDE_HOURS: _("This time is outside the therapist's working hours."),
    BREAK: _("The therapist has a break at this time."),
    TIME_OFF: _("The therapist is away (time off) at this time."),
    TAKEN: _("This time is already taken. Please choose another time."),
    ROOM_TAKEN: _("The room is already taken at this time."),
    CLOSED: _("The practice is closed on this day."),
    ROOMS_FULL: _("All rooms are taken at this time. Please choose another time."),
    CLIENT_BUSY: _("The client already has a session at this time."),
    SERIES_OVERLAP: _("Overlaps another session of this series."),
    OTHER_PRACTICE: _("This belongs to another practice."),
    OTHER_CLIENT: _("This course belongs to another client."),
    SAME_STATUS: _("The session is already “%(new)s”."),
    NOT_ALLOWED: _("A session that is “%(old)s” cannot be marked “%(new)s”."),
    NOT_STARTED: _("A session that has not started yet cannot be marked “%(new)s”."),
    CHECK_IN_NOT_OPEN: _("Check-in is open from %(hours)s hours before the session until it ends."),
    ALREADY_STARTED: _("A session that has started can no longer be marked “%(new)s”."),
    HAS_RECORD: _(
        "This session has a record, so it was held; it cannot be marked “%(new)s”. "
        "Correct the record instead."
    ),
    UNKNOWN_STATUS: _("Unknown status."),
    NOT_HELD: _(
        "This session did not take place (cancelled or a no-show), so it has no record. "
        "Change its status first if it was held after all."
    ),
    RECORD_TOO_EARLY: _("This session has not started yet. Its record can be written once it has."),
    NOT_MOVABLE: _("Only a booked session can be moved."),
    NOTICE_PERIOD: _(
        "Online changes are possible until %(hours)s hours before the session. "
        "Please call the practice."
    ),
    NOT_CHANGEABLE_ONLINE: _(
        "Only a booked session can be moved or cancelled online. Please call the practice."
    ),
    NOTHING_TO_BOOK: _("There is nothing to book."),
    ONLINE_BOOKING_OFF: _("This practice does not take bookings online at the moment."),
    NOT_BOOKABLE_ONLINE: _("This kind of session cannot be booked online."),
    TOO_MANY_REQUESTS: _(
        "There have been too many booking requests for this email address or from your "
        "network in the last hour. Nothing was sent. Please try again later, or contact "
        "the practice directly."
    ),
    LINK_INVALID: _("This confirmation link is not valid."),
    LINK_EXPIRED: _("This confirmation link has expired. Please choose a time and book again."),
    ALREADY_CONFIRMED: _("This booking was already confirmed. Nothing was changed."),
}

# Refusals that mean "somebody else has this time" (HTTP 409 at the edges).
CONFLICT_CODES = frozenset({TAKEN, ROOM_TAKEN, ROOMS_FULL, CLIENT_BUSY, ALREADY_CONFIRMED})


class SchedulingError(Exception):
    """A refused change to the calendar. Nothing was changed.

    `code` is one of the constants above, `message` the translated sentence (with an
    optional `prefix`, e.g. the date of the series row that failed), `params` fill its
    placeholders, and `overridable` is True when staff may confirm and go ahead."""

    def __init__(
        self,
        code: str,
        *,
        params: dict[str, object] | None = None,
        prefix: str = "",
        suffix: str = "",
        overridable: bool = False,
    ) -> None:
        self.code = code
        self.params = params or {}
        self.prefix = prefix
        self.suffix = suffix
        self.overridable = overridable
        super().__init__(self.message)

    @property
    def message(self) -> str:
        text = str(MESSAGES[self.code])
        if self.params:
            text = text % self.params
        return f"{self.prefix}{text}{self.suffix}"

    @property
    def is_conflict(self) -> bool:
        return self.code in CONFLICT_CODES

    def framed(self, prefix: str = "", suffix: str = "") -> SchedulingError:
        """The same refusal with words around it (e.g. which row of a series)."""
        return SchedulingError(
            self.code,
            params=self.params,
            prefix=prefix,
            suffix=suffix,
            overridable=self.overridable,
        )
