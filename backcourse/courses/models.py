from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from backcourse.clients.models import Client
from backcourse.lib.numbers import plain_decimal
from backcourse.measures.models import MeasureDefinition, MuscleRegion
from backcourse.practices.models import Practice, StaffMember


class Course(models.Model):
    """A treatment plan for one client: an intensive phase, then maintenance.

    The goal is expressed on one measure, either as an absolute target (e.g. pain
    at most 3/10, fingertip-to-floor at most 10 cm, rotation at least 70°) or as a
    relative improvement from the first session (e.g. 30 % less pain).
    """

    class Phase(models.TextChoices):
        INTENSIVE = "intensive", _("Intensive")
        MAINTENANCE = "maintenance", _("Maintenance")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    class GoalKind(models.TextChoices):
        TARGET = "target", _("Reach a value")
        PERCENT = "percent", _("Improve by a percentage")

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="courses")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="courses")
    therapist = models.ForeignKey(
        StaffMember,
        on_delete=models.PROTECT,
        related_name="courses",
        verbose_name=_("therapist"),
    )
    complaint = models.CharField(_("complaint"), max_length=200)
    goal_measure = models.ForeignKey(
        MeasureDefinition,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("goal measure"),
    )
    goal_kind = models.CharField(
        _("goal kind"), max_length=10, choices=GoalKind.choices, default=GoalKind.TARGET
    )
    goal_value = models.DecimalField(_("goal value"), max_digits=6, decimal_places=1)
    target_muscles = models.ManyToManyField(
        MuscleRegion, blank=True, related_name="+", verbose_name=_("target muscles")
    )
    planned_sessions = models.PositiveSmallIntegerField(
        _("planned sessions"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Leave empty for an open-ended course."),
    )
    intensive_interval_days = models.PositiveSmallIntegerField(
        _("days between intensive sessions"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    maintenance_interval_days = models.PositiveSmallIntegerField(
        _("days between maintenance sessions"),
        default=28,
        validators=[MinValueValidator(7), MaxValueValidator(180)],
    )
    phase = models.CharField(
        _("phase"), max_length=12, choices=Phase.choices, default=Phase.INTENSIVE
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    started_on = models.DateField(_("start date"))
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["-started_on", "-id"]
        indexes = [models.Index(fields=["practice", "status"])]

    def __str__(self) -> str:
        return f"{self.client} — {self.complaint}"

    @property
    def neutral_label(self) -> str:
        """The course named without its complaint (health data): for the calendar, money
        and contact pages, which roles without clinical access see too."""
        return gettext("Course since %(date)s") % {"date": self.started_on.isoformat()}

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.client_id and self.practice_id and self.client.practice_id != self.practice_id:
            errors.setdefault("client", []).append(_("This client belongs to another practice."))
        if (
            self.therapist_id
            and self.practice_id
            and self.therapist.practice_id != self.practice_id
        ):
            errors.setdefault("therapist", []).append(
                _("This therapist works in another practice.")
            )
        if self.goal_measure_id and self.goal_value is not None:
            errors.update(self._goal_errors())
        if errors:
            raise ValidationError(errors)

    def _goal_errors(self) -> dict[str, list]:
        measure = self.goal_measure
        value = Decimal(self.goal_value)
        if not measure.can_be_goal:
            return {
                "goal_measure": [_("%(m)s cannot be a course goal.") % {"m": measure.display_name}]
            }
        if self.goal_kind == self.GoalKind.PERCENT:
            if not (Decimal("1") <= value <= Decimal("100")):
                return {"goal_value": [_("A percentage goal must be between 1 and 100 %.")]}
            return {}
        if value < measure.min_value or value > measure.max_value:
            return {
                "goal_value": [
                    _("The goal must lie on the %(m)s scale, %(lo)s to %(hi)s.")
                    % {
                        "m": measure.display_name,
                        "lo": plain_decimal(measure.min_value),
                        "hi": plain_decimal(measure.max_value),
                    }
                ]
            }
        # A goal at the worst end of the scale can never be "reached" as an improvement.
        worst = measure.max_value if measure.lower_is_better else measure.min_value
        if value == worst:
            return {
                "goal_value": [
                    _("A goal of %(v)s is the worst value on this scale; choose an improvement.")
                    % {"v": plain_decimal(value)}
                ]
            }
        return {}

    @property
    def goal_text(self) -> str:
        measure = self.goal_measure
        value = plain_decimal(self.goal_value)
        if self.goal_kind == self.GoalKind.PERCENT:
            return _("%(m)s %(v)s %% better than at the start") % {"m": measure.label, "v": value}
        sign = "≤" if measure.lower_is_better else "≥"
        unit = measure.unit
        return f"{measure.label} {sign} {value}{(' ' + unit) if unit else ''}"

    def goal_threshold(self, first_value: float | None) -> float | None:
        """The goal as a value on the measure's scale (needs the first value for % goals)."""
        if self.goal_kind == self.GoalKind.TARGET:
            return float(self.goal_value)
        if first_value is None:
            return None
        fraction = float(self.goal_value) / 100
        if self.goal_measure.lower_is_better:
            return first_value * (1 - fraction)
        return first_value * (1 + fraction)
