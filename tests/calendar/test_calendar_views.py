"""The calendar's JSON feed, booking form and move endpoint: scoped, rule-checked."""

import json
from datetime import time

import pytest
from django.urls import reverse

from backcourse.clients.models import Intake, ScreeningAnswer
from backcourse.scheduling.models import Session
from tests.calendar.conftest import DAY, berlin

pytestmark = pytest.mark.django_db


def feed(client, **params):
    params.setdefault("start", DAY.isoformat())
    params.setdefault("end", "2026-12-03")
    return client.get(reverse("calendar:events"), params)


class _Sessions:
    """The feed's sessions only (not the grey background blocks)."""

    def __init__(self, response):
        self.response = response
        self.status_code = response.status_code

    def json(self):
        return [e for e in self.response.json() if e.get("display") != "background"]


def events(client, **params):
    return _Sessions(feed(client, **params))


def move(client, session, start, resource=None, by="therapist"):
    return client.post(
        reverse("calendar:move", args=[session.pk]),
        json.dumps({"start": start, "resource": str(resource or ""), "by": by}),
        content_type="application/json",
    )


def test_it_needs_a_staff_login(client, team):
    assert events(client).status_code == 302
    assert client.get(reverse("calendar:page")).status_code == 302


def test_the_day_shows_every_therapists_sessions_in_local_time(as_therapist_a, clock, day_sessions):
    data = events(as_therapist_a).json()
    assert [(e["title"], e["start"], e["resourceIds"]) for e in data] == [
        ("Clara Meier", "2026-12-02T09:00", [str(day_sessions[0].therapist_id)]),
        ("Lena Schulz", "2026-12-02T09:30", [str(day_sessions[2].therapist_id)]),
        ("Jonas Weber", "2026-12-02T11:00", [str(day_sessions[1].therapist_id)]),
        ("Paul Fischer", "2026-12-02T14:00", [str(day_sessions[3].therapist_id)]),
    ]
    assert data[0]["end"] == "2026-12-02T10:00"
    assert data[0]["classNames"] == ["ev-booked"]


def test_the_week_of_one_therapist_and_cancelled_sessions_left_out(
    as_therapist_a, clock, team, day_sessions
):
    day_sessions[1].status = Session.Status.CANCELLED
    day_sessions[1].save()
    data = events(as_therapist_a, therapist=team[0].pk, start="2026-11-30", end="2026-12-07")
    assert [e["title"] for e in data.json()] == ["Clara Meier"]


def test_another_practices_sessions_never_show(client, clock, day_sessions, therapist_b):
    client.force_login(therapist_b.user)
    assert events(client).json() == []
    assert move(client, day_sessions[0], "2026-12-02T12:00").status_code == 404


def test_a_silly_range_is_refused(as_therapist_a, team):
    assert events(as_therapist_a, start="2026-12-01", end="2027-06-01").status_code == 400
    assert events(as_therapist_a, start="x", end="y").status_code == 400


def test_red_flags_show_as_a_badge_and_front_desk_sees_no_clinical_detail(
    client, clock, day_sessions, therapist_a, front_desk_a
):
    clara = day_sessions[0].client
    intake = Intake.objects.create(client=clara, complaint="Back pain")
    ScreeningAnswer.objects.create(
        intake=intake, kind="red_flag", question_text="Numbness in the saddle area?", answer=True
    )
    client.force_login(therapist_a.user)
    first = events(client).json()[0]
    assert first["extendedProps"]["badges"] == ["red_flag"]
    assert first["extendedProps"]["flagTitles"] == ["Numbness in the saddle area?"]
    assert first["extendedProps"]["course"] == "Chronic low back pain"

    client.force_login(front_desk_a.user)
    first = events(client).json()[0]
    assert first["extendedProps"]["badges"] == ["red_flag"]
    assert first["extendedProps"]["flagTitles"] == []
    assert first["extendedProps"]["course"] == ""
    assert first["extendedProps"]["recordUrl"] == ""
    assert "saddle" not in json.dumps(events(client).json())


def test_a_move_goes_through_the_rules(as_therapist_a, clock, team, day_sessions):
    clara = day_sessions[0]
    taken = move(as_therapist_a, clara, "2026-12-02T11:30", team[0].pk)
    assert taken.status_code == 409
    assert "already taken" in taken.json()["message"]
    outside = move(as_therapist_a, clara, "2026-12-02T19:00", team[0].pk)
    assert outside.status_code == 409
    assert "working hours" in outside.json()["message"]
    other_column = move(as_therapist_a, clara, "2026-12-02T12:00", team[1].pk)
    assert other_column.status_code == 409
    clara.refresh_from_db()
    assert clara.starts_at == berlin(9)
    ok = move(as_therapist_a, clara, "2026-12-02T12:00", team[0].pk)
    assert ok.status_code == 200 and ok.json()["ok"]
    clara.refresh_from_db()
    assert clara.starts_at == berlin(12)


def test_a_move_with_no_time_is_refused(as_therapist_a, clock, day_sessions):
    assert move(as_therapist_a, day_sessions[0], "soon").status_code == 400


