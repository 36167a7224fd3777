from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessEventQuerySet(models.QuerySet):
    """Rows are only ever added: no bulk update or delete through the ORM."""

    def update(self, **kwargs):
        raise PermissionDenied("The audit trail cannot be changed.")

    def delete(self):
        raise PermissionDenied("The audit trail cannot be deleted.")


class AccessEvent(models.Model):
    """One read or change of a client's health data: who, what, when, from where.

    Rows are only ever added (the model refuses a second save and deletion; the admin
    and the owner's page are read-only). `client_ref` keeps the client's id after the
    client row itself is deleted, so that deletions stay traceable.
    """

    class Action(models.TextChoices):
        VIEW = "view", _("viewed")
        CHANGE = "change", _("changed")
        EXPORT = "export", _("exported")
        DELETE = "delete", _("deleted")

    class Channel(models.TextChoices):
        PAGE = "page", _("staff pages")
        API = "api", _("API")
        CALENDAR = "calendar", _("calendar file or feed")
        ADMIN = "admin", _("administration")
        PORTAL = "portal", _("client portal")
        SYSTEM = "system", _("system")

    # No database-level foreign keys (db_constraint=False): a row records a past fact and
    # outlives what it names (client_ref keeps the client's id), and a checked key would
    # lock the user's, the practice's and the client's rows (FOR KEY SHARE) on every
    # audited page read: 180 checks for the 60 rows of a week view, ~0.9 ms, and every
    # request of the practice contending for its one practice row. Django still applies
    # on_delete when those rows are deleted through it.
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        db_constraint=False,
    )
    actor = models.CharField(
        _("who"), max_length=150, blank=True, help_text=_("The login name at the time.")
    )
    practice = models.ForeignKey(
        "practices.Practice",
        on_delete=models.CASCADE,
        related_name="access_events",
        db_constraint=False,
        db_index=False,  # audit_practice_at (practice, -at) serves every lookup by practice
    )
    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.SET_NULL,
        null=True,
        related_name="access_events",
        db_constraint=False,
    )
    client_ref = models.PositiveBigIntegerField(
        _("client id"), null=True, db_index=True, help_text=_("Kept when the client is deleted.")
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    channel = models.CharField(
        _("from"), max_length=10, choices=Channel.choices, default=Channel.PAGE
    )
    what = models.CharField(max_length=200, help_text=_("Which page or object was read."))
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("access event")
        verbose_name_plural = _("access events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["practice", "-at"], name="audit_practice_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor or self.user} {self.action} {self.what}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.pop("_allow_update", False):
            raise PermissionDenied("The audit trail cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("The audit trail cannot be deleted.")
