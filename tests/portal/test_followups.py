import re
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from backcourse.portal.models import FollowUp
from backcourse.portal.services import followups_for_course
from tests import factories as f

# Sessions on Tue 24 Nov 2026, 10:00 Berlin; "now" is Wed 25 Nov 09:00 Berlin.
HELD = datetime(2026, 11, 24, 9, tzinfo=UTC)
NOW = datetime(2026, 11, 25, 8, tzinfo=UTC)


@pytest.fixture
def held_a(course_a):
    return f.SessionFactory(course=course_a, starts_at=HELD, status="completed")


@pytest.fixture(autouse=True)
def _now(time_machine):
    """Every step of these tests (sending, opening the link, answering) runs under one
    clock: the link lives a few days, so an unfrozen step would depend on today's date."""
    time_machine.move_to(NOW, tick=False)
    return time_machine


def _send(capture):
    out = StringIO()
    with capture(execute=True):
        call_command("send_followups", stdout=out)
    return out.getvalue()


def _path(message):
    return re.search(r"https?://[^/\s]+(/me/how-is-it/[^\s]+/)", message.body).group(1)


def test_it_sends_once_per_session(held_a, course_a, django_capture_on_commit_callbacks):
    f.SessionFactory(course=course_a, starts_at=HELD + timedelta(hours=3), status="cancelled")
    assert "Sent 1" in _send(django_capture_on_commit_callbacks)
    assert "Sent 0" in _send(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    assert FollowUp.objects.get().session == held_a


def test_one_tap_answer_is_stored_and_feeds_the_course(
    client, _now, held_a, course_a, django_capture_on_commit_callbacks
):
    _send(django_capture_on_commit_callbacks)
    path = _path(mail.outbox[0])
    assert client.get(path).status_code == 200
    _now.move_to(NOW + timedelta(hours=1), tick=False)
    response = client.post(path, {"value": "4"})
    assert b"Thank you" in response.content
    points = followups_for_course(course_a)
    assert [(p.session_id, p.value) for p in points] == [(held_a.pk, 4.0)]
    assert 0.9 < points[0].days_after < 1.0
    # The link works once.
    response = client.post(path, {"value": "9"})
    assert response.status_code == 400 and b"already been used" in response.content
    assert FollowUp.objects.get().value == 4


def test_an_out_of_range_answer_changes_nothing(client, held_a, django_capture_on_commit_callbacks):
    _send(django_capture_on_commit_callbacks)
    path = _path(mail.outbox[0])
    for bad in ("11", "-1", "x", ""):
        response = client.post(path, {"value": bad})
        assert response.status_code == 400
        assert b"from 0 to 10" in response.content
    assert FollowUp.objects.get().value is None
