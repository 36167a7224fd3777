from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from backcourse.clients.models import Client
from backcourse.courses.models import Course
from backcourse.practices.models import Practice, StaffMember


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

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="sessions")
    therapist = models.ForeignKey(
        StaffMember, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("therapist")
    )
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("client")
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
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["practice", "starts_at"]),
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

    def clean(self) -> None:
        errors: dict[str, list] = {}
        practice_id = self.practice_id
        if self.client_id and practice_id and self.client.practice_id != practice_id:
            errors.setdefault("client", []).append(_("This client belongs to another practice."))
        if self.therapist_id and practice_id and self.therapist.practice_id != practice_id:
            errors.setdefault("therapist", []).append(
                _("This therapist works in another practice.")
            )
        if self.room_id and practice_id and self.room.practice_id != practice_id:
            errors.setdefault("room", []).append(_("This room belongs to another practice."))
        if self.course_id and self.client_id and self.course.client_id != self.client_id:
            errors.setdefault("course", []).append(_("This course belongs to another client."))
        if errors:
            raise ValidationError(errors)

    @property
    def local_start(self):
        return self.starts_at.astimezone(self.practice.zone)

    @property
    def number_in_course(self) -> int | None:
        """1-based position among the course's non-cancelled sessions."""
        if not self.course_id:
            return None
        return (
            Session.objects.active()
            .filter(course_id=self.course_id, starts_at__lt=self.starts_at)
            .count()
            + 1
        )
