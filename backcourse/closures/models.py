import holidays
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from backcourse.practices.models import Practice


class HolidayRegion(models.Model):
    """Where the practice is, for its public holidays (the `holidays` package): no
    sessions are offered on them."""

    practice = models.OneToOneField(
        Practice, on_delete=models.CASCADE, related_name="holiday_region"
    )
    country = models.CharField(
        _("country"), max_length=3, blank=True, help_text=_("Empty: no public holidays.")
    )
    subdivision = models.CharField(
        _("state or region"),
        max_length=10,
        blank=True,
        help_text=_("For holidays of one state only, e.g. BY for Bavaria."),
    )

    class Meta:
        verbose_name = _("holiday region")
        verbose_name_plural = _("holiday regions")

    def __str__(self) -> str:
        return f"{self.country}-{self.subdivision}" if self.subdivision else self.country

    def clean(self) -> None:
        known = holidays.list_supported_countries().get(self.country, [])
        if self.subdivision and self.subdivision not in known:
            raise ValidationError(
                {"subdivision": _("This region is not known for the chosen country.")}
            )


class ClosureDay(models.Model):
    """A day the practice is closed (besides public holidays): no sessions offered."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="closure_days")
    day = models.DateField(_("day"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("closure day")
        verbose_name_plural = _("closure days")
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "day"], name="closure_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.reason}".strip()
