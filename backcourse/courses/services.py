"""Writes to courses. Callers pass validated data (a CourseForm's cleaned_data)."""

from django.db import transaction

from backcourse.courses.models import Course

PLAN_FIELDS = (
    "complaint",
    "therapist",
    "goal_measure",
    "goal_kind",
    "goal_value",
    "planned_sessions",
    "intensive_interval_days",
    "maintenance_interval_days",
    "phase",
    "status",
    "started_on",
    "notes",
)


@transaction.atomic
def course_create(*, practice, client, data: dict) -> Course:
    course = Course(
        practice=practice, client=client, **{k: data[k] for k in PLAN_FIELDS if k in data}
    )
    course.full_clean()
    course.save()
    if "target_muscles" in data:
        course.target_muscles.set(data["target_muscles"])
    return course


@transaction.atomic
def course_update(*, course: Course, data: dict) -> Course:
    for k in PLAN_FIELDS:
        if k in data:
            setattr(course, k, data[k])
    course.full_clean()
    course.save()
    if "target_muscles" in data:
        course.target_muscles.set(data["target_muscles"])
    return course
