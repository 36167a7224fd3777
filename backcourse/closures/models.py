from django.db import models
from django.utils.translation import gettext_lazy as _

from backcourse.practices.models import Practice


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
