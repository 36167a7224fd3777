"""Course-effect figures that are computed when data changes and stored, so that no page
does work that grows with the practice (see `outcomes/services.py` for the writers)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from backcourse.courses.models import Course
from backcourse.practices.models import Practice


class StoredPrior(models.Model):
    """The practice's empirical-Bayes prior of one measure (`lib.course_effect.PracticePrior`),
    fitted from its completed courses by a task when a course completes.

    Pages read it (one query) instead of refitting it from every finished course.
    `computed_at` is when the computation *started* reading, so a change saved before
    that moment is known to be included.
    """

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    measure_code = models.CharField(max_length=40)
    params = models.JSONField(help_text="The PracticePrior fields.")
    n_courses = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("stored practice prior")
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "measure_code"], name="outcomes_prior_one_per_measure"
            )
        ]

    def __str__(self) -> str:
        return f"{self.practice} · {self.measure_code} · {self.n_courses} courses"


class CourseSummary(models.Model):
    """One completed course, summarised for the practice outcomes page: the session at
    which pain before the session first improved by 2 points or 30 % (or not at all).

    Kept by `outcomes.services.course_summary_refresh` when a course completes (or stops
    being completed), so `/outcomes/` aggregates these rows in SQL.
    """

    class Pain(models.TextChoices):
        REACHED = "reached", _("reached")
        NOT_REACHED = "not_reached", _("not reached")
        NOT_MEASURED = "not_measured", _("too few pain values")

    course = models.OneToOneField(
        Course, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    complaint = models.CharField(max_length=200, help_text="Spacing normalised.")
    complaint_key = models.CharField(max_length=200, help_text="Case and spacing ignored.")
    pain = models.CharField(max_length=12, choices=Pain.choices)
    reached_session = models.PositiveSmallIntegerField(null=True, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("course summary")
        verbose_name_plural = _("course summaries")
        indexes = [models.Index(fields=["practice", "complaint_key"])]

    def __str__(self) -> str:
        return f"{self.complaint} · {self.pain} {self.reached_session or ''}".strip()


class ComplaintOutcomeCount(models.Model):
    """How many completed courses of one complaint first reached the clinically important
    change at one session (`reached_session`; 0 with `pain` not reached / not measured).

    Kept from `CourseSummary` rows by `outcomes.services` whenever a summary is written,
    so `/outcomes/` reads a few rows per complaint however many courses there are.
    """

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    complaint_key = models.CharField(max_length=200)
    complaint = models.CharField(max_length=200)
    pain = models.CharField(max_length=12, choices=CourseSummary.Pain.choices)
    reached_session = models.PositiveSmallIntegerField(default=0)
    courses = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("complaint outcome count")
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "complaint_key", "pain", "reached_session"],
                name="outcomes_one_count_per_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.complaint} · {self.pain} {self.reached_session} · {self.courses}"
