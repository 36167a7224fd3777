"""When a course becomes (or stops being) completed, by any path — course form, API,
admin — or a record of a completed course is written (the record service's
`record_saved`), its stored outcome figures are refreshed by a task, after the commit."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from backcourse.courses.models import Course
from backcourse.outcomes.models import CourseSummary, StoredPrior
from backcourse.outcomes.tasks import course_outcomes_refresh
from backcourse.practices.reference import watch
from backcourse.records.signals import record_saved

watch(StoredPrior)  # pages keep the priors in memory until they change


@receiver(post_save, sender=Course, dispatch_uid="outcomes_course_saved")
def course_saved(sender, instance: Course, raw: bool = False, **kwargs) -> None:
    if raw:  # loading fixtures
        return
    if instance.status != Course.Status.COMPLETED and not (
        CourseSummary.objects.filter(course_id=instance.pk).exists()
    ):
        return
    requested_at = timezone.now().isoformat()
    course_id = instance.pk
    transaction.on_commit(lambda: course_outcomes_refresh.enqueue(course_id, requested_at))


@receiver(record_saved, dispatch_uid="outcomes_record_saved")
def record_saved_refresh(sender, session, **kwargs) -> None:
    """A record edited after its course completed changes the course's summary and the
    practice's prior: refresh them like a completion does."""
    course_id = session.course_id
    if not course_id:
        return
    completed = Course.objects.filter(pk=course_id, status=Course.Status.COMPLETED).exists()
    if not completed and not CourseSummary.objects.filter(course_id=course_id).exists():
        return
    requested_at = timezone.now().isoformat()
    transaction.on_commit(lambda: course_outcomes_refresh.enqueue(course_id, requested_at))
