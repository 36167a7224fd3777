"""Asking for sign-in links is rate limited per address and per requesting IP, counted
from database rows (so it holds across app servers) — and the same for every address, so
the limit does not tell who is a client."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from backcourse.portal.models import EmailToken, SignInRequest

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
LIMIT_TEXT = "Too many sign-in links"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def limits(settings):
    settings.SIGNIN_LINKS_PER_EMAIL_15MIN = 3
    settings.SIGNIN_LINKS_PER_IP_15MIN = 5


@pytest.fixture
def ask(client, db, django_capture_on_commit_callbacks):
    def ask(email, ip="203.0.113.7"):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("portal:login"), {"email": email}, REMOTE_ADDR=ip)

    return ask


def test_links_under_the_limit_are_sent(ask, client_a):
    for _ in range(3):
        r = ask(client_a.email)
        assert r.status_code == 200 and "Check your email" in r.text
    assert len(mail.outbox) == 3 and EmailToken.objects.count() == 3


def test_over_the_email_limit_gets_429_no_email_no_token_and_keeps_the_address(ask, client_a):
    for _ in range(3):
        ask(client_a.email)
    r = ask(client_a.email.upper(), ip="198.51.100.1")
    assert r.status_code == 429
    assert LIMIT_TEXT in r.text and r["Retry-After"] == "900"
    assert f'value="{client_a.email.upper()}"' in r.text
    assert len(mail.outbox) == 3 and EmailToken.objects.count() == 3
    assert SignInRequest.objects.count() == 3
    # Another address is not affected.
    assert ask("someone.else@example.org").status_code == 200


def test_known_and_unknown_addresses_get_the_same_answers(ask, client_a):
    def answers(email, ip):
        replies = [ask(email, ip=ip) for _ in range(4)]
        return [(r.status_code, LIMIT_TEXT in r.text) for r in replies]

    known = answers(client_a.email, "203.0.113.7")
    unknown = answers("nobody@example.org", "198.51.100.1")
    assert known == unknown == [(200, False)] * 3 + [(429, True)]
    assert len(mail.outbox) == 3  # only the client's address got mail


def test_over_the_ip_limit_gets_429_for_any_address(ask, client_a):
    for n in range(5):
        assert ask(f"person{n}@example.org").status_code == 200
    r = ask(client_a.email)
    assert r.status_code == 429 and LIMIT_TEXT in r.text
    assert not mail.outbox and not EmailToken.objects.exists()
    # The same address from another network still gets its link.
    assert ask(client_a.email, ip="198.51.100.1").status_code == 200
    assert len(mail.outbox) == 1


def test_the_limit_lifts_after_15_minutes_and_old_requests_are_forgotten(ask, client_a, frozen):
    for _ in range(3):
        ask(client_a.email)
    frozen.shift(timedelta(minutes=14))
    assert ask(client_a.email).status_code == 429
    frozen.shift(timedelta(minutes=1, seconds=1))
    assert ask(client_a.email).status_code == 200
    assert len(mail.outbox) == 4
    # Requests older than the window are not kept.
    assert SignInRequest.objects.count() == 1


def test_signing_in_with_a_password_is_not_counted(client, client_a, db, settings):
    settings.SIGNIN_LINKS_PER_EMAIL_15MIN = 1
    for _ in range(3):
        client.post(reverse("portal:login"), {"email": client_a.email, "password": "wrong"})
    assert not SignInRequest.objects.exists()
