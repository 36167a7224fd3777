"""seed_demo: the demo practice that `dev.py demo` and the screenshots rely on."""

from collections import Counter, defaultdict
from datetime import datetime, time
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from backcourse.accounts.models import User
from backcourse.clients.consent import consent_missing
from backcourse.clients.models import Client
from backcourse.courses.models import Course
from backcourse.practices.models import Practice, StaffMember
from backcourse.records.models import Measurement, SessionRecord, TensionReading
from backcourse.scheduling.models import Room, Session, SessionType, WorkingHours

BERLIN = ZoneInfo("Europe/Berlin")
PASSWORD = "backcourse-demo"
# A Wednesday morning: some of today's sessions are over, some to come.
WEDNESDAY_10_30 = datetime(2026, 11, 25, 10, 30, tzinfo=BERLIN)


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(db):
    with time_machine.travel(WEDNESDAY_10_30, tick=False):
        seed()
    return Practice.objects.get(slug="demo")


def test_it_creates_the_practice_staff_rooms_and_clients(demo):
    assert (demo.name, demo.time_zone, demo.language) == ("Rückenwerk Demo", "Europe/Berlin", "en")
    roles = {s.user.username: (s.role, s.takes_sessions) for s in demo.staff.all()}
    assert roles == {
        "owner": ("owner", False),
        "anna": ("therapist", True),
        "ben": ("therapist", True),
        "carla": ("therapist", True),
        "desk": ("front_desk", False),
    }
    owner = User.objects.get(username="owner")
    # The owner runs the demo practice's admin, not the whole service's.
    assert owner.is_staff and not owner.is_superuser
    assert owner.groups.filter(name="Practice owners").exists()
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and admin.check_password(PASSWORD)
    for username in ["owner", "anna", "ben", "carla", "desk", "clara"]:
        assert User.objects.get(username=username).check_password(PASSWORD), username
    assert Room.objects.filter(practice=demo).count() == 2
    assert Client.objects.filter(practice=demo).count() == 40
    clara = Client.objects.get(user__username="clara")
    assert clara.first_name == "Clara" and clara.practice == demo
    assert clara.courses.filter(status=Course.Status.ACTIVE).exists()


def test_the_demo_is_ready_for_booking_and_the_client_pages(demo):
    for username in ["anna", "ben", "carla"]:
        hours = WorkingHours.objects.filter(therapist__user__username=username)
        assert {h.weekday for h in hours} >= {0, 1, 2, 3, 4}
        assert all((h.start_time, h.end_time) == (time(8), time(18)) for h in hours)
    assert SessionType.objects.filter(practice=demo, bookable_online=True).exists()
    clara = Client.objects.get(user__username="clara")
    assert not consent_missing(clara)
    assert clara.intakes.exists()


def test_clients_have_realistic_contact_data(demo):
    clients = list(Client.objects.filter(practice=demo))
    assert len({c.full_name for c in clients}) == 40
    assert all(c.phone.startswith("+49 ") for c in clients)
    assert sum("@" in c.email for c in clients) >= 35


def test_today_each_therapist_has_4_to_7_sessions_in_working_hours(demo):
    today = WEDNESDAY_10_30.date()
    per_therapist = Counter()
    for session in Session.objects.filter(practice=demo).select_related("therapist__user"):
        start = session.starts_at.astimezone(BERLIN)
        end = session.ends_at.astimezone(BERLIN)
        assert time(8) <= start.time() and end.time() <= time(18), session
        if start.date() == today:
            per_therapist[session.therapist.user.username] += 1
    assert set(per_therapist) == {"anna", "ben", "carla"}
    assert all(4 <= n <= 7 for n in per_therapist.values()), per_therapist


