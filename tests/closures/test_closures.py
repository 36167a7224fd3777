"""Public holidays and closure days: which days are closed, and the sessions on them."""

from datetime import UTC, date, datetime, time

import pytest
import time_machine
from django.urls import reverse

from backcourse.closures.days import closed_days, closed_ranges, public_holidays
from backcourse.closures.models import ClosureDay
from backcourse.closures.selectors import sessions_on_closed_days
from tests import factories as f

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)


def test_public_holidays_follow_country_and_region():
    christmas = date(2026, 12, 25)
    assert christmas in public_holidays("DE", "", date(2026, 12, 1), date(2026, 12, 31))
    epiphany = date(2027, 1, 6)  # Heilige Drei Könige: Bavaria yes, Berlin no
    assert epiphany in public_holidays("DE", "BY", date(2027, 1, 1), date(2027, 1, 31))
    assert epiphany not in public_holidays("DE", "BE", date(2027, 1, 1), date(2027, 1, 31))
    assert public_holidays("", "", date(2026, 1, 1), date(2026, 12, 31)) == {}


def test_closed_days_join_holidays_and_own_days(practice_a):
    practice_a.country, practice_a.region = "DE", "BE"
    practice_a.save()
    ClosureDay.objects.create(practice=practice_a, day=date(2026, 12, 30), reason="Inventory")
    days = closed_days(practice_a, date(2026, 12, 20), date(2026, 12, 31))
    assert list(days) == [date(2026, 12, 25), date(2026, 12, 26), date(2026, 12, 30)]
    assert days[date(2026, 12, 30)] == "Inventory"


def test_a_closed_day_is_midnight_to_midnight_in_the_practices_zone(practice_a):
    ClosureDay.objects.create(practice=practice_a, day=date(2026, 12, 30))
    ((start, end),) = closed_ranges(
        practice_a, datetime(2026, 12, 29, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    )
    assert start == datetime(2026, 12, 29, 23, 0, tzinfo=UTC)  # Berlin is UTC+1
    assert end == datetime(2026, 12, 30, 23, 0, tzinfo=UTC)


def test_sessions_on_a_newly_closed_day_are_listed_for_moving(practice_a, course_a):
    on_it = f.SessionFactory(course=course_a, starts_at=datetime(2026, 12, 30, 9, tzinfo=UTC))
    f.SessionFactory(course=course_a, starts_at=datetime(2026, 12, 29, 9, tzinfo=UTC))
    assert sessions_on_closed_days(practice_a, date(2026, 12, 1), date(2026, 12, 31)) == []
    ClosureDay.objects.create(practice=practice_a, day=date(2026, 12, 30), reason="Inventory")
    [(day, why, sessions)] = sessions_on_closed_days(
        practice_a, date(2026, 12, 1), date(2026, 12, 31)
    )
    assert (day, why, sessions) == (date(2026, 12, 30), "Inventory", [on_it])


@pytest.fixture
def as_owner(client, practice_a):
    owner = f.StaffFactory(practice=practice_a, role="owner")
    client.force_login(owner.user)
    return client


def test_the_page_sets_the_region_and_refuses_an_unknown_one(as_owner, practice_a):
    url = reverse("setup:closures")
    bad = as_owner.post(url, {"part": "region", "country": "DE", "region": "XX"})
    assert bad.status_code == 400
    assert "not known for the chosen country" in bad.content.decode()
    practice_a.refresh_from_db()
    assert practice_a.country == ""
    assert (
        as_owner.post(url, {"part": "region", "country": "DE", "region": "by"}).status_code == 302
    )
    practice_a.refresh_from_db()
    assert (practice_a.country, practice_a.region) == ("DE", "BY")


def test_the_page_lists_sessions_to_move_and_refuses_a_day_twice(as_owner, practice_a, course_a):
    url = reverse("setup:closures")
    f.SessionFactory(course=course_a, starts_at=datetime(2026, 12, 30, 9, tzinfo=UTC))
    with time_machine.travel(NOW, tick=False):
        assert (
            as_owner.post(url, {"part": "day", "day": "2026-12-30", "reason": "X"}).status_code
            == 302
        )
        again = as_owner.post(url, {"part": "day", "day": "2026-12-30"})
        assert again.status_code == 400 and "already closed" in again.content.decode()
        page = as_owner.get(url).content.decode()
    assert "Sessions on closed days" in page and course_a.client.full_name in page


@pytest.mark.django_db
def test_a_holiday_offers_no_times_and_refuses_bookings(practice_a, therapist_a, client_a):
    from backcourse.calendar import actions
    from backcourse.scheduling.models import SessionType, WorkingHours
    from backcourse.scheduling.selectors import available_slots

    massage = SessionType.objects.create(practice=practice_a, name="Massage", duration_minutes=60)
    for wd in range(7):
        WorkingHours.objects.create(
            therapist=therapist_a, weekday=wd, start_time=time(9), end_time=time(12)
        )
    practice_a.country, practice_a.region = "DE", "BE"
    practice_a.save()
    ClosureDay.objects.create(practice=practice_a, day=date(2026, 12, 28), reason="Inventory")
    with time_machine.travel(NOW, tick=False):
        days = {
            s.starts_at.astimezone(practice_a.zone).date()
            for s in available_slots(
                practice=practice_a,
                session_type=massage,
                therapist=therapist_a,
                first_day=date(2026, 12, 21),
                weeks=2,
            )
        }
        assert date(2026, 12, 24) in days and date(2026, 12, 29) in days
        for closed in (date(2026, 12, 25), date(2026, 12, 26), date(2026, 12, 28)):
            assert closed not in days
        with pytest.raises(actions.CalendarRefusal) as refused:
            actions.book(
                practice=practice_a,
                therapist=therapist_a,
                client=client_a,
                session_type=massage,
                starts_at=datetime(2026, 12, 25, 9, tzinfo=UTC),
                by=therapist_a.user,
            )
        assert refused.value.message == "The practice is closed on this day."
        assert not refused.value.overridable
