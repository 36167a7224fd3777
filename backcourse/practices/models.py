import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(tz)s” is not a known time zone."), params={"tz": value})


class Practice(models.Model):
    """A studio: owns its staff, rooms, clients and settings. The unit of privacy."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("web address name"), unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Berlin", validators=[validate_time_zone]
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    email = models.EmailField(_("contact email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.TextField(_("address"), blank=True)
    reminder_hours_before = models.PositiveSmallIntegerField(
        _("reminder hours before a session"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
    )
    cancellation_notice_hours = models.PositiveSmallIntegerField(
        _("notice for client changes (hours)"),
        default=24,
        validators=[MaxValueValidator(336)],
        help_text=_("Clients may cancel or reschedule online until this many hours before."),
    )
    online_booking = models.BooleanField(_("online booking open"), default=True)

    class ClinicalScope(models.TextChoices):
        ALL = "all", _("all clients of the practice")
        OWN = "own", _("only their own clients")

    therapist_clinical_scope = models.CharField(
        _("therapists see the clinical data of"),
        max_length=3,
        choices=ClinicalScope.choices,
        default=ClinicalScope.ALL,
        help_text=_("Own clients: those with a course or a session with the therapist."),
    )
    require_two_factor = models.BooleanField(
        _("require two-factor login for all staff"),
        default=False,
        help_text=_("Staff without an authenticator app must set one up before anything else."),
    )
    # Where the practice is, for its public holidays (closures app, `holidays` package).
    country = models.CharField(
        _("country"), max_length=2, blank=True, help_text=_("Empty: no public holidays.")
    )
    region = models.CharField(
        _("state or region"),
        max_length=10,
        blank=True,
        help_text=_("For holidays of one state only, e.g. BY for Bavaria."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Changed (to a random value) whenever the practice's consent texts, course-effect
    # priors or staff, or the shared vocabularies, change: processes keep those in
    # memory under it (practices/reference.py).
    reference_revision = models.BigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("practice")
        verbose_name_plural = _("practices")

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class StaffMember(models.Model):
    """A staff user bound to one practice with a role. Therapists take sessions."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        THERAPIST = "therapist", _("Therapist")
        FRONT_DESK = "front_desk", _("Front desk")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff"
    )
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="staff")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.THERAPIST)
    takes_sessions = models.BooleanField(
        _("takes sessions"),
        default=True,
        help_text=_("Shown as a therapist in the calendar and when booking."),
    )
    display_name = models.CharField(_("display name"), max_length=120, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        ordering = ["display_name", "user__last_name", "user__first_name"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        user = self.user
        return staff_name(self.display_name, user.first_name, user.last_name, user.get_username())

    @property
    def is_owner(self) -> bool:
        return self.role == self.Role.OWNER


def staff_name(display_name: str, first_name: str, last_name: str, username: str) -> str:
    """A staff member's name as every page shows it (`StaffMember.name`), from the columns
    alone: for pages that list many staff members without loading them."""
    return display_name or f"{first_name} {last_name}".strip() or username
