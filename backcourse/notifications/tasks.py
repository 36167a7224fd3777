"""Background tasks (Tasks API, run by `manage.py db_worker`). They only call services."""

from django_tasks import task

from backcourse.notifications import services


@task()
def reminders_send_due() -> dict[str, int]:
    """Scan for due session and maintenance reminders and send each exactly once."""
    return services.reminders_send_due()
