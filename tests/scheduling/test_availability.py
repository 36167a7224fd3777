"""Slot arithmetic (lib/slots.py): plain values, no database — except the loader tests
at the end (scheduling/selectors.py)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from backcourse.lib import slots as av
from backcourse.scheduling import selectors
from tests import factories as f

BERLIN = ZoneInfo("Europe/Berlin")
HOUR = timedelta(hours=1)
EARLY = datetime(2026, 1, 1, tzinfo=UTC)


def local(y, m, d, hh, mm=0, fold=0):
    return datetime(y, m, d, hh, mm, tzinfo=BERLIN, fold=fold)


def every_day(a: time, b: time) -> dict:
    return {wd: [(a, b)] for wd in range(7)}


def slots(rules, first, last, **kw):
    kw.setdefault("duration", HOUR)
    kw.setdefault("step", HOUR)
    kw.setdefault("now", EARLY)
    return av.therapist_slots(rules=rules, zone=BERLIN, first_day=first, last_day=last, **kw)


def local_starts(pairs):
    return [s.astimezone(BERLIN).strftime("%m-%d %H:%M %Z") for s, _ in pairs]


@pytest.mark.parametrize(
    ("before", "after"),
    [(date(2026, 3, 28), date(2026, 3, 30)), (date(2026, 10, 24), date(2026, 10, 26))],
)
def test_a_nine_oclock_day_gives_nine_oclock_slots_on_both_sides_of_a_change(before, after):
    rules = av.TherapistRules(working=every_day(time(9), time(12)))
    got = slots(rules, before, after)
    firsts = {s.astimezone(BERLIN).date(): s.astimezone(BERLIN).time() for s, _ in got[::3]}
    assert firsts == {before: time(9), before + timedelta(days=1): time(9), after: time(9)}
    # and the UTC instants differ by the change of offset
    assert len(got) == 9
    utc_hours = sorted({s.hour for s, _ in got if s.astimezone(BERLIN).time() == time(9)})
    assert utc_hours == [7, 8]


def test_spring_nonexistent_hour_is_never_offered():
    # 29 March 2026: 02:00 CET jumps to 03:00 CEST. A (silly) 01:00–05:00 shift is 3 real hours.
    rules = av.TherapistRules(working=every_day(time(1), time(5)))
    got = slots(rules, date(2026, 3, 29), date(2026, 3, 29))
    assert local_starts(got) == ["03-29 01:00 CET", "03-29 03:00 CEST", "03-29 04:00 CEST"]


def test_spring_working_hours_starting_inside_the_gap_start_at_the_jump():
    assert av.local_to_utc(date(2026, 3, 29), time(2, 30), BERLIN) == datetime(
        2026, 3, 29, 1, 0, tzinfo=UTC
    )
    rules = av.TherapistRules(working=every_day(time(2, 30), time(5)))
    got = slots(rules, date(2026, 3, 29), date(2026, 3, 29))
    assert local_starts(got) == ["03-29 03:00 CEST", "03-29 04:00 CEST"]


def test_autumn_repeated_hour_is_real_time_and_both_occurrences_are_distinct():
    # 25 October 2026: 03:00 CEST falls back to 02:00 CET; 01:00–04:00 is 4 real hours.
    rules = av.TherapistRules(working=every_day(time(1), time(4)))
    got = slots(rules, date(2026, 10, 25), date(2026, 10, 25))
    assert local_starts(got) == [
        "10-25 01:00 CEST",
        "10-25 02:00 CEST",
        "10-25 02:00 CET",
        "10-25 03:00 CET",
    ]
    # An ambiguous wall time means its first occurrence.
    assert av.local_to_utc(date(2026, 10, 25), time(2, 30), BERLIN) == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )


def test_breaks_time_off_and_past_times_are_excluded():
    monday = date(2026, 11, 30)
    rules = av.TherapistRules(
        working={0: [(time(9), time(17))], 1: [(time(9), time(12))]},
        breaks={0: [(time(12), time(13))]},
        time_off=[(local(2026, 12, 1, 0), local(2026, 12, 2, 0))],  # Tuesday off
    )
    got = slots(rules, monday, monday + timedelta(days=1), now=local(2026, 11, 30, 10, 30))
    assert local_starts(got) == [
        "11-30 11:00 CET",
        "11-30 13:00 CET",
        "11-30 14:00 CET",
        "11-30 15:00 CET",
        "11-30 16:00 CET",
    ]


def test_existing_sessions_and_buffers_block_time():
    monday = date(2026, 11, 30)
    rules = av.TherapistRules(
        working={0: [(time(9), time(13))]},
        # a 10:00–11:00 session with a 15-minute buffer blocks until 11:15
        busy=[(local(2026, 11, 30, 10), local(2026, 11, 30, 11, 15))],
    )
    got = slots(rules, monday, monday, step=timedelta(minutes=15), buffer=timedelta(minutes=15))
    starts = local_starts(got)
    # the new session's own buffer must end by 10:00, so 08:45 would be needed for 09:00–10:00+15
    assert "11-30 09:00 CET" not in starts
    assert "11-30 08:45 CET" not in starts  # before working hours
    assert starts[0] == "11-30 11:15 CET"
    assert starts[-1] == "11-30 12:00 CET"


def test_slot_problems_names_every_reason():
    monday = local(2026, 11, 30, 9)
    rules = av.TherapistRules(
        working={0: [(time(9), time(17))]},
        breaks={0: [(time(12), time(13))]},
        time_off=[(local(2026, 11, 30, 15), local(2026, 11, 30, 17))],
        busy=[(local(2026, 11, 30, 10), local(2026, 11, 30, 11))],
    )

    def why(start, now=EARLY):
        return av.slot_problems(rules=rules, zone=BERLIN, starts_at=start, duration=HOUR, now=now)

    assert why(monday) == []
    assert why(monday, now=monday + HOUR) == [av.PAST]
    assert why(local(2026, 11, 30, 8)) == [av.OUTSIDE_HOURS]
    assert why(local(2026, 12, 1, 9)) == [av.OUTSIDE_HOURS]  # Tuesday: no hours
    assert why(local(2026, 11, 30, 11, 30)) == [av.BREAK]
    assert why(local(2026, 11, 30, 15)) == [av.TIME_OFF]
    assert why(local(2026, 11, 30, 10, 30)) == [av.TAKEN]
    # A past Sunday evening: every reason at once, so overriding one leaves the others.
    assert why(local(2026, 11, 29, 23), now=monday) == [av.PAST, av.OUTSIDE_HOURS]


def test_loader_uses_a_fixed_number_of_queries(practice_a, django_assert_max_num_queries):
    from backcourse.scheduling.models import SessionType, WorkingHours

    therapists = [f.StaffFactory(practice=practice_a) for _ in range(5)]
    for t in therapists:
        for wd in range(5):
            WorkingHours.objects.create(
                therapist=t, weekday=wd, start_time=time(9), end_time=time(17)
            )
    course = f.CourseFactory(client=f.ClientFactory(practice=practice_a), therapist=therapists[0])
    f.SessionFactory(course=course, starts_at=local(2026, 12, 1, 9))
    kind = SessionType.objects.create(practice=practice_a, name="Back", duration_minutes=60)
    with django_assert_max_num_queries(5):
        got = selectors.available_slots(
            practice=practice_a, session_type=kind, weeks=4, now=local(2026, 11, 30, 0)
        )
    assert not any(
        s.therapist_id == therapists[0].pk and s.starts_at == local(2026, 12, 1, 9) for s in got
    )
    assert any(s.starts_at == local(2026, 12, 1, 9) for s in got)  # others are free


def test_rooms_limit_slots_when_the_practice_schedules_rooms(practice_a):
    from backcourse.scheduling.models import SessionType, WorkingHours

    one, two = f.StaffFactory(practice=practice_a), f.StaffFactory(practice=practice_a)
    for t in (one, two):
        WorkingHours.objects.create(therapist=t, weekday=0, start_time=time(9), end_time=time(11))
    room = f.RoomFactory(practice=practice_a)
    # The room is taken at 9 by a colleague who takes no online bookings.
    colleague = f.StaffFactory(practice=practice_a, takes_sessions=False)
    other = f.CourseFactory(client=f.ClientFactory(practice=practice_a), therapist=colleague)
    f.SessionFactory(course=other, room=room, starts_at=local(2026, 11, 30, 9))
    kind = SessionType.objects.create(practice=practice_a, name="Back", duration_minutes=60)
    got = selectors.available_slots(
        practice=practice_a,
        session_type=kind,
        first_day=date(2026, 11, 30),
        weeks=1,
        now=EARLY,
        step_minutes=60,
    )
    monday = [s for s in got if s.starts_at.date() == date(2026, 11, 30)]
    assert [(s.starts_at.astimezone(BERLIN).hour, s.therapist_id, s.room_id) for s in monday] == [
        (10, one.pk, room.pk),
        (10, two.pk, room.pk),
    ]


def test_any_therapist_starts_are_the_distinct_free_times_of_the_bookable_therapists(
    practice_a, other_practice
):
    """The whole practice's sessions are read at once: a colleague who takes no online
    bookings (and uses no room) blocks only their own time, another practice's therapist
    nothing; each free time is listed once however many therapists are free then."""
    from backcourse.scheduling.models import SessionType, WorkingHours

    one, two = f.StaffFactory(practice=practice_a), f.StaffFactory(practice=practice_a)
    colleague = f.StaffFactory(practice=practice_a, takes_sessions=False)
    elsewhere = f.StaffFactory(practice=other_practice)
    for t in (one, two, colleague, elsewhere):
        WorkingHours.objects.create(therapist=t, weekday=0, start_time=time(9), end_time=time(12))
    for t, hour in ((one, 9), (two, 9), (colleague, 10), (elsewhere, 11)):
        course = f.CourseFactory(client=f.ClientFactory(practice=t.practice), therapist=t)
        f.SessionFactory(course=course, starts_at=local(2026, 11, 30, hour))
    kind = SessionType.objects.create(practice=practice_a, name="Back", duration_minutes=60)
    args = {
        "practice": practice_a,
        "session_type": kind,
        "first_day": date(2026, 11, 30),
        "weeks": 1,
        "now": EARLY,
    }
    got = selectors.available_slots(**args, step_minutes=60)
    monday = [s for s in got if s.starts_at.date() == date(2026, 11, 30)]
    assert [(s.starts_at.astimezone(BERLIN).hour, s.therapist_id) for s in monday] == [
        (10, one.pk),
        (10, two.pk),
        (11, one.pk),
        (11, two.pk),
    ]
    starts = selectors.available_starts(**args, step_minutes=60)
    assert starts == sorted({s.starts_at for s in got})
    assert [s.astimezone(BERLIN).hour for s in starts if s.date() == date(2026, 11, 30)] == [10, 11]
