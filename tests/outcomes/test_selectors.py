from datetime import date

import pytest
import time_machine

from backcourse.outcomes.selectors import course_effect, course_points, practice_prior
from backcourse.outcomes.services import practice_priors_refresh
from tests import factories as f
from tests.outcomes.helpers import add_session, measured_course

pytestmark = pytest.mark.django_db

NOW = "2027-01-15 12:00:00+00:00"


@time_machine.travel(NOW, tick=False)
def test_points_are_in_date_order_with_missing_values_and_without_cancelled(course_a):
    add_session(course_a, 14, pain=(5, 3))
    add_session(course_a, 0, pain=(7, 4))
    add_session(course_a, 7, pain=(6, None))
    add_session(course_a, 10, pain=(1, 0), status="cancelled")
    add_session(course_a, 12, status="no_show")
    add_session(course_a, 21)  # took place, nothing recorded

    points = course_points(course_a, "pain")

    assert [(p.day, p.before, p.after) for p in points] == [
        (date(2026, 11, 2), 7.0, 4.0),
        (date(2026, 11, 9), 6.0, None),
        (date(2026, 11, 16), 5.0, 3.0),
        (date(2026, 11, 23), None, None),
    ]


@time_machine.travel("2026-11-20 12:00:00+00:00", tick=False)
def test_future_sessions_without_values_are_not_points(course_a):
    add_session(course_a, 0, pain=(7, 4))
    add_session(course_a, 7, pain=(6, 3))
    add_session(course_a, 21, status="booked")  # 23 November, still to come

    assert len(course_points(course_a, "pain")) == 2


def test_dates_are_practice_local(course_a):
    # 23:30 UTC on 1 Nov is already 2 Nov in Berlin.
    from datetime import UTC, datetime

    s = f.SessionFactory(course=course_a, starts_at=datetime(2026, 11, 1, 23, 30, tzinfo=UTC))
    from backcourse.records.models import SessionRecord

    SessionRecord.objects.create(session=s)
    assert course_points(course_a, "pain")[0].day == date(2026, 11, 2)


@time_machine.travel(NOW, tick=False)
def test_tension_sum_is_a_before_value_and_zero_counts(course_a):
    add_session(course_a, 0, tension={"trapezius_upper_l": 3, "rhomboids_r": 2})
    add_session(course_a, 7, tension={"trapezius_upper_l": 0})
    add_session(course_a, 14, pain=(4, 2))  # no palpation

    points = course_points(course_a, "tension_sum")

    assert [(p.before, p.after) for p in points] == [(5.0, None), (0.0, None), (None, None)]


@time_machine.travel(NOW, tick=False)
def test_course_effect_uses_the_course_goal(course_a):
    course_a.goal_value = 5
    course_a.save()
    measured_course(course_a, [(8, 5), (6, 3), (5, 3), (4.5, 2)], stress=[(5, 3)] * 4)

    effect = course_effect(course_a, "pain")

    assert effect.n_sessions == 4
    assert effect.immediate_relief == [3.0, 3.0, 2.0, 2.5]
    assert effect.lasting_relief == 3.5
    assert effect.sessions_to_goal.median == 0  # goal "pain <= 5" already met
    # the goal is on pain, so stress has none
    assert course_effect(course_a, "stress").sessions_to_goal.reason.startswith("no goal")


@time_machine.travel(NOW, tick=False)
def test_practice_prior_is_read_from_the_stored_fit_of_completed_courses(
    practice_a, therapist_a, django_assert_max_num_queries
):
    for i in range(6):
        course = f.CourseFactory(
            client=f.ClientFactory(practice=practice_a),
            therapist=therapist_a,
            status="completed" if i < 5 else "active",
        )
        measured_course(course, [(8, 5), (6, 4), (5, 3), (4, 3), (4, 2)], hour=7 + i)

    class Req:
        pass

    assert practice_prior(practice_a, "pain").source == "default"  # nothing stored yet
    practice_priors_refresh(practice=practice_a)
    request = Req()
    with django_assert_max_num_queries(1):  # the stored priors of the practice
        prior = practice_prior(practice_a, "pain", request=request)
    assert prior.source == "practice" and prior.n_courses == 5
    assert practice_prior(practice_a, "stress", request=request).source == "default"
    with django_assert_max_num_queries(0):
        assert practice_prior(practice_a, "pain", request=request) == prior
        assert practice_prior(practice_a, "stress", request=request).source == "default"


def test_practice_prior_falls_back_to_default_without_finished_courses(practice_a):
    assert practice_priors_refresh(practice=practice_a) == 0
    assert practice_prior(practice_a, "pain").source == "default"


@time_machine.travel("2026-11-20 12:00:00+00:00", tick=False)
def test_values_typed_on_a_future_session_do_not_feed_the_maths(course_a):
    add_session(course_a, 0, pain=(7, 4))
    add_session(course_a, 7, pain=(6, 3))
    add_session(course_a, 21, pain=(9, 9), status="booked")  # 23 November, still to come

    points = course_points(course_a, "pain")

    assert [p.before for p in points] == [7.0, 6.0]
    assert course_effect(course_a, "pain").lasting_relief == 1.0
