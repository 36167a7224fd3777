from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A login. Staff are bound to a practice through `practices.StaffMember`;
    clients through `clients.Client.user`."""

    email = models.EmailField(_("email address"), blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