def test_statuses_follow_the_clock(demo):
    now = WEDNESDAY_10_30
    for session in Session.objects.filter(practice=demo):
        if session.ends_at <= now:
            assert session.status in {"completed", "no_show", "cancelled"}
        elif session.starts_at > now:
            assert session.status == "booked"
    statuses = Counter(Session.objects.filter(practice=demo).values_list("status", flat=True))
    assert statuses["completed"] > 150 and statuses["booked"] > 40
    assert 0 < statuses["no_show"] + statuses["cancelled"] < statuses["completed"] * 0.15
    # every completed session has a record, no other session has one
    assert SessionRecord.objects.filter(session__practice=demo).count() == statuses["completed"]


def test_no_therapist_or_room_is_double_booked(demo):
    by_therapist, by_room = defaultdict(list), defaultdict(list)
    for s in Session.objects.filter(practice=demo):
        by_therapist[s.therapist_id].append((s.starts_at, s.ends_at))
        by_room[s.room_id].append((s.starts_at, s.ends_at))
    for slots in [*by_therapist.values(), *by_room.values()]:
        slots.sort()
        for (_, end), (next_start, _) in zip(slots, slots[1:], strict=False):
            assert end <= next_start


def test_records_carry_measures_tension_techniques_and_notes(demo):
    records = SessionRecord.objects.filter(session__practice=demo)
    codes = set(
        Measurement.objects.filter(record__in=records).values_list("measure__code", flat=True)
    )
    assert {"pain", "stress", "fingertip_floor", "cervical_rotation_left"} <= codes
    assert TensionReading.objects.filter(record__in=records).count() > records.count() * 3
    record = records.prefetch_related("techniques", "muscles_treated").first()
    assert record.techniques.exists() and record.muscles_treated.exists()
    assert record.subjective and record.objective and record.assessment and record.plan
    levels = set(TensionReading.objects.filter(record__in=records).values_list("level", flat=True))
    assert levels <= {0, 1, 2, 3}


def test_each_session_relieves_pain_and_most_courses_improve(demo):
    pain = defaultdict(dict)
    rows = Measurement.objects.filter(
        record__session__practice=demo, measure__code="pain"
    ).values_list("record__session__course_id", "record__session__starts_at", "moment", "value")
    for course_id, starts_at, moment, value in rows:
        pain[course_id].setdefault(starts_at, {})[moment] = float(value)
    improving = long_courses = 0
    for by_session in pain.values():
        series = [by_session[t] for t in sorted(by_session)]
        assert all(v["after"] < v["before"] for v in series)
        before = [v["before"] for v in series]
        if len(before) >= 4:
            long_courses += 1
            improving += sum(before[-2:]) < sum(before[:2])
    assert long_courses >= 15
    assert improving / long_courses >= 0.6


def test_finished_courses_give_the_practice_history(demo):
    finished = Course.objects.filter(practice=demo, status=Course.Status.COMPLETED)
    assert 10 <= finished.count() <= 20
    assert not Session.objects.filter(course__in=finished, status="booked").exists()
    assert {c.goal_measure.code for c in Course.objects.filter(practice=demo)} == {"pain"}


def test_if_empty_leaves_an_existing_demo_alone(demo):
    counts = (Client.objects.count(), Session.objects.count(), Measurement.objects.count())
    out = seed("--if-empty")
    assert "nothing to do" in out
    assert (Client.objects.count(), Session.objects.count(), Measurement.objects.count()) == counts
    with pytest.raises(CommandError):
        seed()


def test_reset_rebuilds_it_and_the_seed_decides_the_names(demo):
    names = sorted(Client.objects.values_list("last_name", "first_name"))
    with time_machine.travel(WEDNESDAY_10_30, tick=False):
        seed("--reset", "--seed", "1")
    assert sorted(Client.objects.values_list("last_name", "first_name")) == names
    assert Practice.objects.filter(slug="demo").count() == 1
    assert StaffMember.objects.count() == 5


