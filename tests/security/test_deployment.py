"""Deployment hardening from the environment, the Content-Security-Policy, no-store."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
# The production settings documented in README.md ("Production settings").
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-production-key-" + "k" * 40,
    "ALLOWED_HOSTS": "backcourse.example",
    "SECURE_COOKIES": "1",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
    "SESSION_COOKIE_AGE": "28800",
}


def _manage(*args, env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in PRODUCTION_ENV and k != "DJANGO_ALLOW_ASYNC_UNSAFE"  # set by browser tests
    }
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def test_check_deploy_is_clean_with_the_documented_production_settings():
    done = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_the_hardening_settings_come_from_the_environment():
    code = (
        "from django.conf import settings as s;"
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.SECURE_PROXY_SSL_HEADER,"
        " s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_AGE)"
    )
    done = _manage("shell", "-c", code, env=PRODUCTION_ENV)
    assert done.stdout.strip().splitlines()[-1] == (
        "31536000 True ('HTTP_X_FORWARDED_PROTO', 'https') True True 28800"
    )


def test_without_production_settings_check_deploy_names_what_is_missing():
    done = _manage("check", "--deploy", env={"DEBUG": "0", "SECRET_KEY": "k" * 60})
    for code in ("W004", "W008", "W012", "W016"):
        assert code in done.stdout + done.stderr


def test_a_session_lasts_a_working_day():
    code = "from django.conf import settings as s; print(s.SESSION_COOKIE_AGE)"
    done = _manage("shell", "-c", code, env={"DEBUG": "1"})
    assert done.stdout.strip().splitlines()[-1] == str(8 * 60 * 60)


def test_pages_carry_a_csp_without_inline_scripts(as_therapist_a, session_a):
    response = as_therapist_a.get(reverse("scheduling:week"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("style-src")[0]
    assert "frame-ancestors 'none'" in policy


def test_no_template_has_an_inline_script_or_event_handler():
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
    handler = re.compile(r"\son[a-z]+\s*=", re.I)
    offenders = []
    for path in (ROOT / "backcourse").rglob("templates/**/*.html"):
        text = path.read_text()
        if inline_script.search(text) or handler.search(text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


@pytest.mark.parametrize("name", ["clients:list", "scheduling:day"])
def test_personal_pages_are_not_stored_by_browsers_or_proxies(as_therapist_a, client_a, name):
    response = as_therapist_a.get(reverse(name))
    assert "no-store" in response["Cache-Control"]


def test_a_calendar_feed_is_not_stored_either(client, world_a):
    feed = world_a.objects["notifications.calendarfeed:staff"]
    response = client.get(reverse("notifications:feed", args=[feed.token]))
    assert "no-store" in response["Cache-Control"]
