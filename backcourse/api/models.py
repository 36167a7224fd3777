"""Per-staff API tokens for integrations.

Only a SHA-256 hash of a token is stored: the token itself is shown once, when it is
created, and cannot be read back. Tokens carry 256 bits of randomness, so a fast hash
is enough (there is nothing to brute-force as with a password).
"""

import hashlib
import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from backcourse.practices.models import StaffMember

TOKEN_PREFIX = "bc_"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_generate() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class ApiTokenQuerySet(models.QuerySet):
    def usable(self) -> "ApiTokenQuerySet":
        """Not revoked, and the staff member and their login are still active."""
        return self.filter(
            revoked_at__isnull=True, staff__is_active=True, staff__user__is_active=True
        )


class ApiToken(models.Model):
    """A secret a staff member gives an integration: it acts as that staff member
    (same practice, same access), until revoked."""

    staff = models.ForeignKey(
        StaffMember, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("staff")
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What uses this token, e.g. “Accounting export”.")
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        _("starts with"),
        max_length=12,
        editable=False,
        help_text=_("The first characters of the token, to tell tokens apart."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
