"""Text messages, sent through a backend chosen by the SMS_BACKEND setting, the way
Django sends email through EMAIL_BACKEND:

- backcourse.sms.backends.console.SmsBackend  prints messages (the default)
- backcourse.sms.backends.file.SmsBackend     appends them to SMS_FILE_PATH
- backcourse.sms.backends.locmem.SmsBackend   keeps them in backcourse.sms.outbox (tests)
- backcourse.sms.backends.twilio.SmsBackend   a real gateway (Twilio's REST API)
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

outbox: list = []  # filled by the locmem backend


@dataclass(frozen=True)
class TextMessage:
    to: str  # E.164, e.g. +493012345678
    body: str
    sender: str = ""


class SmsError(Exception):
    """The backend could not hand the message over."""


def get_backend(path: str | None = None):
    return import_string(path or settings.SMS_BACKEND)()


def send_sms(*, to: str, body: str) -> None:
    """Send one text message; raises SmsError when the backend reports a failure."""
    get_backend().send(TextMessage(to=to, body=body, sender=getattr(settings, "SMS_SENDER", "")))
