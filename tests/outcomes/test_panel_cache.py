"""The course-effect panel is kept in the cache under a key made of everything it is
computed from (outcomes/panels.py, `panel_cache_key`): shown again it is not computed
again, and any change to what it is computed from shows on the page at once, even a
change written straight to the database (no signal, no service)."""

import dataclasses
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from backcourse.courses.models import Course
from backcourse.lib.course_effect import PracticePrior
from backcourse.measures.models import MeasureDefinition
from backcourse.outcomes import selectors
from backcourse.outcomes.models import StoredPrior
from backcourse.outcomes.panels import panel_cache_key
from backcourse.outcomes.selectors import effect_inputs
from backcourse.portal.models import FollowUp
from backcourse.practices.models import Practice
from backcourse.records.models import Measurement
from backcourse.records.selectors import course_measure_table
from backcourse.scheduling.models import Session
from tests.outcomes.helpers import add_session, measured_course

pytestmark = pytest.mark.django_db

# The sessions below are from 2 to 30 November 2026; the clock stands after them.
NOW = datetime(2026, 12, 15, 12, 45, tzinfo=UTC)


@pytest.fixture(autouse=True)
def mid_december():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def analyses(monkeypatch):
    """How often the maths ran."""
    calls = []
    real = selectors.analyse_course

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(selectors, "analyse_course", counted)
    return calls


@pytest.fixture
def measured_a(course_a):
    measured_course(course_a, [(8, 5), (7, 4), (6, 3), (5, 3)])
    return course_a


def _panel(client, course, query="") -> str:
    """The course page's effect panel (the page around it holds a fresh CSRF token)."""
    html = client.get(reverse("courses:detail", args=[course.pk]) + query).content.decode()
    match = re.search(r'<section class="card effect" id="course-effect".*?</section>', html, re.S)
    assert match, "no effect panel"
    return match.group(0)


def test_shown_again_the_panel_is_not_computed_again(as_therapist_a, measured_a, analyses):
    first = _panel(as_therapist_a, measured_a)
    assert len(analyses) == 1
    assert _panel(as_therapist_a, measured_a) == first
    assert len(analyses) == 1
    # The client page draws the same chart: from the same entry.
    html = as_therapist_a.get(reverse("clients:detail", args=[measured_a.client_id])).content
    assert b'class="chart course-chart"' in html
    assert len(analyses) == 1


def _changes(client, course, change) -> tuple[str, str]:
    before = _panel(client, course)
    change()
    return before, _panel(client, course)


def test_a_new_measured_session_shows_at_once(as_therapist_a, measured_a):
    before, after = _changes(
        as_therapist_a, measured_a, lambda: add_session(measured_a, 28, pain=(4, 2))
    )
    assert "based on 4 sessions" in before
    assert "based on 5 sessions" in after


def test_a_value_changed_straight_in_the_database_shows_at_once(as_therapist_a, measured_a):
    def change():
        Measurement.objects.filter(
            record__session__course=measured_a, moment="after", value=Decimal(3)
        ).update(value=Decimal("0.5"))

    before, after = _changes(as_therapist_a, measured_a, change)
    assert "mean of the latest 4 sessions: 3 · 3 · 3 · 2" in before
    assert "mean of the latest 4 sessions: 3 · 3 · 5.5 · 4.5" in after


def test_a_cancelled_session_shows_at_once(as_therapist_a, measured_a):
    def change():
        latest = Session.objects.filter(course=measured_a).latest("starts_at")
        Session.objects.filter(pk=latest.pk).update(status=Session.Status.CANCELLED)

    before, after = _changes(as_therapist_a, measured_a, change)
    assert "based on 4 sessions" in before
    assert "based on 3 sessions" in after


def test_a_changed_plan_shows_at_once(as_therapist_a, measured_a):
    def change():
        Course.objects.filter(pk=measured_a.pk).update(planned_sessions=12)

    before, after = _changes(as_therapist_a, measured_a, change)
    assert "(session 12)" not in before
    assert "Expected level at the planned last session (session 12)" in after


def test_a_changed_goal_shows_at_once(as_therapist_a, measured_a):
    def change():
        Course.objects.filter(pk=measured_a.pk).update(goal_value=Decimal(1))

    before, after = _changes(as_therapist_a, measured_a, change)
    assert "Pain ≤ 3" in before and "Goal: 3." in before  # the chart's description
    assert "Pain ≤ 1" in after and "Goal: 1." in after


def test_a_follow_up_answer_shows_at_once(as_therapist_a, measured_a):
    def change():
        for session in Session.objects.filter(course=measured_a):
            FollowUp.objects.create(session=session, value=6, answered_at=timezone.now())

    before, after = _changes(as_therapist_a, measured_a, change)
    assert before != after


def test_a_new_practice_prior_shows_at_once(as_therapist_a, measured_a):
    def change():
        default = PracticePrior.default(False, bounded=True)
        wide = dataclasses.replace(default, log_rate_mean=-3.0, log_noise_mean=-0.5)
        StoredPrior.objects.update_or_create(
            practice=measured_a.practice,
            measure_code="pain",
            defaults={
                "params": dataclasses.asdict(wide),
                "n_courses": 40,
                "computed_at": timezone.now(),
            },
        )

    before, after = _changes(as_therapist_a, measured_a, change)
    assert before != after


def test_a_session_that_takes_place_counts_from_its_start(as_therapist_a, measured_a):
    # Booked for 13:00 today with values typed on it by mistake: it does not count yet.
    add_session(measured_a, 43, pain=(2, 1), status="booked", hour=13)
    assert "based on 4 sessions" in _panel(as_therapist_a, measured_a)
    # A quarter of an hour after its start (well within the entry's lifetime).
    with time_machine.travel(NOW + timedelta(minutes=30), tick=False):
        assert "based on 5 sessions" in _panel(as_therapist_a, measured_a)


def test_the_practice_language_shows_at_once(as_therapist_a, measured_a):
    before, after = _changes(
        as_therapist_a,
        measured_a,
        lambda: Practice.objects.filter(pk=measured_a.practice_id).update(language="de"),
    )
    assert "Immediate relief" in before
    assert "Immediate relief" not in after


def test_the_key_holds_the_viewer_the_course_and_the_measure_row(measured_a):
    pain = MeasureDefinition.objects.get(code="pain")
    inputs = effect_inputs(measured_a, pain, course_measure_table(measured_a))
    staff = panel_cache_key(measured_a, inputs, client_view=False)
    assert staff == panel_cache_key(measured_a, inputs, client_view=False)
    # The client's own chart stops at the planned course: another entry.
    assert staff != panel_cache_key(measured_a, inputs, client_view=True)
    # Another course with the same values: another entry (chart element ids stay unique).
    other = Course(pk=measured_a.pk + 1000)
    assert staff != panel_cache_key(other, inputs, client_view=False)
    # The measure as edited in the admin (its label, scale, direction).
    renamed = dataclasses.replace(
        inputs,
        measure=MeasureDefinition(
            **{f.attname: getattr(pain, f.attname) for f in pain._meta.concrete_fields}
        ),
    )
    renamed.measure.unit = "pts"
    assert staff != panel_cache_key(measured_a, renamed, client_view=False)
