"""The vocabularies every record speaks: measures, back regions and techniques.

They are data (loaded by a migration, editable in the admin), so a practice can add a
region or a measure without a code change.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from backcourse.lib.numbers import plain_decimal


class MeasureDefinition(models.Model):
    """What can be measured in a session, its scale and which direction is better."""

    class Kind(models.TextChoices):
        RATING = "rating", _("Rating scale")
        RANGE_OF_MOTION = "rom", _("Range of motion")
        TENSION_SUM = "tension_sum", _("Sum of regional tension")

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=120)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.RATING)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    min_value = models.DecimalField(_("lowest value"), max_digits=6, decimal_places=1)
    max_value = models.DecimalField(_("highest value"), max_digits=6, decimal_places=1)
    step = models.DecimalField(_("step"), max_digits=4, decimal_places=1, default=Decimal("1"))
    lower_is_better = models.BooleanField(_("lower is better"), default=True)
    recorded_before = models.BooleanField(_("recorded before the session"), default=True)
    recorded_after = models.BooleanField(_("recorded after the session"), default=True)
    can_be_goal = models.BooleanField(_("can be a course goal"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("measure definition")
        verbose_name_plural = _("measure definitions")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_value__lt=models.F("max_value")),
                name="measure_min_below_max",
            )
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.unit})" if self.unit else self.display_name

    # Shipped names are English msgids (vocabulary.py marks them); a practice's own rows
    # have no translation and show as typed.
    @property
    def display_name(self) -> str:
        return gettext(self.name)

    @property
    def label(self) -> str:
        return gettext(self.short_name or self.name)

    def check_value(self, value: Decimal | float | int | None) -> None:
        """Raise ValidationError when a value lies outside this measure's scale."""
        if value is None:
            return
        if value < self.min_value or value > self.max_value:
            raise ValidationError(
                _("%(name)s must be between %(low)s and %(high)s %(unit)s."),
                params={
                    "name": self.display_name,
                    "low": plain_decimal(self.min_value),
                    "high": plain_decimal(self.max_value),
                    "unit": self.unit,
                },
                code="out_of_range",
            )


class MuscleRegion(models.Model):
    """A region of the back, one side. `svg_path` draws it on the body chart."""

    class Side(models.TextChoices):
        LEFT = "L", _("left")
        RIGHT = "R", _("right")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    muscle = models.CharField(_("muscle"), max_length=120)
    side = models.CharField(_("side"), max_length=1, choices=Side.choices)
    svg_path = models.TextField(
        _("body chart shape"), help_text=_("SVG path data in the 200×300 back chart.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("muscle region")
        verbose_name_plural = _("muscle regions")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.muscle_label} ({self.get_side_display()})"

    @property
    def muscle_label(self) -> str:
        return gettext(self.muscle)

    @property
    def short_label(self) -> str:
        return f"{self.muscle_label} {self.side}"


class Technique(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=120)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("technique")
        verbose_name_plural = _("techniques")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return gettext(self.name)


TENSION_MIN, TENSION_MAX = 0, 3
