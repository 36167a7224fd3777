"""Background tasks (Tasks API, run by `manage.py db_worker`). They only call services."""

from datetime import datetime

from django_tasks import task

from backcourse.outcomes import services


@task()
def course_outcomes_refresh(course_id: int, requested_at: str) -> dict:
    """A course completed or reopened: refresh its summary and the practice's priors."""
    return services.course_outcomes_refresh(
        course_id=course_id, requested_at=datetime.fromisoformat(requested_at)
    )
