import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backcourse.clients.models import Client
from backcourse.practices.models import Practice, StaffMember
from backcourse.scheduling.models import Session, SessionType


class WaitlistEntry(models.Model):
    """A client asks for an earlier time with a therapist, on a day within a window.

    With `session`, the client already has that booked session and wants it earlier:
    accepting an offer moves it. Without, accepting books a new session."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        BOOKED = "booked", _("Booked")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="waitlist")
    therapist = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="+")
    session_type = models.ForeignKey(SessionType, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    first_day = models.DateField(_("from"))
    last_day = models.DateField(_("until"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("waitlist entry")
        verbose_name_plural = _("waitlist entries")
        # First come, first served.
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["therapist", "status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=models.F("first_day")), name="waitlist_window_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.client} · {self.first_day}–{self.last_day}"


class WaitlistOffer(models.Model):
    """A freed slot offered to one entry, held for it until `expires_at`."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        EXPIRED = "expired", _("Expired")
        TAKEN = "taken", _("Taken meanwhile")

    entry = models.ForeignKey(WaitlistEntry, on_delete=models.CASCADE, related_name="offers")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("waitlist offer")
        verbose_name_plural = _("waitlist offers")
        ordering = ["created_at", "id"]
        constraints = [
            # Never the same slot to the same entry twice.
            models.UniqueConstraint(fields=["entry", "starts_at"], name="waitlist_offer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.entry} · {self.starts_at:%Y-%m-%d %H:%M} UTC ({self.status})"
