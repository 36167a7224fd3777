"""The public booking request is rate limited per email address and per requesting IP,
counted from PendingBooking rows in the database (so it holds across app servers)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from backcourse.scheduling.models import PendingBooking
from tests.booking.test_public import CONTACT, SLOT, start_url

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def limits(settings):
    settings.BOOKING_REQUESTS_PER_EMAIL_HOUR = 3
    settings.BOOKING_REQUESTS_PER_IP_HOUR = 5


@pytest.fixture
def ask(client, practice_a, therapist_a, massage, hours_a, django_capture_on_commit_callbacks):
    def ask(email="rita@example.org", ip="203.0.113.7", slot=SLOT):
        url = start_url(
            practice_a, type=massage.pk, therapist=therapist_a.pk, slot=slot.isoformat()
        )
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, {**CONTACT, "email": email}, REMOTE_ADDR=ip)

    return ask


def test_requests_under_the_limit_send_a_link_each(ask):
    for n in range(3):
        r = ask(slot=SLOT + timedelta(hours=n))
        assert r.status_code == 302
    assert PendingBooking.objects.count() == 3 and len(mail.outbox) == 3
    assert set(PendingBooking.objects.values_list("requested_ip", flat=True)) == {"203.0.113.7"}


def test_over_the_email_limit_gets_429_no_email_no_row_and_keeps_the_input(ask):
    for _ in range(3):
        assert ask().status_code == 302
    # The address counts however it is written, and from any network.
    r = ask(email="RITA@example.org", ip="198.51.100.1")
    assert r.status_code == 429
    assert "too many booking requests" in r.text
    assert r["Retry-After"] == "3600"
    assert PendingBooking.objects.count() == 3 and len(mail.outbox) == 3
    assert 'value="RITA@example.org"' in r.text and 'value="Rita"' in r.text
    # Another address is not affected.
    assert ask(email="otto@example.org").status_code == 302


def test_over_the_ip_limit_gets_429_for_any_address(ask):
    for n in range(5):
        assert ask(email=f"person{n}@example.org").status_code == 302
    r = ask(email="new@example.org")
    assert r.status_code == 429
    assert PendingBooking.objects.count() == 5 and len(mail.outbox) == 5
    # Somebody else on another network can still book.
    assert ask(email="new@example.org", ip="198.51.100.1").status_code == 302


def test_the_limit_lifts_after_an_hour(ask, frozen):
    for _ in range(3):
        ask()
    assert ask().status_code == 429
    frozen.shift(timedelta(minutes=59))
    assert ask().status_code == 429
    frozen.shift(timedelta(minutes=1, seconds=1))
    assert ask().status_code == 302
    assert PendingBooking.objects.count() == 4 and len(mail.outbox) == 4


def test_a_limit_of_zero_is_off(ask, settings):
    settings.BOOKING_REQUESTS_PER_EMAIL_HOUR = 0
    settings.BOOKING_REQUESTS_PER_IP_HOUR = 0
    for _ in range(8):
        assert ask().status_code == 302


def test_the_limit_message_is_in_the_practice_language(ask, practice_a):
    practice_a.language = "de"
    practice_a.save()
    for _ in range(3):
        ask()
    r = ask()
    assert r.status_code == 429
    assert "Buchungsanfragen" in r.text
