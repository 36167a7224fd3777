from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from backcourse.measures.models import MeasureDefinition, MuscleRegion
from backcourse.records.models import SessionRecord, TensionReading
from tests import factories as f


def test_vocabularies_are_loaded_as_data(db):
    assert MuscleRegion.objects.filter(side="L").count() == 10
    assert MuscleRegion.objects.filter(side="R").count() == 10
    pain = MeasureDefinition.objects.get(code="pain")
    assert (pain.min_value, pain.max_value, pain.lower_is_better) == (0, 10, True)
    assert not MeasureDefinition.objects.get(code="cervical_rotation_left").lower_is_better


def test_session_end_follows_start_and_duration(session_a):
    assert session_a.ends_at - session_a.starts_at == timedelta(minutes=60)
    session_a.duration_minutes = 45
    session_a.save(update_fields=["duration_minutes"])
    session_a.refresh_from_db()
    assert session_a.ends_at - session_a.starts_at == timedelta(minutes=45)


def test_session_rejects_client_of_other_practice(session_a, client_b):
    session_a.client = client_b
    with pytest.raises(ValidationError) as exc:
        session_a.full_clean()
    assert "client" in exc.value.message_dict


def test_course_goal_must_lie_on_the_measure_scale(course_a):
    course_a.goal_value = Decimal("12")
    with pytest.raises(ValidationError) as exc:
        course_a.full_clean()
    assert "goal_value" in exc.value.message_dict


def test_course_goal_cannot_be_the_worst_value(course_a):
    course_a.goal_value = Decimal("10")
    with pytest.raises(ValidationError):
        course_a.full_clean()


def test_percent_goal_threshold(course_a):
    course_a.goal_kind = "percent"
    course_a.goal_value = Decimal("30")
    course_a.full_clean()
    assert course_a.goal_threshold(8.0) == pytest.approx(5.6)


def test_database_refuses_tension_outside_0_to_3(session_a):
    record = SessionRecord.objects.create(session=session_a)
    region = MuscleRegion.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        TensionReading.objects.create(record=record, region=region, level=4)


def test_measure_range_check_names_the_measure(db):
    pain = MeasureDefinition.objects.get(code="pain")
    with pytest.raises(ValidationError, match="Pain"):
        pain.check_value(Decimal("11"))


def test_session_number_in_course_skips_cancelled(course_a):
    first = f.SessionFactory(course=course_a)
    f.SessionFactory(course=course_a, status="cancelled")
    third = f.SessionFactory(course=course_a)
    assert first.number_in_course == 1
    assert third.number_in_course == 2
