"""Staff page: book a course as a series; conflicts shown and resolved before saving."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from backcourse.scheduling import services
from backcourse.scheduling.models import Session
from tests import factories as f

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def url(course):
    return reverse("booking:series", kwargs={"course_pk": course.pk})


def form(massage, therapist, **over):
    data = {
        "session_type": massage.pk,
        "therapist": therapist.pk,
        "room": "",
        "first_date": "2026-11-30",
        "first_time": "10:00",
        "intensive_count": 4,
        "intensive_every_days": 7,
        "maintenance_count": 2,
        "maintenance_cadence": "monthly",
        "maintenance_every_days": 28,
        "action": "check",
    }
    data.update(over)
    return data


def test_it_shows_the_form_with_course_defaults(as_therapist_a, course_a, massage):
    r = as_therapist_a.get(url(course_a))
    assert r.status_code == 200
    assert "Book the course as a series" in r.text
    assert 'name="intensive_count" value="8"' in r.text  # course.planned_sessions


def test_another_practice_gets_404(as_therapist_b, course_a):
    assert as_therapist_b.get(url(course_a)).status_code == 404
    assert as_therapist_b.post(url(course_a), {}).status_code == 404


def test_anonymous_users_log_in(client, course_a):
    r = client.get(url(course_a))
    assert r.status_code == 302 and "login" in r.url


def test_check_shows_conflicts_with_date_and_reason_and_saves_nothing(
    as_therapist_a, practice_a, therapist_a, course_a, massage, hours_a
):
    other = f.ClientFactory(practice=practice_a)
    services.session_book(
        practice=practice_a,
        therapist=therapist_a,
        client=other,
        starts_at=datetime(2026, 12, 7, 10, tzinfo=BERLIN),
        session_type=massage,
    )
    before = Session.objects.count()
    r = as_therapist_a.post(url(course_a), form(massage, therapist_a))
    assert r.status_code == 200
    assert "6 dates" in r.text and "1 conflict to resolve" in r.text
    assert "Monday 7 December 2026, 10:00" in r.text and "already taken" in r.text
    # weekly until 21 December, then monthly maintenance on the same day of the month
    assert "Monday 21 December 2026, 10:00" in r.text
    assert (
        "Thursday 21 January 2027, 10:00" in r.text and "Sunday 21 February 2027, 10:00" in r.text
    )
    assert Session.objects.count() == before
    # booking with an unresolved conflict is refused
    r = as_therapist_a.post(url(course_a), form(massage, therapist_a, action="book"))
    assert r.status_code == 409 and "Resolve every conflict" in r.text
    assert Session.objects.count() == before


def test_skip_shift_and_alternative_resolve_then_book_all(
    as_therapist_a, practice_a, therapist_a, course_a, massage, hours_a
):
    other = f.ClientFactory(practice=practice_a)
    services.session_book(
        practice=practice_a,
        therapist=therapist_a,
        client=other,
        starts_at=datetime(2026, 12, 7, 10, tzinfo=BERLIN),
        session_type=massage,
    )
    data = form(massage, therapist_a, maintenance_count=0)
    # shift: row 1 and later move one day
    r = as_therapist_a.post(url(course_a), {**data, "res_1": "shift"})
    assert "Tuesday 8 December 2026, 10:00" in r.text and "no conflicts" in r.text
    assert 'name="offset_1" value="1"' in r.text
    r = as_therapist_a.post(url(course_a), {**data, "res_1": "skip", "action": "book"})
    assert r.status_code == 302
    sessions = Session.objects.filter(course=course_a, series__isnull=False)
    assert sessions.count() == 3
    assert [s.local_start.day for s in sessions] == [30, 14, 21]


def test_alternative_slot_is_offered_and_bookable(
    as_therapist_a, practice_a, therapist_a, course_a, massage, hours_a
):
    other = f.ClientFactory(practice=practice_a)
    services.session_book(
        practice=practice_a,
        therapist=therapist_a,
        client=other,
        starts_at=datetime(2026, 12, 7, 10, tzinfo=BERLIN),
        session_type=massage,
    )
    data = form(massage, therapist_a, intensive_count=2, maintenance_count=0)
    r = as_therapist_a.post(url(course_a), data)
    alt = r.context["plan"][1].alternatives[0]
    r = as_therapist_a.post(
        url(course_a), {**data, "res_1": f"alt:{alt.isoformat()}", "action": "book"}
    )
    assert r.status_code == 302
    assert Session.objects.filter(course=course_a, starts_at=alt).exists()


@pytest.mark.parametrize(
    ("over", "field_message"),
    [
        ({"first_date": "2026-02-30"}, "Enter a valid date"),
        ({"first_date": "2026-11-01"}, "must be in the future"),
        ({"intensive_count": "0"}, "greater than or equal to 1"),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_kept(
    as_therapist_a, therapist_a, course_a, massage, hours_a, over, field_message
):
    r = as_therapist_a.post(url(course_a), form(massage, therapist_a, **over))
    assert r.status_code == 400 and field_message in r.text
    value = next(iter(over.values()))
    assert f'value="{value}"' in r.text
    assert not Session.objects.filter(series__isnull=False).exists()
