from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from backcourse.measures.models import (
    TENSION_MAX,
    TENSION_MIN,
    MeasureDefinition,
    MuscleRegion,
    Technique,
)
from backcourse.scheduling.models import Session


class SessionRecord(models.Model):
    """What happened in a session: techniques, pressure, muscles, SOAP notes, measures.

    `version` grows with every save; a form posts the version it was loaded with so a
    second tab that saves later gets a conflict instead of overwriting (no lost notes).
    """

    class Pressure(models.IntegerChoices):
        LIGHT = 1, _("Light")
        MODERATE = 2, _("Moderate")
        FIRM = 3, _("Firm")
        DEEP = 4, _("Deep")

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="record")
    techniques = models.ManyToManyField(
        Technique, blank=True, related_name="+", verbose_name=_("techniques")
    )
    pressure = models.PositiveSmallIntegerField(
        _("pressure"), choices=Pressure.choices, null=True, blank=True
    )
    muscles_treated = models.ManyToManyField(
        MuscleRegion, blank=True, related_name="+", verbose_name=_("muscles treated")
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("treatment minutes"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
    )
    subjective = models.TextField(_("subjective"), blank=True)
    objective = models.TextField(_("objective"), blank=True)
    assessment = models.TextField(_("assessment"), blank=True)
    plan = models.TextField(_("plan"), blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("session record")
        verbose_name_plural = _("session records")

    def __str__(self) -> str:
        return _("Record of %(session)s") % {"session": self.session}


class Measurement(models.Model):
    """One value of one measure, before or after the session."""

    class Moment(models.TextChoices):
        BEFORE = "before", _("before")
        AFTER = "after", _("after")

    record = models.ForeignKey(SessionRecord, on_delete=models.CASCADE, related_name="measurements")
    measure = models.ForeignKey(MeasureDefinition, on_delete=models.PROTECT, related_name="+")
    moment = models.CharField(_("moment"), max_length=6, choices=Moment.choices)
    value = models.DecimalField(_("value"), max_digits=6, decimal_places=1)

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        constraints = [
            models.UniqueConstraint(
                fields=["record", "measure", "moment"], name="one_value_per_measure_and_moment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure.label} {self.moment}: {self.value}"

    def clean(self) -> None:
        if self.measure_id and self.value is not None:
            self.measure.check_value(self.value)


class TensionReading(models.Model):
    """Palpated muscle tension of one region, 0 (none) to 3 (marked)."""

    record = models.ForeignKey(SessionRecord, on_delete=models.CASCADE, related_name="tension")
    region = models.ForeignKey(MuscleRegion, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(
        _("tension"), validators=[MinValueValidator(TENSION_MIN), MaxValueValidator(TENSION_MAX)]
    )

    class Meta:
        verbose_name = _("tension reading")
        verbose_name_plural = _("tension readings")
        constraints = [
            models.UniqueConstraint(fields=["record", "region"], name="one_tension_per_region"),
            models.CheckConstraint(
                condition=models.Q(level__gte=TENSION_MIN, level__lte=TENSION_MAX),
                name="tension_level_0_to_3",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region.short_label}: {self.level}"

    def clean(self) -> None:
        if self.level is not None and not (TENSION_MIN <= self.level <= TENSION_MAX):
            raise ValidationError({"level": _("Tension is rated 0 to 3.")})
