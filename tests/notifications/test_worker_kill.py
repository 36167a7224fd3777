"""Exactly once, for real: a `db_worker` process is killed with SIGKILL in the middle of a
batch of reminders, restarted (next to a second scanner racing it), and every due session
must end up with exactly one email file.

The worker runs against its own file database (SQLite, and PostgreSQL when the test run
uses PostgreSQL), with a slow file-writing mail backend from tests/.
"""

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
N_SESSIONS = 12
KILL_AFTER_STARTED = 5  # kill while the 5th email is "on the wire"

SEED = f"""
from datetime import timedelta
from django.utils import timezone
from backcourse.courses.models import Course
from tests import factories as f
now = timezone.now()
practice = f.PracticeFactory(slug="worker-test", reminder_hours_before=24)
anna = f.StaffFactory(practice=practice)
for i in range({N_SESSIONS}):
    course = f.CourseFactory(client=f.ClientFactory(practice=practice), therapist=anna)
    f.SessionFactory(course=course, starts_at=now + timedelta(hours=1 + i))
kept = f.CourseFactory(
    client=f.ClientFactory(practice=practice), therapist=anna,
    phase=Course.Phase.MAINTENANCE, maintenance_interval_days=21,
)
f.SessionFactory(course=kept, starts_at=now - timedelta(days=22), status="completed")
"""


def _manage(env, *args, **kwargs):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=180,
        **kwargs,
    )


def _worker(env, *args):
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--no-startup-delay",
            "--interval",
            "0.1",
            *args,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    pytest.fail(f"timed out waiting for {what}")


def _message_ids(mail_dir: Path) -> Counter:
    ids: Counter = Counter()
    for path in mail_dir.glob("*.log"):
        ids.update(re.findall(r"^Message-ID: (<backcourse-[^>]+>)", path.read_text(), re.M))
    return ids


def _postgres_url(name: str) -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return None
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_no_reminder_is_lost_or_doubled_when_the_worker_is_killed(vendor, tmp_path):
    if vendor == "sqlite":
        database_url = f"sqlite:///{tmp_path / 'worker.sqlite3'}"
    else:
        dbname = f"{urlsplit(os.environ.get('DATABASE_URL', '')).path.lstrip('/')}_worker"
        database_url = _postgres_url(dbname)
        if database_url is None:
            pytest.skip("runs when the test run uses PostgreSQL (DATABASE_URL=postgres://...)")
    mail_dir = tmp_path / "mail"
    markers = tmp_path / "markers"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "BACKCOURSE_DATA_DIR": str(tmp_path),
        "EMAIL_BACKEND": "tests.notifications.slow_email_backend.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "SLOW_EMAIL_SECONDS": "0.4",
        "SLOW_EMAIL_MARKER_DIR": str(markers),
        "REMINDER_CLAIM_TIMEOUT_SECONDS": "2",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
    }
    _manage(env, "migrate", "--verbosity", "0")
    _manage(env, "shell", "-c", SEED)
    _manage(env, "schedule_reminders")

    # 1. A worker starts the batch and is killed -9 while sending the 5th reminder.
    worker = _worker(env)
    try:
        _wait_for(
            lambda: len(list(markers.glob("start-*"))) >= KILL_AFTER_STARTED,
            timeout=90,
            what="the worker to start sending",
        )
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == -signal.SIGKILL
    sent_before_kill = _message_ids(mail_dir)
    assert sum(sent_before_kill.values()) == KILL_AFTER_STARTED - 1  # really mid-batch

    # 2. After the claim timeout, the scheduler fires again; a restarted worker and a
    #    second scanner race each other over what is left.
    time.sleep(2.5)
    fast = {**env, "SLOW_EMAIL_SECONDS": "0.05"}
    _manage(fast, "schedule_reminders")
    restarted = _worker(fast, "--batch")
    racer = subprocess.Popen(
        [sys.executable, "manage.py", "schedule_reminders", "--now"],
        cwd=ROOT,
        env=fast,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert racer.wait(timeout=120) == 0, racer.stderr.read()
    assert restarted.wait(timeout=120) == 0, restarted.stderr.read()

    # 3. Every due reminder went out exactly once — including the one that was in flight.
    ids = _message_ids(mail_dir)
    reminders = {k: v for k, v in ids.items() if "session_reminder" in k}
    maintenance = {k: v for k, v in ids.items() if "maintenance_due" in k}
    assert len(reminders) == N_SESSIONS
    assert set(reminders.values()) == {1}, reminders
    assert list(maintenance.values()) == [1]

    # 4. And the ledger agrees: all sent, one of them on a second attempt.
    check = _manage(
        env,
        "shell",
        "-c",
        "import json; from backcourse.notifications.models import Notification as N;"
        "print(json.dumps(list(N.objects.values_list('status', 'attempts'))))",
    )
    rows = json.loads(check.stdout.strip().splitlines()[-1])
    assert len(rows) == N_SESSIONS + 1
    assert {status for status, _ in rows} == {"sent"}
    assert sorted(attempts for _, attempts in rows)[-1] == 2
    assert sum(attempts for _, attempts in rows) == N_SESSIONS + 2
