"""Test-only mail backend for the kill-the-worker test.

Each send first drops a marker file (so the test knows a send has *begun*), then sleeps
SLOW_EMAIL_SECONDS, then writes the message like Django's file backend. A SIGKILL during
the sleep is a worker dying after the claim and before the mail server took the message.
"""

import os
import time
import uuid
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend as FileBackend


class EmailBackend(FileBackend):
    def send_messages(self, email_messages):
        marker_dir = os.environ.get("SLOW_EMAIL_MARKER_DIR")
        if marker_dir:
            Path(marker_dir).mkdir(parents=True, exist_ok=True)
            (Path(marker_dir) / f"start-{time.time_ns()}-{uuid.uuid4().hex}").touch()
        time.sleep(float(os.environ.get("SLOW_EMAIL_SECONDS", "0")))
        return super().send_messages(email_messages)
