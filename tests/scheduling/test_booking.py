"""Booking services: book, series, reschedule, cancel, no-show, and the database guard."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction

from backcourse.scheduling import series, services
from backcourse.scheduling.errors import SchedulingError
from backcourse.scheduling.models import Session, SessionType, TimeOff, WorkingHours
from tests import factories as f

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)  # Wednesday


def local(y, m, d, hh, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=BERLIN)


@pytest.fixture
def weekdays_9_to_17(therapist_a):
    for wd in range(5):
        WorkingHours.objects.create(
            therapist=therapist_a, weekday=wd, start_time=time(9), end_time=time(17)
        )


@pytest.fixture
def massage(practice_a):
    return SessionType.objects.create(
        practice=practice_a, name="Back massage", duration_minutes=60, buffer_minutes=15
    )


def book(practice, therapist, client, when, kind, **kw):
    return services.session_book(
        practice=practice,
        therapist=therapist,
        client=client,
        starts_at=when,
        session_type=kind,
        now=NOW,
        **kw,
    )


def test_it_books_a_free_slot_with_type_duration_and_buffer(
    practice_a, therapist_a, client_a, massage, weekdays_9_to_17
):
    s = book(practice_a, therapist_a, client_a, local(2026, 11, 30, 10), massage)
    assert (s.duration_minutes, s.buffer_minutes, s.status) == (60, 15, "booked")
    assert s.starts_at == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # stored in UTC


@pytest.mark.parametrize(
    ("when", "message"),
    [
        (local(2026, 11, 24, 10), "in the past"),
        (local(2026, 11, 30, 7), "outside the therapist's working hours"),
        (local(2026, 11, 29, 10), "outside the therapist's working hours"),  # Sunday
        (local(2026, 12, 1, 10), "time off"),
    ],
)
def test_it_refuses_bad_slots_with_a_clear_message_and_saves_nothing(
    practice_a, therapist_a, client_a, massage, weekdays_9_to_17, when, message
):
    TimeOff.objects.create(
        therapist=therapist_a, starts_at=local(2026, 12, 1, 0), ends_at=local(2026, 12, 2, 0)
    )
    with pytest.raises(SchedulingError) as exc:
        book(practice_a, therapist_a, client_a, when, massage)
    assert message in exc.value.message
    assert not Session.objects.exists()


def test_overlap_and_buffer_are_slot_taken(
    practice_a, therapist_a, client_a, massage, weekdays_9_to_17
):
    other = f.ClientFactory(practice=practice_a)
    book(practice_a, therapist_a, client_a, local(2026, 11, 30, 10), massage)
    for when in (local(2026, 11, 30, 10, 30), local(2026, 11, 30, 11)):  # overlap; in buffer
        with pytest.raises(SchedulingError) as exc:
            book(practice_a, therapist_a, other, when, massage)
        assert "already taken" in exc.value.message
    assert book(practice_a, therapist_a, other, local(2026, 11, 30, 11, 15), massage)


def test_the_database_refuses_overlaps_even_without_the_service(therapist_a, session_a):
    room = f.RoomFactory(practice=session_a.practice)
    Session.objects.filter(pk=session_a.pk).update(room=room)
    clash = {
        "practice": session_a.practice,
        "client": session_a.client,
        "starts_at": session_a.starts_at + timedelta(minutes=30),
        "duration_minutes": 60,
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.create(therapist=therapist_a, **clash)
    other_therapist = f.StaffFactory(practice=session_a.practice)
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.create(therapist=other_therapist, room=room, **clash)
    # a cancelled session frees its slot; a no-show keeps it
    Session.objects.filter(pk=session_a.pk).update(status="no_show")
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.create(therapist=therapist_a, **clash)
    Session.objects.filter(pk=session_a.pk).update(status="cancelled")
    assert Session.objects.create(therapist=therapist_a, **clash)
    # un-cancelling the first one now would overlap: refused by UPDATE as well
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=session_a.pk).update(status="booked")


def test_update_into_an_overlap_is_refused_by_the_database(therapist_a, session_a):
    later = f.SessionFactory(
        course=session_a.course, starts_at=session_a.starts_at + timedelta(hours=3)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=later.pk).update(
            starts_at=session_a.starts_at, ends_at=session_a.ends_at
        )


def test_series_dates_keep_local_time_across_dst_and_go_monthly():
    dates = series.series_dates(
        first=local(2026, 10, 12, 9),
        intensive_count=4,
        intensive_every_days=7,
        maintenance_count=3,
        maintenance_monthly=True,
        zone=BERLIN,
    )
    assert [d.astimezone(BERLIN).strftime("%m-%d %H:%M") for d in dates] == [
        "10-12 09:00",
        "10-19 09:00",
        "10-26 09:00",
        "11-02 09:00",
        "12-02 09:00",
        "01-02 09:00",
        "02-02 09:00",
    ]
    assert dates[1].hour == 7 and dates[2].hour == 8  # CEST then CET, in UTC


def test_monthly_from_the_31st_uses_the_last_day_of_shorter_months():
    dates = series.series_dates(
        first=local(2026, 12, 31, 9), intensive_count=1, maintenance_count=2, zone=BERLIN
    )
    assert [d.astimezone(BERLIN).date() for d in dates] == [
        date(2026, 12, 31),
        date(2027, 1, 31),
        date(2027, 2, 28),
    ]


def test_series_plan_shows_conflicts_and_books_all_or_nothing(
    practice_a, therapist_a, course_a, massage, weekdays_9_to_17
):
    other = f.ClientFactory(practice=practice_a)
    taken = book(practice_a, therapist_a, other, local(2026, 12, 14, 10), massage)
    starts = series.series_dates(first=local(2026, 11, 30, 10), intensive_count=4, zone=BERLIN)
    plan = series.series_plan(
        practice=practice_a,
        therapist=therapist_a,
        client=course_a.client,
        session_type=massage,
        starts=starts,
        now=NOW,
    )
    assert [row.ok for row in plan] == [True, True, False, True]
    assert "already taken" in plan[2].problem
    assert plan[2].alternatives and taken.starts_at not in plan[2].alternatives

    # Resolve by an alternative, then book: four sessions, one series.
    alt = plan[2].alternatives[0]
    plan = series.series_plan(
        practice=practice_a,
        therapist=therapist_a,
        client=course_a.client,
        session_type=massage,
        starts=starts,
        choices={2: f"alt:{alt.isoformat()}"},
        now=NOW,
    )
    assert all(row.ok for row in plan)
    before = Session.objects.count()
    # Someone takes a date meanwhile → the whole series is refused.
    book(practice_a, therapist_a, other, starts[3], massage)
    with pytest.raises(SchedulingError) as exc:
        series.series_book(
            practice=practice_a,
            course=course_a,
            therapist=therapist_a,
            session_type=massage,
            starts=[r.starts_at for r in plan],
            now=NOW,
        )
    assert "Nothing was booked" in exc.value.message
    assert Session.objects.count() == before + 1
    sessions = series.series_book(
        practice=practice_a,
        course=course_a,
        therapist=therapist_a,
        session_type=massage,
        starts=[r.starts_at for r in plan[:3]],
        now=NOW,
    )
    assert len({s.series for s in sessions}) == 1 and len(sessions) == 3


def test_series_plan_flags_dates_overlapping_each_other(
    practice_a, therapist_a, course_a, massage, weekdays_9_to_17
):
    starts = [local(2026, 11, 30, 10), local(2026, 11, 30, 10, 30)]
    plan = series.series_plan(
        practice=practice_a,
        therapist=therapist_a,
        client=course_a.client,
        session_type=massage,
        starts=starts,
        now=NOW,
    )
    assert plan[0].ok and "this series" in plan[1].problem


def test_client_cancel_respects_notice_staff_can_always(
    practice_a, therapist_a, client_a, massage, weekdays_9_to_17
):
    s = book(practice_a, therapist_a, client_a, local(2026, 11, 30, 10), massage)
    practice_a.cancellation_notice_hours = 24
    practice_a.save()
    late = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)  # 23 h before
    with pytest.raises(SchedulingError) as exc:
        services.session_cancel(session=s, by_client=True, now=late)
    assert "24 hours" in exc.value.message
    s.refresh_from_db()
    assert s.status == "booked"
    services.session_cancel(session=s, by_client=False, now=late)
    s.refresh_from_db()
    assert s.status == "cancelled"
    # the slot is free again
    assert book(practice_a, therapist_a, f.ClientFactory(practice=practice_a), s.starts_at, massage)


def test_reschedule_checks_the_new_slot_and_moves_a_series_in_wall_time(
    practice_a, therapist_a, course_a, massage, weekdays_9_to_17
):
    now = datetime(2026, 10, 1, tzinfo=UTC)
    starts = series.series_dates(first=local(2026, 10, 12, 10), intensive_count=4, zone=BERLIN)
    sessions = series.series_book(
        practice=practice_a,
        course=course_a,
        therapist=therapist_a,
        session_type=massage,
        starts=starts,
        now=now,
    )
    with pytest.raises(SchedulingError):
        services.session_move(
            session=sessions[1], starts_at=local(2026, 10, 19, 20), by_client=True, now=now
        )
    services.session_move(
        session=sessions[1],
        starts_at=local(2026, 10, 19, 14),
        by_client=True,
        now=now,
        whole_series=True,
    )
    moved = [
        s.starts_at.astimezone(BERLIN).strftime("%m-%d %H:%M")
        for s in Session.objects.filter(series=sessions[0].series)
    ]
    assert moved == ["10-12 10:00", "10-19 14:00", "10-26 14:00", "11-02 14:00"]
    # one at a time
    services.session_move(
        session=sessions[3], starts_at=local(2026, 11, 3, 9), by_client=False, now=now
    )
    sessions[3].refresh_from_db()
    assert sessions[3].local_start.strftime("%m-%d %H:%M") == "11-03 09:00"


def test_reschedule_onto_a_taken_slot_changes_nothing(
    practice_a, therapist_a, client_a, massage, weekdays_9_to_17
):
    a = book(practice_a, therapist_a, client_a, local(2026, 11, 30, 10), massage)
    b = book(
        practice_a,
        therapist_a,
        f.ClientFactory(practice=practice_a),
        local(2026, 11, 30, 14),
        massage,
    )
    with pytest.raises(SchedulingError):
        services.session_move(session=b, starts_at=a.starts_at, by_client=False, now=NOW)
    b.refresh_from_db()
    assert b.local_start.hour == 14


def test_no_show_only_after_start_and_keeps_the_slot(
    practice_a, therapist_a, client_a, massage, weekdays_9_to_17
):
    s = book(practice_a, therapist_a, client_a, local(2026, 11, 30, 10), massage)
    with pytest.raises(SchedulingError):
        services.session_status_set(status="no_show", session=s, now=NOW)
    services.session_status_set(status="no_show", session=s, now=local(2026, 11, 30, 10, 20))
    s.refresh_from_db()
    assert s.status == "no_show"
    with pytest.raises(SchedulingError):
        services.session_book(
            practice=practice_a,
            therapist=therapist_a,
            client=f.ClientFactory(practice=practice_a),
            starts_at=s.starts_at,
            session_type=massage,
            now=NOW,
        )


def test_it_refuses_objects_of_another_practice(
    practice_a, therapist_a, client_b, massage, weekdays_9_to_17
):
    with pytest.raises(SchedulingError):
        book(practice_a, therapist_a, client_b, local(2026, 11, 30, 10), massage)
    assert not Session.objects.exists()
