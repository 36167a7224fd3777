"""course_measure_table: what the course page and the effect charts read."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from backcourse.measures.models import MeasureDefinition, MuscleRegion, Technique
from backcourse.records.selectors import (
    CourseMeasureRow,
    body_chart_regions,
    course_measure_table,
)
from backcourse.records.services import SessionRecordData, session_record_save
from backcourse.scheduling.models import Session
from tests import factories as f


def _record(session, user, pain_before, pain_after, tension):
    pain = MeasureDefinition.objects.get(code="pain")
    regions = {r.code: r for r in MuscleRegion.objects.all()}
    session_record_save(
        session=session,
        data=SessionRecordData(
            measurements={
                (pain, "before"): Decimal(pain_before),
                (pain, "after"): Decimal(pain_after),
            },
            tension={regions[code]: level for code, level in tension.items()},
            techniques=list(Technique.objects.filter(code__in=["petrissage", "effleurage"])),
        ),
        user=user,
        expected_version=0,
    )


@pytest.fixture(autouse=True)
def afternoon_of_session_a():
    """These courses' sessions (weekly from 2 Nov 2026) have all been held by 2028."""
    with time_machine.travel(datetime(2028, 1, 1, tzinfo=UTC), tick=False):
        yield


def _course_with_sessions(course, therapist, n):
    sessions = []
    for k in range(n):
        # 23:30 UTC is already the next day in Berlin.
        starts = datetime(2026, 11, 2, 23, 30, tzinfo=UTC) + timedelta(days=7 * k)
        sessions.append(f.SessionFactory(course=course, starts_at=starts))
    return sessions


def test_rows_in_order_with_measures_tension_and_techniques(course_a, therapist_a):
    s1, s2, s3, s4 = _course_with_sessions(course_a, therapist_a, 4)
    Session.objects.filter(pk=s2.pk).update(status=Session.Status.CANCELLED)
    _record(s1, therapist_a.user, "8", "5", {"rhomboids_l": 3, "trapezius_upper_r": 2})
    _record(s3, therapist_a.user, "6", "3", {"rhomboids_l": 1})

    rows = course_measure_table(course_a)

    assert [type(r) for r in rows] == [CourseMeasureRow] * 3
    assert [r.session.pk for r in rows] == [s1.pk, s3.pk, s4.pk]
    assert [r.number for r in rows] == [1, 2, 3]
    assert rows[0].date.isoformat() == "2026-11-03"  # local (Berlin) date
    assert rows[0].measures == {"pain": (Decimal("8"), Decimal("5"))}
    assert rows[0].value("pain", "after") == Decimal("5")
    assert rows[0].tension_sum == 5
    assert rows[0].tension_by_region == {"rhomboids_l": 3, "trapezius_upper_r": 2}
    assert [t.code for t in rows[0].techniques] == ["effleurage", "petrissage"]
    assert rows[1].measures == {"pain": (Decimal("6"), Decimal("3"))}
    assert rows[1].tension_sum == 1
    # Not recorded yet: the session is there, with nothing measured.
    assert (rows[2].record, rows[2].measures, rows[2].tension_sum) == (None, {}, None)
    assert rows[2].value("pain", "before") is None


def test_query_count_does_not_grow_with_sessions(
    course_a, therapist_a, django_assert_max_num_queries
):
    sessions = _course_with_sessions(course_a, therapist_a, 8)
    for k, session in enumerate(sessions):
        _record(
            session, therapist_a.user, str(8 - k // 2), str(4 - k // 3), {"rhomboids_l": 1 + k % 3}
        )
    # The sessions, their records' values in one statement, and the three vocabularies
    # that name those values (measures, regions, techniques): read here because a test
    # runs in a transaction; a request keeps them in memory (tests/practices/
    # test_reference.py counts that case: two queries).
    with django_assert_max_num_queries(5):
        rows = course_measure_table(course_a)
        # Everything the callers read is loaded.
        for row in rows:
            assert row.session.client.full_name
            assert row.session.practice.zone
            assert row.measures["pain"][0] is not None
            _ = [t.name for t in row.techniques]
    assert len(rows) == 8


def test_only_the_course_sessions(course_a, session_b, therapist_a):
    _course_with_sessions(course_a, therapist_a, 2)
    rows = course_measure_table(course_a)
    assert all(r.session.course_id == course_a.pk for r in rows)


def test_body_chart_regions_from_levels(db):
    regions = body_chart_regions({"rhomboids_l": 2})
    assert len(regions) == 20
    by_code = {r.code: r for r in regions}
    assert by_code["rhomboids_l"].level == 2
    assert by_code["rhomboids_r"].level == 0
    assert by_code["rhomboids_l"].label == "Rhomboids (left)"
    assert by_code["rhomboids_l"].svg_path.startswith("M")


def test_body_chart_include_renders_read_only(db):
    from django.template.loader import render_to_string

    html = render_to_string(
        "records/_body_chart.html",
        {"regions": body_chart_regions({"rhomboids_l": 3}), "title": "First session"},
    )
    assert "First session" in html
    assert 'data-region="rhomboids_l" data-label="Rhomboids (left)" data-level="3"' in html
    assert 'class="bc-region t3"' in html
    assert "data-body-chart" not in html  # not editable
    assert 'name="tension_' not in html
