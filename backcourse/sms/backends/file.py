import json
from datetime import UTC, datetime

from django.conf import settings


class SmsBackend:
    """One JSON line per message in SMS_FILE_PATH (for staging and demos)."""

    def send(self, message) -> None:
        line = {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "to": message.to,
            "from": message.sender,
            "body": message.body,
        }
        with open(settings.SMS_FILE_PATH, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
