import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backcourse.clients.models import Client
from backcourse.practices.models import Practice, StaffMember
from backcourse.scheduling.models import Session


class Notification(models.Model):
    """One reminder email, claimed *before* it is sent.

    The unique (session, kind, starts_at) row is the guarantee against duplicates: whoever
    inserts it owns the send. `starts_at` is the session start the reminder speaks of, so a
    session moved after its reminder went out gets one reminder of its new time. A worker killed after the claim leaves the row 'sending'; a later scan
    takes it over only once it is older than the claim timeout (see services.py for why
    that is at-least-once for that narrow case).
    """

    class Kind(models.TextChoices):
        SESSION_REMINDER = "session_reminder", _("Session reminder")
        # Keyed on the course's last non-cancelled session: one per gap in the cadence.
        MAINTENANCE_DUE = "maintenance_due", _("Maintenance due")

    class Status(models.TextChoices):
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    starts_at = models.DateTimeField(_("session start"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SENDING
    )
    # Each channel (email, text message) is claimed on its own: the exactly-once
    # guarantee below holds per channel (issue 12).
    channel = models.CharField(_("channel"), max_length=5, default="email")
    recipient = models.CharField(_("recipient"), max_length=254)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)
    claimed_at = models.DateTimeField(_("claimed at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-claimed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "kind", "starts_at", "channel"],
                name="notification_once_per_start_channel",
            )
        ]
        indexes = [models.Index(fields=["status", "claimed_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · session {self.session_id} · {self.status}"

    @property
    def message_id(self) -> str:
        # Stable across retries, so a resend after a crash carries the same Message-ID and
        # mail servers/clients that de-duplicate on it show one message.
        return f"<backcourse-{self.kind}-{self.session_id}-{self.starts_at:%Y%m%dT%H%M}@backcourse>"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeedQuerySet(models.QuerySet):
    def usable(self, now=None) -> "CalendarFeedQuerySet":
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class CalendarFeed(models.Model):
    """A private ICS feed URL for one therapist or one client. The token *is* the
    credential: anyone with the URL sees the sessions, so staff can revoke it."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    staff = models.ForeignKey(
        StaffMember,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_feeds",
        verbose_name=_("therapist"),
    )
    client = models.ForeignKey(
        Client,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_feeds",
        verbose_name=_("client"),
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(_("last fetched"), null=True, blank=True)

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(staff__isnull=False, client__isnull=True)
                    | models.Q(staff__isnull=True, client__isnull=False)
                ),
                name="calendar_feed_one_owner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.owner_name} ({self.practice})"

    @property
    def owner_name(self) -> str:
        return self.staff.name if self.staff_id else self.client.full_name

    @property
    def is_usable(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()
