from django.db import models
from django.utils.translation import gettext_lazy as _

from backcourse.clients.models import Client


class ReminderChannels(models.Model):
    """How a client wants reminders: email, text message, or both. No row: email."""

    class Choice(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("Text message")
        BOTH = "both", _("Email and text message")

    client = models.OneToOneField(
        Client, on_delete=models.CASCADE, related_name="reminder_channels"
    )
    channels = models.CharField(
        _("reminders by"), max_length=5, choices=Choice.choices, default=Choice.EMAIL
    )
    phone = models.CharField(
        _("mobile number"), max_length=20, blank=True, help_text=_("Stored as +49…")
    )

    class Meta:
        verbose_name = _("reminder channels")
        verbose_name_plural = _("reminder channels")

    def __str__(self) -> str:
        return f"{self.client}: {self.channels}"

    @property
    def wants_email(self) -> bool:
        return self.channels in (self.Choice.EMAIL, self.Choice.BOTH)

    @property
    def wants_sms(self) -> bool:
        return self.channels in (self.Choice.SMS, self.Choice.BOTH) and bool(self.phone)
