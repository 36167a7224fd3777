from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from backcourse.practices.models import Practice


class ClientQuerySet(models.QuerySet):
    def search(self, text: str) -> "ClientQuerySet":
        qs = self
        for word in text.split():
            qs = qs.filter(
                models.Q(first_name__icontains=word)
                | models.Q(last_name__icontains=word)
                | models.Q(email__icontains=word)
                | models.Q(phone__icontains=word)
            )
        return qs


class Client(models.Model):
    """A person treated by a practice. Health data hangs off this row."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="clients")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="client",
        help_text=_("The client's own login for the client pages, if any."),
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_archived = models.BooleanField(_("archived"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["last_name", "first_name", "id"]
        indexes = [models.Index(fields=["practice", "last_name", "first_name"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
