"""Writers of the stored course-effect figures: the practice prior per measure and the
summary row of each completed course.

Both are computed when a course completes (or stops being completed), by the task in
`outcomes/tasks.py`, enqueued on commit by the signal in `outcomes/signals.py` — whatever
path changed the course (course form, API, admin).  `manage.py outcomes_refresh`
recomputes them for existing practices.

What is guaranteed.  A computation reads the database as it is when it starts and stamps
its rows with that moment, so a later task whose request is older than the stamp can
skip: the change it was asked for is already included.  A record written after its
course completed (record service, `records.signals.record_saved`) enqueues the same task.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone

from backcourse.courses.models import Course
from backcourse.lib.course_effect import PracticePrior, clinically_important_session
from backcourse.measures.models import MeasureDefinition
from backcourse.outcomes.models import ComplaintOutcomeCount, CourseSummary, StoredPrior
from backcourse.outcomes.selectors import (
    TENSION_SUM,
    completed_course_points_by_id,
)

#: The prior is fitted from the latest completed courses only: a distribution across
#: 2,000 courses is as well known as across 50,000, and the task's time and memory stay
#: bounded however large the practice grows.
PRIOR_MAX_COURSES = 2000
#: Courses read per batch when summarising many at once.
BATCH = 2000


def _prior_measures() -> list[tuple[str, bool]]:
    """(code, higher_is_better) of every measure a course chart can show."""
    out = []
    for m in MeasureDefinition.objects.order_by("order", "code"):
        if m.kind == MeasureDefinition.Kind.TENSION_SUM:
            continue
        out.append((m.code, not m.lower_is_better))
    out.append((TENSION_SUM, False))
    return out


def practice_priors_refresh(*, practice, requested_at: datetime | None = None) -> int:
    """Fit and store the practice's prior of every measure from its latest completed
    courses.  Returns the number of measures with a practice prior; skips (returns -1)
    when a computation that started after `requested_at` already stored them."""
    if requested_at is not None:
        latest = (
            StoredPrior.objects.filter(practice=practice)
            .order_by("-computed_at")
            .values_list("computed_at", flat=True)
            .first()
        )
        if latest is not None and latest >= requested_at:
            return -1
    started = timezone.now()
    course_ids = list(
        Course.objects.filter(practice=practice, status=Course.Status.COMPLETED)
        .order_by("-started_on", "-id")
        .values_list("id", flat=True)[:PRIOR_MAX_COURSES]
    )
    stored = 0
    for code, higher in _prior_measures():
        courses = list(completed_course_points_by_id(practice, code, course_ids).values())
        prior = PracticePrior.from_courses(courses, higher_is_better=higher)
        if prior.source == "default":
            StoredPrior.objects.filter(practice=practice, measure_code=code).delete()
            continue
        StoredPrior.objects.update_or_create(
            practice=practice,
            measure_code=code,
            defaults={
                "params": dataclasses.asdict(prior),
                "n_courses": prior.n_courses,
                "computed_at": started,
            },
        )
        stored += 1
    if not stored:
        # Keep a stamp so that queued requests older than this run can skip.
        StoredPrior.objects.filter(practice=practice).update(computed_at=started)
    return stored


def _summary_fields(complaint: str, befores: list[float | None]) -> dict:
    spaced = " ".join(complaint.split())
    fields = {"complaint": spaced, "complaint_key": spaced.casefold(), "reached_session": None}
    if sum(b is not None for b in befores) < 2:
        fields["pain"] = CourseSummary.Pain.NOT_MEASURED
        return fields
    k = clinically_important_session(befores)
    if k is None:
        fields["pain"] = CourseSummary.Pain.NOT_REACHED
    else:
        fields.update(pain=CourseSummary.Pain.REACHED, reached_session=k)
    return fields


def course_summaries_refresh(*, practice, course_ids: list[int]) -> int:
    """(Re)write the summary rows of these courses of the practice: completed ones get a
    row, others lose theirs.  Returns the number of rows written."""
    now = timezone.now()
    written = 0
    for i in range(0, len(course_ids), BATCH):
        batch = course_ids[i : i + BATCH]
        completed = dict(
            Course.objects.filter(
                practice=practice, pk__in=batch, status=Course.Status.COMPLETED
            ).values_list("id", "complaint")
        )
        points = completed_course_points_by_id(practice, "pain", list(completed))
        rows = [
            CourseSummary(
                course_id=cid,
                practice=practice,
                computed_at=now,
                **_summary_fields(complaint, [p.before for p in points.get(cid, [])]),
            )
            for cid, complaint in completed.items()
        ]
        with transaction.atomic():
            old = CourseSummary.objects.filter(course_id__in=batch)
            keys = set(old.values_list("complaint_key", flat=True))
            keys |= {r.complaint_key for r in rows}
            old.delete()
            CourseSummary.objects.bulk_create(rows)
            if len(course_ids) <= BATCH:  # one course completing: recount its complaint
                complaint_counts_refresh(practice=practice, keys=keys)
        written += len(rows)
    if len(course_ids) > BATCH:
        complaint_counts_refresh(practice=practice)
    return written


@transaction.atomic
def complaint_counts_refresh(*, practice, keys: set[str] | None = None) -> None:
    """Recount `ComplaintOutcomeCount` from the course summaries, for these complaint keys
    (all of the practice's with None): one indexed GROUP BY, in the task, not the page."""
    counts = ComplaintOutcomeCount.objects.filter(practice=practice)
    summaries = CourseSummary.objects.filter(practice=practice)
    if keys is not None:
        counts = counts.filter(complaint_key__in=keys)
        summaries = summaries.filter(complaint_key__in=keys)
    counts.delete()
    cells = (
        summaries.values("complaint_key", "pain", "reached_session")
        .annotate(n=Count("pk"), name=Min("complaint"))
        .order_by()
    )
    ComplaintOutcomeCount.objects.bulk_create(
        [
            ComplaintOutcomeCount(
                practice=practice,
                complaint_key=c["complaint_key"],
                complaint=c["name"],
                pain=c["pain"],
                reached_session=c["reached_session"] or 0,
                courses=c["n"],
            )
            for c in cells
        ]
    )


def course_outcomes_refresh(*, course_id: int, requested_at: datetime | None = None) -> dict:
    """What a course's completion (or reopening) changes: its summary row and the
    practice's priors."""
    course = Course.objects.select_related("practice").filter(pk=course_id).first()
    if course is None:
        return {"summaries": 0, "priors": 0}
    summaries = course_summaries_refresh(practice=course.practice, course_ids=[course.pk])
    priors = practice_priors_refresh(practice=course.practice, requested_at=requested_at)
    return {"summaries": summaries, "priors": priors}


def practice_outcomes_refresh(*, practice) -> dict:
    """Recompute everything stored for one practice (management command, demo seeding)."""
    ids = list(
        Course.objects.filter(practice=practice, status=Course.Status.COMPLETED)
        .order_by("id")
        .values_list("id", flat=True)
    )
    CourseSummary.objects.filter(practice=practice).exclude(
        course__status=Course.Status.COMPLETED
    ).delete()
    summaries = course_summaries_refresh(practice=practice, course_ids=ids)
    complaint_counts_refresh(practice=practice)
    priors = practice_priors_refresh(practice=practice)
    return {"summaries": summaries, "priors": priors}
