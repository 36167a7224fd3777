"""What the public booking pages show beyond the calendar: a therapist's photo and short
bio, a session type's description. Kept here (one row per therapist or session type) so
that the booking pages own what only they show."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from backcourse.practices.models import StaffMember
from backcourse.scheduling.models import SessionType


class TherapistProfile(models.Model):
    staff = models.OneToOneField(
        StaffMember, on_delete=models.CASCADE, related_name="public_profile"
    )
    photo = models.ImageField(_("photo"), upload_to="therapists/", blank=True)
    bio = models.TextField(
        _("short bio"),
        max_length=400,
        blank=True,
        help_text=_("Two or three sentences clients read when they choose a therapist."),
    )

    class Meta:
        verbose_name = _("therapist profile")
        verbose_name_plural = _("therapist profiles")

    def __str__(self) -> str:
        return self.staff.name


class SessionTypeInfo(models.Model):
    session_type = models.OneToOneField(
        SessionType, on_delete=models.CASCADE, related_name="public_info"
    )
    description = models.TextField(
        _("description"),
        max_length=400,
        blank=True,
        help_text=_("What happens in this session, in a sentence or two, for the booking page."),
    )

    class Meta:
        verbose_name = _("session type description")
        verbose_name_plural = _("session type descriptions")

    def __str__(self) -> str:
        return self.session_type.name
