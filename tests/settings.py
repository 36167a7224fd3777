"""The project's settings for the test run, with a signing key of its own.

backcourse/settings.py refuses to start without SECRET_KEY when DEBUG is off (as the
tests run); every other setting is the project's own. Processes the tests start
(servers, workers) inherit the key through the environment.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-key-not-secret")

from backcourse.settings import *  # noqa: E402,F403

# Emails queued through notifications/outbox.py are sent at once in the tests (mail.outbox
# shows them after the commit); the reminders' own queue stays the database's.
TASKS = {**TASKS, "email": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}  # noqa: F405
