"""Staff page to move, cancel or mark a no-show."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from backcourse.scheduling import series
from backcourse.scheduling.models import Session

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def booked(practice_a, therapist_a, course_a, massage, hours_a):
    return series.series_book(
        practice=practice_a,
        course=course_a,
        therapist=therapist_a,
        session_type=massage,
        starts=series.series_dates(
            first=datetime(2026, 11, 30, 10, tzinfo=BERLIN), intensive_count=3, zone=BERLIN
        ),
    )


def url(session):
    return reverse("booking:session_change", kwargs={"pk": session.pk})


def test_another_practice_gets_404(as_therapist_b, booked):
    assert as_therapist_b.get(url(booked[0])).status_code == 404
    assert as_therapist_b.post(url(booked[0]), {"action": "cancel"}).status_code == 404
    assert Session.objects.filter(status="booked").count() == 3


def test_move_the_rest_of_the_series(as_therapist_a, booked):
    r = as_therapist_a.post(
        url(booked[1]),
        {"action": "reschedule", "day": "2026-12-08", "at": "14:00", "whole_series": "on"},
    )
    assert r.status_code == 302
    got = [s.local_start.strftime("%d %H:%M") for s in Session.objects.order_by("starts_at")]
    assert got == ["30 10:00", "08 14:00", "15 14:00"]


def test_move_onto_a_taken_time_or_outside_hours_changes_nothing(
    as_therapist_a, practice_a, therapist_a, booked, massage
):
    r = as_therapist_a.post(
        url(booked[1]), {"action": "reschedule", "day": "2026-11-30", "at": "10:30"}
    )
    assert r.status_code == 409 and "already taken" in r.text
    r = as_therapist_a.post(
        url(booked[1]), {"action": "reschedule", "day": "2026-12-07", "at": "22:00"}
    )
    assert r.status_code == 400 and "working hours" in r.text
    r = as_therapist_a.post(
        url(booked[1]), {"action": "reschedule", "day": "2026-12-77", "at": "10:00"}
    )
    assert r.status_code == 400 and "Enter a valid date" in r.text
    booked[1].refresh_from_db()
    assert booked[1].local_start.strftime("%d %H:%M") == "07 10:00"


def test_cancel_and_no_show(as_therapist_a, therapist_a, booked):
    r = as_therapist_a.post(url(booked[1]), {"action": "cancel", "whole_series": "on"})
    assert r.status_code == 302
    assert list(Session.objects.order_by("starts_at").values_list("status", flat=True)) == [
        "booked",
        "cancelled",
        "cancelled",
    ]
    r = as_therapist_a.post(url(booked[0]), {"action": "no_show"})
    assert r.status_code == 400 and "not started" in r.text
    with time_machine.travel(datetime(2026, 11, 30, 9, 30, tzinfo=UTC), tick=False):
        as_therapist_a.force_login(therapist_a.user)  # 5 days on: a login lasts 8 hours
        assert as_therapist_a.post(url(booked[0]), {"action": "no_show"}).status_code == 302
    assert Session.objects.get(pk=booked[0].pk).status == "no_show"
