"""Background tasks (Tasks API, run by `manage.py db_worker`). They only call services."""

import base64
from typing import Any

from django.core.mail import EmailMessage
from django_tasks import task

from backcourse.notifications import services


@task()
def reminders_send_due() -> dict[str, int]:
    """Scan for due session and maintenance reminders and send each exactly once."""
    return services.reminders_send_due()


@task(backend="email")
def email_send(data: dict[str, Any]) -> None:
    """Send one email queued by `outbox.email_queue` (a failure leaves the task failed,
    visible in the admin's task results)."""
    email_from_data(data).send()


def email_from_data(data: dict[str, Any]) -> EmailMessage:
    message = EmailMessage(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        reply_to=data["reply_to"] or None,
        headers=data["headers"] or None,
    )
    for name, content, mimetype in data["attachments"]:
        message.attach(name, base64.b64decode(content), mimetype)
    return message