@pytest.mark.django_db
def test_it_fills_today_even_on_a_sunday_with_a_dst_change():
    with time_machine.travel(datetime(2026, 3, 29, 15, 0, tzinfo=BERLIN), tick=False):
        out = seed("--clients", "20", "--seed", "7")
    assert "20 clients" in out
    today = Session.objects.filter(
        starts_at__date="2026-03-29"
    )  # UTC date equals local date within 08:00–18:00 in Berlin
    assert today.count() >= 4


def test_the_output_lists_every_login_as_typed(db):
    with time_machine.travel(WEDNESDAY_10_30, tick=False):
        out = seed()
    assert "clara.weber@example.org / backcourse-demo" in out
    assert "desk / backcourse-demo" in out and "owner / backcourse-demo" in out
    assert "anna, ben, carla / backcourse-demo" in out and "admin / backcourse-demo" in out


def test_the_client_signs_in_with_the_email_address_the_banner_shows(demo, client):
    from django.urls import reverse

    response = client.post(
        reverse("portal:login"), {"email": "clara.weber@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("portal:home")).status_code == 200


def test_today_shows_a_red_flag_and_an_unsigned_consent(demo, client):
    from django.urls import reverse

    from backcourse.clients.screening import flags_by_client

    today = WEDNESDAY_10_30.date()
    todays = Client.objects.filter(
        sessions__starts_at__date=today, sessions__status=Session.Status.BOOKED
    ).distinct()
    flagged = [
        c for c in todays if any(f.is_red_flag for f in flags_by_client([c.pk]).get(c.pk, []))
    ]
    unsigned = [c for c in todays if consent_missing(c)]
    assert len(flagged) == 1 and len(unsigned) == 1 and flagged != unsigned
    client.force_login(User.objects.get(username="anna"))
    with time_machine.travel(WEDNESDAY_10_30, tick=False):
        html = client.get(reverse("scheduling:day") + "?therapist=all").text
    assert "Red flag (1)" in html


def test_reanchoring_moves_the_demo_to_today(demo):
    def local_days(status):
        return Counter(
            s.starts_at.astimezone(BERLIN).date()
            for s in Session.objects.filter(practice=demo, status=status)
        )

    before_today = local_days(Session.Status.BOOKED)[WEDNESDAY_10_30.date()]
    completed_before = Session.objects.filter(status=Session.Status.COMPLETED).count()
    starts = {s.pk: s.starts_at.astimezone(BERLIN) for s in Session.objects.all()}
    # Same day: nothing moves.
    with time_machine.travel(WEDNESDAY_10_30.replace(hour=22), tick=False):
        assert "moved" not in seed("--if-empty", "--reanchor")
    # Four days later, across no DST change: every session moves by four local days.
    later = datetime(2026, 11, 29, 9, tzinfo=BERLIN)
    with time_machine.travel(later, tick=False):
        out = seed("--if-empty", "--reanchor")
        assert "moved 4 days" in out and "clara.weber@example.org" in out
        assert local_days(Session.Status.BOOKED)[later.date()] == before_today
        assert Session.objects.filter(status=Session.Status.COMPLETED).count() == completed_before
        for s in Session.objects.all():
            old = starts[s.pk]
            new = s.starts_at.astimezone(BERLIN)
            assert (new.date() - old.date()).days == 4 and new.time() == old.time()
        # and a second run the same day does nothing
        assert "moved" not in seed("--if-empty", "--reanchor")


def test_reanchoring_keeps_local_times_across_a_dst_change(db):
    """Made on Friday 23 October 2026 (summer time), opened on Monday 26 October (winter
    time): a 10:00 session stays at 10:00 local."""
    with time_machine.travel(datetime(2026, 10, 23, 9, tzinfo=BERLIN), tick=False):
        seed()
    starts = {s.pk: s.starts_at.astimezone(BERLIN) for s in Session.objects.all()}
    with time_machine.travel(datetime(2026, 10, 26, 9, tzinfo=BERLIN), tick=False):
        seed("--if-empty", "--reanchor")
    for s in Session.objects.all():
        assert s.starts_at.astimezone(BERLIN).time() == starts[s.pk].time()
