from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessEvent(models.Model):
    """One read or change of a client's health data, by whom and when.

    Rows are only ever added; the admin shows them read-only.
    """

    class Action(models.TextChoices):
        VIEW = "view", _("viewed")
        CHANGE = "change", _("changed")
        EXPORT = "export", _("exported")
        DELETE = "delete", _("deleted")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    practice = models.ForeignKey(
        "practices.Practice", on_delete=models.CASCADE, related_name="access_events"
    )
    client = models.ForeignKey(
        "clients.Client", on_delete=models.SET_NULL, null=True, related_name="access_events"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    what = models.CharField(max_length=200, help_text=_("Which page or object was read."))
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("access event")
        verbose_name_plural = _("access events")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.what}"
