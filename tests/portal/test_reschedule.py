"""A client moves a session by tapping one of the free times with the same therapist."""

from datetime import UTC, datetime, time
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from backcourse.scheduling.models import Session, WorkingHours
from tests import factories as f

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 6, 1, 8, 0, tzinfo=BERLIN)  # a Monday morning


def local(d, hh, mm=0):
    return datetime(2026, 6, d, hh, mm, tzinfo=BERLIN)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def weekdays_9_to_12(therapist_a):
    for wd in range(5):
        WorkingHours.objects.create(
            therapist=therapist_a, weekday=wd, start_time=time(9), end_time=time(12)
        )


@pytest.fixture
def friday_a(course_a, weekdays_9_to_12):
    """client_a's 60-minute session on Friday 5 June, 10:00 Berlin (no session type)."""
    return f.SessionFactory(course=course_a, starts_at=local(5, 10))


def someone_else_at(session, starts_at):
    """Another client of the same practice, booked with the same therapist."""
    other = f.ClientFactory(practice=session.practice)
    course = f.CourseFactory(client=other, therapist=session.therapist)
    return f.SessionFactory(course=course, starts_at=starts_at)


def url(session, at=None):
    base = reverse("portal:reschedule", args=[session.pk])
    return f"{base}?{urlencode({'at': at.astimezone(UTC).isoformat()})}" if at else base


def test_client_sees_free_times_picks_one_and_the_session_moves(as_client_a, agreed_a, friday_a):
    f.SessionFactory(course=friday_a.course, starts_at=local(2, 10), status="cancelled")
    taken = someone_else_at(friday_a, local(3, 9))
    html = as_client_a.get(url(friday_a)).content.decode()
    assert "Tuesday 2 June" in html
    assert url(friday_a, local(2, 10)) in html  # a cancelled session frees its time
    assert url(friday_a, local(3, 9)) not in html  # another client's session
    assert url(friday_a, local(3, 10)) in html
    assert url(friday_a, local(5, 9, 30)) in html  # its own time does not block
    assert url(friday_a, local(5, 10)) not in html  # where it is now
    assert url(friday_a, local(5, 11, 30)) not in html  # would end after 12:00
    assert url(friday_a, local(8, 9)) in html  # the next week too

    confirm = as_client_a.get(url(friday_a, local(3, 10))).content.decode()
    assert "Move this session?" in confirm and "Wednesday 3 June, 10:00" in confirm
    friday_a.refresh_from_db()
    assert friday_a.starts_at == local(5, 10)  # looking changes nothing

    response = as_client_a.post(url(friday_a), {"starts_at": local(3, 10).isoformat()})
    assert response.status_code == 302
    friday_a.refresh_from_db()
    assert friday_a.starts_at == local(3, 10)
    assert friday_a.ends_at == local(3, 11)
    assert "Your session is moved." in as_client_a.get(reverse("portal:home")).content.decode()
    taken.refresh_from_db()
    assert taken.starts_at == local(3, 9)


def test_times_when_the_client_is_busy_elsewhere_are_not_offered(
    as_client_a, agreed_a, friday_a, client_a, practice_a
):
    colleague = f.StaffFactory(practice=practice_a)
    other = f.CourseFactory(client=client_a, therapist=colleague)
    f.SessionFactory(course=other, starts_at=local(4, 9))
    html = as_client_a.get(url(friday_a)).content.decode()
    assert url(friday_a, local(4, 9)) not in html
    assert url(friday_a, local(4, 10)) in html


def test_a_time_taken_meanwhile_gives_a_clear_message_and_changes_nothing(
    as_client_a, agreed_a, friday_a
):
    assert url(friday_a, local(3, 10)) in as_client_a.get(url(friday_a)).content.decode()
    someone_else_at(friday_a, local(3, 10))  # someone else was quicker
    response = as_client_a.post(url(friday_a), {"starts_at": local(3, 10).isoformat()})
    assert response.status_code == 400
    html = response.content.decode()
    assert "This time is already taken. Please choose another time." in html
    assert url(friday_a, local(3, 10)) not in html  # the list is fresh
    assert url(friday_a, local(3, 11)) in html
    friday_a.refresh_from_db()
    assert friday_a.starts_at == local(5, 10)


def test_a_bad_time_gets_a_message_and_changes_nothing(as_client_a, agreed_a, friday_a):
    response = as_client_a.post(url(friday_a), {"starts_at": "tomorrow-ish"})
    assert response.status_code == 400
    assert "Please choose one of the free times." in response.content.decode()
    response = as_client_a.get(url(friday_a) + "?at=soon")
    assert "Please choose one of the free times." in response.content.decode()
    friday_a.refresh_from_db()
    assert friday_a.starts_at == local(5, 10)


def test_inside_the_notice_period_no_times_and_no_move(as_client_a, agreed_a, course_a):
    soon = f.SessionFactory(course=course_a, starts_at=local(1, 20))
    html = as_client_a.get(url(soon)).content.decode()
    assert "Online changes close 24 hours before the session" in html
    assert "?at=" not in html
    response = as_client_a.post(url(soon), {"starts_at": local(3, 10).isoformat()})
    assert "Please call the practice." in response.content.decode()
    soon.refresh_from_db()
    assert soon.starts_at == local(1, 20) and soon.status == Session.Status.BOOKED


@pytest.mark.parametrize("method", ["list", "confirm", "post"])
def test_another_clients_session_is_404(as_client_a, agreed_a, course_b, weekdays_9_to_12, method):
    theirs = f.SessionFactory(course=course_b, starts_at=local(5, 10))
    if method == "list":
        response = as_client_a.get(url(theirs))
    elif method == "confirm":
        response = as_client_a.get(url(theirs, local(3, 10)))
    else:
        response = as_client_a.post(url(theirs), {"starts_at": local(3, 10).isoformat()})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.starts_at == local(5, 10)
