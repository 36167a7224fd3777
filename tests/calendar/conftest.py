"""A practice with three therapists and a fixed Wednesday of sessions, for the grid."""

from datetime import UTC, date, datetime, time

import pytest
import time_machine

from backcourse.scheduling.models import Room, WorkingHours
from tests import factories as f
from tests.factories import PASSWORD

# Tuesday 1 December 2026, 08:00 in Berlin; the grid shows Wednesday the 2nd.
NOW = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
DAY = date(2026, 12, 2)


def berlin(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def team(practice_a, therapist_a):
    """Anna (therapist_a), Ben and Carla, all working 08:00–18:00 every day."""
    ben = f.StaffFactory(practice=practice_a, user__username="ben", display_name="Ben Vogel")
    carla = f.StaffFactory(practice=practice_a, user__username="carla", display_name="Carla Diaz")
    for staff in (therapist_a, ben, carla):
        for wd in range(7):
            WorkingHours.objects.create(
                therapist=staff, weekday=wd, start_time=time(8), end_time=time(18)
            )
    return [therapist_a, ben, carla]


@pytest.fixture
def rooms_a(practice_a):
    return [
        Room.objects.create(practice=practice_a, name="Room 1"),
        Room.objects.create(practice=practice_a, name="Room 2"),
    ]


@pytest.fixture
def day_sessions(team, practice_a):
    """A few sessions on DAY: Anna 09:00 and 11:00, Ben 09:30, Carla 14:00."""
    anna, ben, carla = team
    out = []
    for staff, (h, m), name in (
        (anna, (9, 0), ("Clara", "Meier")),
        (anna, (11, 0), ("Jonas", "Weber")),
        (ben, (9, 30), ("Lena", "Schulz")),
        (carla, (14, 0), ("Paul", "Fischer")),
    ):
        course = f.CourseFactory(
            client=f.ClientFactory(practice=practice_a, first_name=name[0], last_name=name[1]),
            therapist=staff,
        )
        out.append(f.SessionFactory(course=course, therapist=staff, starts_at=berlin(h, m)))
    return out


def log_in(page, live_server, staff, next_path="/calendar/"):
    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    page.fill("#id_username", staff.user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{next_path.split('?')[0]}*")
