import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backcourse.clients.models import Client
from backcourse.courses.models import Course
from backcourse.practices.models import Practice, StaffMember
from backcourse.scheduling import errors


class Room(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("name"), max_length=80)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "name"], name="room_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class SessionType(models.Model):
    """What a client books: a name, how long it takes, and the gap the therapist needs
    after it (cleaning the table, notes) before the next client."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="session_types")
    name = models.CharField(_("name"), max_length=120)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        default=60,
        validators=[MinValueValidator(10), MaxValueValidator(240)],
    )
    buffer_minutes = models.PositiveSmallIntegerField(
        _("buffer after (minutes)"), default=0, validators=[MaxValueValidator(120)]
    )
    bookable_online = models.BooleanField(_("bookable online"), default=True)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("session type")
        verbose_name_plural = _("session types")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "name"], name="session_type_name_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.duration_minutes} min)"


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class _WeeklyRange(models.Model):
    """A wall-clock range on a weekday, in the practice's time zone. Stored as local
    times on purpose: "09:00 on Mondays" stays 09:00 across daylight-saving changes;
    lib/slots.py turns it into UTC instants date by date."""

    therapist = models.ForeignKey(
        StaffMember, on_delete=models.CASCADE, related_name="+", verbose_name=_("therapist")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))

    class Meta:
        abstract = True
        ordering = ["therapist", "weekday", "start_time"]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"

    def clean(self) -> None:
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValidationError({"end_time": _("The end must be after the start.")})


class WorkingHours(_WeeklyRange):
    therapist = models.ForeignKey(
        StaffMember,
        on_delete=models.CASCADE,
        related_name="working_hours",
        verbose_name=_("therapist"),
    )

    class Meta(_WeeklyRange.Meta):
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")),
                name="working_hours_end_after_start",
            )
        ]


class Break(_WeeklyRange):
    """A recurring pause inside working hours (e.g. lunch), no sessions offered."""

    therapist = models.ForeignKey(
        StaffMember, on_delete=models.CASCADE, related_name="breaks", verbose_name=_("therapist")
    )

    class Meta(_WeeklyRange.Meta):
        verbose_name = _("break")
        verbose_name_plural = _("breaks")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")),
                name="break_end_after_start",
            )
        ]


class TimeOff(models.Model):
    """Holiday, sick leave, a course: no sessions in [starts_at, ends_at) (UTC)."""

    therapist = models.ForeignKey(
        StaffMember, on_delete=models.CASCADE, related_name="time_off", verbose_name=_("therapist")
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("time off")
        verbose_name_plural = _("time off")
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["therapist", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="time_off_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.therapist} {self.starts_at:%Y-%m-%d}–{self.ends_at:%Y-%m-%d}"


class SessionQuerySet(models.QuerySet):
    def active(self) -> "SessionQuerySet":
        """Sessions that occupy their time slot (not cancelled)."""
        return self.exclude(status=Session.Status.CANCELLED)

    def overlapping(self, starts_at, ends_at) -> "SessionQuerySet":
        return self.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)


class Session(models.Model):
    """One appointment. Times are stored in UTC; `ends_at` is derived from the duration
    and stored so the database can index and constrain the time range."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CHECKED_IN = "checked_in", _("Checked in")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("No-show")

    # No single-column indexes on practice, therapist and client: the (column, starts_at)
    # indexes in Meta lead with them and serve the same lookups, and every booking's
    # INSERT would maintain three more indexes for nothing (issue 15, booking rate).
    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="sessions", db_index=False
    )
    therapist = models.ForeignKey(
        StaffMember,
        on_delete=models.PROTECT,
        related_name="sessions",
        verbose_name=_("therapist"),
        db_index=False,
    )
    client = models.ForeignKey(
        Client,
        on_delete=models.CASCADE,
        related_name="sessions",
        verbose_name=_("client"),
        db_index=False,
    )
    course = models.ForeignKey(
        Course,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("course"),
    )
    starts_at = models.DateTimeField(_("start"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        default=60,
        validators=[MinValueValidator(10), MaxValueValidator(240)],
    )
    ends_at = models.DateTimeField(_("end"), editable=False)
    room = models.ForeignKey(
        Room,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("room"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.BOOKED
    )
    session_type = models.ForeignKey(
        SessionType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("session type"),
    )
    buffer_minutes = models.PositiveSmallIntegerField(
        _("buffer after (minutes)"),
        default=0,
        help_text=_("Kept free after the session; copied from the session type."),
    )
    series = models.UUIDField(
        _("series"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Sessions booked together as one series share this id."),
    )
    overrides = models.CharField(
        _("booked despite"),
        max_length=120,
        blank=True,
        help_text=_(
            "Rules staff confirmed to override when booking or moving (e.g. outside "
            "working hours, a past session entered afterwards)."
        ),
    )
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("overridden by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "id"]
        indexes = [
            # Covering on PostgreSQL: the free-time search (every session of a window of
            # weeks, ~5,000 in a large practice) and the all-therapists day's counts are
            # read from the index alone, not from 5,000 table rows (~0.9 ms a search).
            models.Index(
                fields=["practice", "starts_at"],
                include=["therapist", "ends_at", "status", "room", "buffer_minutes"],
                name="session_practice_time",
            ),
            models.Index(fields=["therapist", "starts_at"]),
            models.Index(fields=["client", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="session_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.client} · {self.starts_at:%Y-%m-%d %H:%M} UTC"

    def save(self, *args, **kwargs):
        if self.starts_at is not None and self.duration_minutes:
            self.ends_at = self.starts_at + timedelta(minutes=self.duration_minutes)
            if "update_fields" in kwargs and kwargs["update_fields"] is not None:
                fields = set(kwargs["update_fields"])
                if fields & {"starts_at", "duration_minutes"}:
                    kwargs["update_fields"] = list(fields | {"ends_at"})
        super().save(*args, **kwargs)

    def ownership_problems(self) -> dict[str, str]:
        """Field -> errors code for every related row of another practice (or a course
        of another client). The booking service and the admin's clean() both ask this."""
        problems = {}
        for name in ("client", "therapist", "room", "session_type"):
            related = getattr(self, name, None)
            if related is not None and self.practice_id and related.practice_id != self.practice_id:
                problems[name] = errors.OTHER_PRACTICE
        if self.course is not None and self.client_id and self.course.client_id != self.client_id:
            problems["course"] = errors.OTHER_CLIENT
        return problems

    def clean(self) -> None:
        problems = self.ownership_problems()
        if problems:
            raise ValidationError({name: errors.MESSAGES[code] for name, code in problems.items()})

    # --- The session's life -------------------------------------------------------
    # The only statement of which status may follow which, and when. The day view's
    # buttons, the API, the portal and scheduling/services.py all ask
    # `transition_problem` / `can_become`; nothing else sets `status`.

    # Clients may check in (online or at the desk) from this long before the start.
    CHECK_IN_OPENS = timedelta(hours=24)

    # `Status.values` builds a new list on every read; the day view asks for every card.
    STATUS_ORDER: tuple[str, ...] = tuple(Status.values)
    TRANSITIONS: dict[str, frozenset[str]] = {
        # A booked session can be checked in, held, missed or called off.
        Status.BOOKED: frozenset(
            {Status.CHECKED_IN, Status.COMPLETED, Status.NO_SHOW, Status.CANCELLED}
        ),
        # A checked-in client is on the way or here: the session is held or missed. It
        # can still be called off before the start (checked in online, then fell ill).
        Status.CHECKED_IN: frozenset({Status.COMPLETED, Status.NO_SHOW, Status.CANCELLED}),
        # "Completed" clicked instead of "No-show": correctable while no record says
        # the session was held. It is never cancelled afterwards: it took place.
        Status.COMPLETED: frozenset({Status.NO_SHOW}),
        # A no-show marked by mistake goes back to booked; a client who came late
        # after all makes it completed.
        Status.NO_SHOW: frozenset({Status.BOOKED, Status.COMPLETED}),
        # Final: a cancelled session's slot may already be given to someone else, so
        # it cannot come back; book again instead.
        Status.CANCELLED: frozenset(),
    }

    def transition_problem(self, status: str, now: datetime) -> str | None:
        """Why this session cannot become `status` at `now` (an errors code), or None."""
        if status not in self.STATUS_ORDER:
            return errors.UNKNOWN_STATUS
        if status == self.status:
            return errors.SAME_STATUS
        if status not in self.TRANSITIONS[self.status]:
            return errors.NOT_ALLOWED
        started = self.has_started(now)
        if status in (self.Status.COMPLETED, self.Status.NO_SHOW) and not started:
            # Nobody can have been treated, or have failed to come, before the start.
            return errors.NOT_STARTED
        if status == self.Status.CHECKED_IN and not (
            self.starts_at - self.CHECK_IN_OPENS <= now <= self.ends_at
        ):
            # Checking in says "I am coming today"; days ahead it means nothing, and
            # after the end the session is completed or a no-show instead.
            return errors.CHECK_IN_NOT_OPEN
        if self.status == self.Status.CHECKED_IN and status == self.Status.CANCELLED and started:
            # Once it has begun, a checked-in session was held or missed.
            return errors.ALREADY_STARTED
        if (
            self.status == self.Status.COMPLETED
            and status == self.Status.NO_SHOW
            and self.has_record
        ):
            return errors.HAS_RECORD
        return None

    def can_become(self, status: str, now: datetime) -> bool:
        return self.transition_problem(status, now) is None

    def next_statuses(self, now: datetime) -> list[str]:
        """The statuses this session may move to now, in the order of `Status`."""
        return [st for st in self.STATUS_ORDER if self.can_become(st, now)]

    @property
    def is_movable(self) -> bool:
        """Only a booked session moves: a held or missed one happened at its time, and a
        cancelled one's time may already be someone else's."""
        return self.status == self.Status.BOOKED

    def has_started(self, now: datetime) -> bool:
        return now >= self.starts_at

    def record_problem(self, now: datetime, *, check_in: bool = False) -> str | None:
        """Why a record cannot be written for this session now, or None.

        Only a held session has a record: not a cancelled or missed one, and not one
        that has not started (staff may enter a past one afterwards; saving the record
        completes it). The one exception is the client's own check-in: once checked in,
        their "before" values go into the record ahead of the start."""
        if self.status in (self.Status.CANCELLED, self.Status.NO_SHOW):
            return errors.NOT_HELD
        if check_in and self.status == self.Status.CHECKED_IN:
            return None
        if not self.has_started(now):
            return errors.RECORD_TOO_EARLY
        return None

    @property
    def record_open(self) -> bool:
        """Whether a record may be written now (`record_problem` for staff): what every
        page asks before it offers "Record", so no page offers what the writer refuses."""
        return self.record_problem(timezone.now()) is None

    def status_error_params(self, status: str) -> dict[str, object]:
        labels = dict(self.Status.choices)
        return {
            "old": labels[self.status],
            "new": labels.get(status, status),
            "hours": int(self.CHECK_IN_OPENS.total_seconds() // 3600),
        }

    @property
    def has_record(self) -> bool:
        # The record lives in the records app (SessionRecord.session, related_name
        # "record"); asking through the reverse relation needs no import of it.
        return hasattr(self, "record")

    @property
    def blocked_until(self):
        """End of the time this session keeps the therapist busy (end + buffer)."""
        return self.ends_at + timedelta(minutes=self.buffer_minutes)

    @property
    def local_start(self):
        return self.starts_at.astimezone(self.practice.zone)

    @property
    def number_in_course(self) -> int | None:
        """The session's number in its course: 1-based position among the course's
        sessions that were neither cancelled nor missed; None for those (the course
        table, chart, PDF and client's page number sessions the same way)."""
        if not self.course_id or self.status in (self.Status.CANCELLED, self.Status.NO_SHOW):
            return None
        return (
            Session.objects.active()
            .exclude(status=self.Status.NO_SHOW)
            .filter(course_id=self.course_id, starts_at__lt=self.starts_at)
            .count()
            + 1
        )


class PendingBooking(models.Model):
    """A public booking request waiting for the client to click the emailed link.

    It does NOT hold the slot: the session is created only on confirmation, so that
    unconfirmed (or fake) requests cannot block a therapist's calendar. If somebody else
    took the slot in the meantime, confirming says so and nothing is saved.
    """

    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="pending_bookings"
    )
    session_type = models.ForeignKey(SessionType, on_delete=models.CASCADE, related_name="+")
    therapist = models.ForeignKey(
        StaffMember,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: any therapist who is free."),
    )
    starts_at = models.DateTimeField(_("start"))
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    nonce = models.UUIDField(default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    requested_ip = models.GenericIPAddressField(
        _("requested from"),
        null=True,
        blank=True,
        help_text=_("The address the request came from; counted for rate limiting."),
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    session = models.OneToOneField(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("pending booking")
        verbose_name_plural = _("pending bookings")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_at"], name="pending_booking_created")]

    def __str__(self) -> str:
        return f"{self.email} {self.starts_at:%Y-%m-%d %H:%M} UTC"
