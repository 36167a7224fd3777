"""session_record_save: rows written, versions, session status."""

from decimal import Decimal

import pytest
from django.conf import settings

from backcourse.measures.models import MeasureDefinition, MuscleRegion, Technique
from backcourse.records.models import Measurement, SessionRecord, TensionReading
from backcourse.records.services import (
    RecordConflict,
    RecordRefused,
    SessionRecordData,
    session_record_save,
)
from backcourse.scheduling.models import Session


def _data(**kwargs) -> SessionRecordData:
    pain = MeasureDefinition.objects.get(code="pain")
    defaults = {
        "measurements": {(pain, "before"): Decimal("6"), (pain, "after"): Decimal("2")},
        "tension": {MuscleRegion.objects.get(code="rhomboids_l"): 2},
        "techniques": [Technique.objects.get(code="friction")],
        "subjective": "First note.",
    }
    defaults.update(kwargs)
    return SessionRecordData(**defaults)


def test_first_save_creates_record_and_rows(session_a, therapist_a):
    record = session_record_save(
        session=session_a, data=_data(), user=therapist_a.user, expected_version=0
    )
    assert record.version == 1
    assert Measurement.objects.filter(record=record).count() == 2
    assert TensionReading.objects.get(record=record).level == 2
    assert session_a.status == Session.Status.COMPLETED
    assert Session.objects.get(pk=session_a.pk).status == Session.Status.COMPLETED


def test_each_save_bumps_the_version(session_a, therapist_a):
    session_record_save(session=session_a, data=_data(), user=therapist_a.user, expected_version=0)
    record = session_record_save(
        session=session_a,
        data=_data(subjective="Second."),
        user=therapist_a.user,
        expected_version=1,
    )
    assert (record.version, record.subjective) == (2, "Second.")


def test_a_stale_version_raises_and_writes_nothing(session_a, therapist_a):
    session_record_save(session=session_a, data=_data(), user=therapist_a.user, expected_version=0)
    pain = MeasureDefinition.objects.get(code="pain")
    stale = _data(subjective="Stale.", measurements={(pain, "before"): Decimal("9")}, tension={})
    for expected in (0, 5):
        with pytest.raises(RecordConflict):
            session_record_save(
                session=session_a, data=stale, user=therapist_a.user, expected_version=expected
            )
    record = SessionRecord.objects.get(session=session_a)
    assert (record.version, record.subjective) == (1, "First note.")
    assert Measurement.objects.get(record=record, moment="before").value == 6
    assert TensionReading.objects.filter(record=record).count() == 1


@pytest.mark.parametrize("status", [Session.Status.NO_SHOW, Session.Status.CANCELLED])
def test_a_cancelled_or_no_show_session_gets_no_record(session_a, therapist_a, status):
    Session.objects.filter(pk=session_a.pk).update(status=status)
    session_a.refresh_from_db()
    with pytest.raises(RecordRefused) as exc:
        session_record_save(
            session=session_a,
            data=_data(measurements={}, tension={}),
            user=therapist_a.user,
            expected_version=0,
        )
    assert exc.value.code == "not_held"
    assert Session.objects.get(pk=session_a.pk).status == status
    assert not SessionRecord.objects.exists()


def test_a_checked_in_session_is_completed(session_a, therapist_a):
    Session.objects.filter(pk=session_a.pk).update(status=Session.Status.CHECKED_IN)
    session_a.refresh_from_db()
    session_record_save(session=session_a, data=_data(), user=therapist_a.user, expected_version=0)
    assert Session.objects.get(pk=session_a.pk).status == Session.Status.COMPLETED


def test_values_of_measures_not_in_the_form_are_left_alone(session_a, therapist_a):
    record = session_record_save(
        session=session_a, data=_data(), user=therapist_a.user, expected_version=0
    )
    session_record_save(
        session=session_a, data=_data(measurements={}), user=therapist_a.user, expected_version=1
    )
    assert Measurement.objects.filter(record=record).count() == 2


@pytest.mark.postgres
@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="needs PostgreSQL (DATABASE_URL=postgres://...)",
)
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_saves_of_one_version_cannot_both_win(session_a, therapist_a):
    """Two tabs post version 1 at the same moment: one save wins, the other conflicts.

    Needs real concurrent connections: PostgreSQL (the SQLite test database is one
    in-memory file where writers serialize anyway).
    """
    import threading

    from django.db import connection

    session_record_save(session=session_a, data=_data(), user=therapist_a.user, expected_version=0)
    barrier = threading.Barrier(2)
    outcomes = []

    def save(note):
        try:
            barrier.wait(timeout=10)
            session_record_save(
                session=Session.objects.get(pk=session_a.pk),
                data=_data(subjective=note),
                user=therapist_a.user,
                expected_version=1,
            )
            outcomes.append("saved")
        except RecordConflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(f"Tab {n}",)) for n in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["conflict", "saved"]
    record = SessionRecord.objects.get(session=session_a)
    assert record.version == 2
    assert record.subjective in ("Tab 1", "Tab 2")
