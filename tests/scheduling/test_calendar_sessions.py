"""`calendar_sessions`, the day and week views' one query (written as SQL): the same
sessions, numbers, records and intakes as the models' own rules give, on SQLite and
PostgreSQL."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backcourse.clients.models import Intake
from backcourse.clients.screening import newest_intakes
from backcourse.records.models import SessionRecord
from backcourse.scheduling.models import Session
from backcourse.scheduling.selectors import calendar_sessions
from tests import factories as f

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 11, 2, tzinfo=UTC)


@pytest.fixture
def week(practice_a, therapist_a, course_a, client_a, other_practice, client_b):
    """A week of practice A: a course whose earlier sessions were cancelled or missed,
    a session without a course in a room, a colleague's session, a record, two intakes
    of one client; and a session of another practice at the same time."""
    colleague = f.StaffFactory(practice=practice_a, user__username="ben", display_name="Ben")
    room = f.RoomFactory(practice=practice_a, name="Garden room")
    s = {}
    earlier = MONDAY - timedelta(days=7)
    s["held"] = f.SessionFactory(course=course_a, starts_at=earlier, status="completed")
    s["missed"] = f.SessionFactory(
        course=course_a, starts_at=earlier + timedelta(days=1), status="no_show"
    )
    s["cancelled"] = f.SessionFactory(
        course=course_a, starts_at=earlier + timedelta(days=2), status="cancelled"
    )
    s["second"] = f.SessionFactory(course=course_a, starts_at=MONDAY + timedelta(hours=9))
    s["third"] = f.SessionFactory(course=course_a, starts_at=MONDAY + timedelta(days=2, hours=9))
    s["cancelled_now"] = f.SessionFactory(
        course=course_a, starts_at=MONDAY + timedelta(days=1, hours=9), status="cancelled"
    )
    loose = f.ClientFactory(practice=practice_a, first_name="Lena", last_name="Lose")
    s["loose"] = Session.objects.create(
        practice=practice_a,
        therapist=colleague,
        client=loose,
        room=room,
        starts_at=MONDAY + timedelta(hours=10),
        duration_minutes=45,
    )
    s["before_window"] = f.SessionFactory(course=course_a, starts_at=MONDAY - timedelta(hours=1))
    s["after_window"] = f.SessionFactory(course=course_a, starts_at=MONDAY + timedelta(days=7))
    other_course = f.CourseFactory(client=client_b)
    s["elsewhere"] = f.SessionFactory(course=other_course, starts_at=MONDAY + timedelta(hours=9))
    SessionRecord.objects.create(session=s["second"])
    Intake.objects.create(client=client_a, complaint="Old", submitted_at=earlier)
    Intake.objects.create(client=client_a, complaint="New", submitted_at=MONDAY)
    return practice_a, colleague, s


def test_the_window_of_the_practice_in_time_order(week):
    practice, _colleague, s = week
    got = calendar_sessions(practice, MONDAY, MONDAY + timedelta(days=7))
    assert [x.pk for x in got] == [
        s[k].pk for k in ("second", "loose", "cancelled_now", "third")
    ]  # not the other practice's, not before or after the window; cancelled ones shown


def test_numbers_records_and_names_agree_with_the_models(week):
    practice, _colleague, s = week
    got = calendar_sessions(practice, MONDAY, MONDAY + timedelta(days=7), with_intake=True)
    newest = newest_intakes([s["second"].client_id])
    for row in got:
        stored = Session.objects.get(pk=row.pk)
        # the number the course table, chart and PDF give (Session.number_in_course)
        number = (
            row.earlier_in_course + 1
            if row.course_id
            and row.status
            not in (
                "cancelled",
                "no_show",
            )
            else None
        )
        assert number == stored.number_in_course
        assert row.has_record == stored.has_record
        assert (row.starts_at, row.ends_at, row.status) == (
            stored.starts_at,
            stored.ends_at,
            stored.status,
        )
        assert row.starts_at.tzinfo is not None
        assert row.client.full_name == stored.client.full_name
        assert row.newest_intake == newest.get(row.client_id)
    by_pk = {row.pk: row for row in got}
    second, loose = by_pk[s["second"].pk], by_pk[s["loose"].pk]
    # the held one and the one just before the window count; missed and cancelled do not
    assert second.earlier_in_course == 2
    assert (second.course.complaint, second.course.planned_sessions) == (
        "Chronic low back pain",
        8,
    )
    assert second.room_id is None and second.has_record
    assert loose.course_id is None and not loose.has_record
    assert loose.room.name == "Garden room"
    assert loose.newest_intake is None


def test_one_query_and_none_for_the_relations(week):
    practice, _colleague, _s = week
    with CaptureQueriesContext(connection) as queries:
        got = calendar_sessions(practice, MONDAY, MONDAY + timedelta(days=7))
        # what the cards read: no query behind any of it
        shown = [
            (row.client.full_name, row.has_record, row.room_id and row.room.name)
            + (row.course_id and row.course.complaint, row.next_statuses(MONDAY))
            for row in got
        ]
    assert len(queries) == 1
    assert len(shown) == 4
    assert all(row.newest_intake is None for row in got)  # not asked for


def test_only_the_therapists_asked_for(week):
    practice, colleague, s = week
    window = (MONDAY, MONDAY + timedelta(days=7))
    assert [x.pk for x in calendar_sessions(practice, *window, [colleague.pk])] == [s["loose"].pk]
    assert calendar_sessions(practice, *window, []) == []
