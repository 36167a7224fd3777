"""Every email except the reminders leaves through `email_queue`.

The caller builds the message (in its app's emails module or service, in the practice's
language); `email_queue` hands it over when the transaction commits, as a task on the
"email" task backend (settings.TASKS), and the worker (`manage.py db_worker --backend
email`) sends it. A request therefore never waits for the mail server, and a rolled
back write sends nothing. The reminders are already sent by a worker, with their own
exactly-once claims (notifications/services.py).
"""

from __future__ import annotations

import base64
from typing import Any

from django.core.mail import EmailMessage
from django.db import transaction

from backcourse.notifications.tasks import email_send


def email_queue(message: EmailMessage) -> None:
    """Send `message` from the task queue once the current transaction commits."""
    data = email_data(message)
    transaction.on_commit(lambda: email_send.enqueue(data))


def email_data(message: EmailMessage) -> dict[str, Any]:
    """The message as JSON-safe data (a task's arguments are stored as JSON)."""
    attachments = []
    for name, content, mimetype in message.attachments:  # type: ignore[misc]
        raw = content.encode() if isinstance(content, str) else content
        attachments.append([name, base64.b64encode(raw).decode("ascii"), mimetype])
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "attachments": attachments,
    }