def test_the_form_opens_prefilled_from_the_grid(as_therapist_a, clock, team, day_sessions):
    clara = day_sessions[0]
    page = as_therapist_a.get(
        reverse("calendar:book"),
        {"start": "2026-12-02T12:15", "therapist": team[1].pk, "client": clara.client_id},
    )
    form = page.context["form"]
    assert form["therapist"].value() == team[1].pk
    assert str(form["time"].value()) == "12:15:00"
    assert form["client"].value() == clara.client_id
    assert form["course"].value() == clara.course_id
    assert "Clara Meier" in page.content.decode()


def test_booking_refusals_show_the_services_message_and_save_nothing(
    as_therapist_a, clock, team, day_sessions
):
    jonas = day_sessions[1]
    post = {
        "therapist": team[0].pk,
        "client": jonas.client_id,
        "course": jonas.course_id,
        "date": "2026-12-02",
        "time": "09:30",
        "duration_minutes": 60,
    }
    response = as_therapist_a.post(reverse("calendar:book"), post)
    assert response.status_code == 400
    assert "already taken" in response.content.decode()
    assert Session.objects.count() == 4
    post["time"] = "13:00"
    response = as_therapist_a.post(reverse("calendar:book"), post)
    assert response.status_code == 302
    assert Session.objects.get(starts_at=berlin(13)).course == jonas.course


def test_another_practices_client_cannot_be_booked(as_therapist_a, clock, team, client_b):
    response = as_therapist_a.post(
        reverse("calendar:book"),
        {
            "therapist": team[0].pk,
            "client": client_b.pk,
            "date": "2026-12-02",
            "time": "13:00",
            "duration_minutes": 60,
        },
    )
    assert response.status_code == 400
    assert "Choose a client from the search results." in response.content.decode()
    assert not Session.objects.exists()


def test_the_page_renders_day_rooms_and_week(as_therapist_a, clock, team, rooms_a):
    for params in ({}, {"by": "room"}, {"view": "week", "therapist": team[1].pk}):
        page = as_therapist_a.get(reverse("calendar:page"), params)
        assert page.status_code == 200
        assert b"<script>" not in page.content  # no inline scripts (CSP)
    config = as_therapist_a.get(reverse("calendar:page"), {"by": "room"}).context["config"]
    assert [r["title"] for r in config["resources"]] == ["Room 1", "Room 2"]
    week = as_therapist_a.get(reverse("calendar:page"), {"view": "week"}).context["config"]
    assert week["view"] == "timeGridWeek" and week["therapist"] == str(team[0].pk)


def test_client_courses_are_scoped(as_therapist_a, clock, day_sessions, client_b):
    url = reverse("calendar:client_courses", args=[day_sessions[0].client_id])
    assert as_therapist_a.get(url).json()["courses"][0]["id"] == day_sessions[0].course_id
    assert (
        as_therapist_a.get(reverse("calendar:client_courses", args=[client_b.pk])).status_code
        == 404
    )


def test_front_desk_books_into_a_course_without_seeing_its_complaint(
    client, clock, front_desk_a, day_sessions
):
    client.force_login(front_desk_a.user)
    url = reverse("calendar:client_courses", args=[day_sessions[0].client_id])
    label = client.get(url).json()["courses"][0]["label"]
    assert "back pain" not in label and label.startswith("Course since")


def test_time_that_cannot_be_booked_is_greyed(as_therapist_a, clock, team, practice_a):
    from backcourse.closures.models import ClosureDay
    from backcourse.scheduling.models import Break

    anna = team[0]
    Break.objects.create(
        therapist=anna, weekday=DAY.weekday(), start_time=time(12), end_time=time(13)
    )
    blocks = [
        (e["start"], e["end"], e["classNames"][0])
        for e in feed(as_therapist_a).json()
        if e.get("display") == "background" and e["resourceIds"] == [str(anna.pk)]
    ]
    assert blocks == [
        ("2026-12-02T00:00", "2026-12-02T08:00", "bg-off"),
        ("2026-12-02T18:00", "2026-12-02T24:00", "bg-off"),
        ("2026-12-02T12:00", "2026-12-02T13:00", "bg-break"),
    ]
    ClosureDay.objects.create(practice=practice_a, day=DAY, reason="Inventory")
    closed = [e for e in feed(as_therapist_a).json() if e.get("display") == "background"]
    assert {e["classNames"][0] for e in closed} == {"bg-closed"} and len(closed) == 3


def test_the_feed_takes_the_same_queries_however_full_the_day(
    as_therapist_a, clock, team, practice_a, django_assert_num_queries
):
    from tests import factories as f

    def fill(first, last):
        for i in range(first, last):
            staff = team[i % 3]
            course = f.CourseFactory(client=f.ClientFactory(practice=practice_a), therapist=staff)
            f.SessionFactory(course=course, therapist=staff, starts_at=berlin(8 + i // 3 % 10))

    fill(0, 3)
    as_therapist_a.get(reverse("calendar:events"), {"start": "2026-12-02", "end": "2026-12-03"})
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        feed(as_therapist_a)
    fill(3, 30)
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(events(as_therapist_a).json()) == 30
