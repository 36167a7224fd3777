"""Every path that changes a session meets the same rule with the same message.

The paths: the day view's status buttons, the staff booking form, the public booking
(request and confirmation), the series page, moving (staff and client), cancelling
(staff, day view and client), the API, the client's check-in and marking a no-show.
Each test takes one rule and one bad change, tries it on every path that can make
it, and checks that each refuses with the same sentence and changes nothing.
"""

import re
import tokenize
from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils.http import urlencode

from backcourse.booking.pending import confirm_token
from backcourse.portal.services import PortalError, checkin_save
from backcourse.scheduling import errors
from backcourse.scheduling.models import PendingBooking, Session, SessionType, WorkingHours
from backcourse.scheduling.services import session_book
from tests import factories as f

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 6, 1, 8, 0, tzinfo=BERLIN)  # Monday morning


def local(day, hh, mm=0):
    return datetime(2026, 6, day, hh, mm, tzinfo=BERLIN)


def message(code, **params):
    return str(errors.MESSAGES[code]) % params if params else str(errors.MESSAGES[code])


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def hours_a(therapist_a):
    for weekday in range(5):
        WorkingHours.objects.create(
            therapist=therapist_a, weekday=weekday, start_time=time(9), end_time=time(12)
        )


@pytest.fixture
def massage(practice_a):
    return SessionType.objects.create(practice=practice_a, name="Back massage", duration_minutes=60)


@pytest.fixture
def friday_a(course_a, hours_a, massage):
    """client_a's session on Friday 5 June, 10:00 Berlin."""
    return f.SessionFactory(course=course_a, starts_at=local(5, 10), session_type=massage)


@pytest.fixture
def taken(practice_a, therapist_a, hours_a):
    """Wednesday 3 June, 10:00 Berlin: therapist_a treats somebody else."""
    other = f.ClientFactory(practice=practice_a)
    course = f.CourseFactory(client=other, therapist=therapist_a)
    return f.SessionFactory(course=course, starts_at=local(3, 10))


@pytest.fixture
def client_a_web(client_a):
    """client_a signed in to their own pages, consent not required (no texts)."""
    from django.test import Client

    user = f.UserFactory(email=client_a.email)
    client_a.user = user
    client_a.save(update_fields=["user"])
    web = Client()
    web.force_login(user)
    return web


@pytest.fixture
def staff_web(therapist_a):
    from django.test import Client

    web = Client()
    web.force_login(therapist_a.user)
    return web


def flashed(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- The ways to ask for a time -----------------------------------------------------


def staff_form(web, *, therapist, client, when, **extra):
    local_when = when.astimezone(BERLIN)
    return web.post(
        reverse("scheduling:session_create"),
        {
            "therapist": therapist.pk,
            "client": client.pk,
            "course": "",
            "room": "",
            "date": local_when.date().isoformat(),
            "time": local_when.strftime("%H:%M"),
            "duration_minutes": 60,
            **extra,
        },
    )


def public_request(web, *, practice, kind, therapist, when):
    url = reverse("booking:start", kwargs={"slug": practice.slug})
    query = urlencode({"type": kind.pk, "therapist": therapist.pk, "slot": when.isoformat()})
    return web.post(
        f"{url}?{query}",
        {"first_name": "Rita", "last_name": "Roth", "email": "rita@example.org", "phone": ""},
    )


def series_page(web, *, course, kind, therapist, when):
    local_when = when.astimezone(BERLIN)
    return web.post(
        reverse("booking:series", kwargs={"course_pk": course.pk}),
        {
            "session_type": kind.pk,
            "therapist": therapist.pk,
            "room": "",
            "first_date": local_when.date().isoformat(),
            "first_time": local_when.strftime("%H:%M"),
            "intensive_count": 1,
            "intensive_every_days": 7,
            "maintenance_count": 0,
            "maintenance_cadence": "monthly",
            "maintenance_every_days": 28,
            "action": "check",
        },
    )


def staff_move(web, session, when):
    local_when = when.astimezone(BERLIN)
    return web.post(
        reverse("booking:session_change", kwargs={"pk": session.pk}),
        {
            "action": "reschedule",
            "day": local_when.date().isoformat(),
            "at": local_when.strftime("%H:%M"),
        },
    )


def client_move(web, session, when):
    return web.post(
        reverse("portal:reschedule", args=[session.pk]),
        {"starts_at": when.astimezone(UTC).isoformat()},
    )


def day_button(web, session, status):
    return web.post(
        reverse("scheduling:session_status", args=[session.pk]), {"status": status}, follow=True
    )


def change_page(web, session, action):
    return web.post(
        reverse("booking:session_change", kwargs={"pk": session.pk}), {"action": action}
    )


# --- Rule: a time the therapist is busy is taken ------------------------------------


def test_a_taken_time_is_refused_with_one_message_on_every_path(
    staff_web, client_a_web, practice_a, therapist_a, client_a, course_a, massage, friday_a, taken
):
    said = message(errors.TAKEN)
    when = taken.starts_at
    sessions_before = Session.objects.count()

    assert said in staff_form(staff_web, therapist=therapist_a, client=client_a, when=when).text
    assert (
        said
        in public_request(
            staff_web.__class__(),
            practice=practice_a,
            kind=massage,
            therapist=therapist_a,
            when=when,
        ).text
    )
    series = series_page(staff_web, course=course_a, kind=massage, therapist=therapist_a, when=when)
    assert said in series.text
    assert said in staff_move(staff_web, friday_a, when).text
    assert said in client_move(client_a_web, friday_a, when).text

    assert Session.objects.count() == sessions_before
    assert not PendingBooking.objects.exists()
    friday_a.refresh_from_db()
    assert friday_a.starts_at == local(5, 10)


def test_a_time_taken_between_request_and_confirmation_says_the_same(
    client, practice_a, therapist_a, massage, hours_a
):
    pending = PendingBooking.objects.create(
        practice=practice_a,
        session_type=massage,
        therapist=therapist_a,
        starts_at=local(4, 10),
        first_name="Rita",
        last_name="Roth",
        email="rita@example.org",
    )
    other = f.ClientFactory(practice=practice_a)
    session_book(practice=practice_a, therapist=therapist_a, client=other, starts_at=local(4, 10))
    url = reverse(
        "booking:confirm", kwargs={"slug": practice_a.slug, "token": confirm_token(pending)}
    )
    response = client.post(url)
    assert response.status_code == 409
    assert message(errors.TAKEN) in response.text


# --- Rule: only inside the therapist's working hours --------------------------------


def test_outside_working_hours_is_refused_with_one_message_on_every_path(
    staff_web, client_a_web, practice_a, therapist_a, client_a, course_a, massage, friday_a
):
    said = "This time is outside the therapist&#x27;s working hours."
    assert message(errors.OUTSIDE_HOURS) == said.replace("&#x27;", "'")
    when = local(3, 15)  # Wednesday 15:00, hours end at 12:00

    form = staff_form(staff_web, therapist=therapist_a, client=client_a, when=when)
    assert said in form.text
    assert form.context["overridable"] == errors.OUTSIDE_HOURS  # staff may, after confirming
    assert (
        said
        in public_request(
            staff_web.__class__(),
            practice=practice_a,
            kind=massage,
            therapist=therapist_a,
            when=when,
        ).text
    )
    series = series_page(staff_web, course=course_a, kind=massage, therapist=therapist_a, when=when)
    assert said in series.text
    assert said in staff_move(staff_web, friday_a, when).text
    assert said in client_move(client_a_web, friday_a, when).text

    assert Session.objects.count() == 1
    friday_a.refresh_from_db()
    assert friday_a.starts_at == local(5, 10)


# --- Rule: no no-show before the start ----------------------------------------------


def test_no_no_show_before_the_start_on_every_path(staff_web, friday_a):
    said = message(errors.NOT_STARTED, new="No-show")
    day = day_button(staff_web, friday_a, "no_show")
    assert said in flashed(day) or said in day.text
    change = change_page(staff_web, friday_a, "no_show")
    assert said in change.text
    friday_a.refresh_from_db()
    assert friday_a.status == Session.Status.BOOKED
    with time_machine.travel(local(5, 10, 15), tick=False):
        assert change_page(staff_web, friday_a, "no_show").status_code == 302
    friday_a.refresh_from_db()
    assert friday_a.status == Session.Status.NO_SHOW


# --- Rule: a cancelled session stays cancelled --------------------------------------


def test_a_cancelled_session_cannot_come_back_on_any_path(
    staff_web, client_a_web, friday_a, client
):
    # The client cancels in time (Friday is days away).
    client_a_web.post(reverse("portal:cancel", args=[friday_a.pk]))
    friday_a.refresh_from_db()
    assert friday_a.status == Session.Status.CANCELLED

    again = message(errors.SAME_STATUS, new="Cancelled")
    assert again in flashed(day_button(staff_web, friday_a, "cancelled"))
    assert again in change_page(staff_web, friday_a, "cancel").text
    cancel_again = client_a_web.post(reverse("portal:cancel", args=[friday_a.pk]), follow=True)
    assert message(errors.NOT_CHANGEABLE_ONLINE) in cancel_again.text

    back = message(errors.NOT_ALLOWED, old="Cancelled", new="Checked in")
    assert back in flashed(day_button(staff_web, friday_a, "checked_in"))
    with time_machine.travel(local(5, 9), tick=False):
        with pytest.raises(PortalError) as exc:
            checkin_save(session=friday_a, pain=4, stress=3)
        assert str(exc.value) == back
        assert (
            message(errors.NOT_ALLOWED, old="Cancelled", new="No-show")
            in change_page(staff_web, friday_a, "no_show").text
        )
    assert message(errors.NOT_MOVABLE) in staff_move(staff_web, friday_a, local(4, 10)).text
    friday_a.refresh_from_db()
    assert friday_a.status == Session.Status.CANCELLED
    assert friday_a.starts_at == local(5, 10)


# --- Rule: a record only for a session that has started -----------------------------


def test_no_record_before_the_start_from_the_form_or_the_api(staff_web, friday_a, therapist_a):
    from backcourse.api.services import api_token_create
    from backcourse.records.models import SessionRecord

    said = message(errors.RECORD_TOO_EARLY)
    form = staff_web.post(
        reverse("records:edit", args=[friday_a.pk]), {"version": "0", "m_pain_before": "6"}
    )
    assert said in form.text
    token = api_token_create(staff=therapist_a, name="Scale")[1]
    api = staff_web.__class__().post(
        f"/api/v1/sessions/{friday_a.pk}/measures",
        {"pain_before": 6},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert api.status_code == 409 and api.json()["detail"] == said
    assert not SessionRecord.objects.exists()
    friday_a.refresh_from_db()
    assert friday_a.status == Session.Status.BOOKED


# --- One writer: nothing outside scheduling/services.py writes a session -------------

BACKCOURSE = Path(__file__).resolve().parent.parent / "backcourse"


def _code(path: Path) -> str:
    """The file's code without comments and string literals (docstrings name the
    forbidden calls when they explain why they are forbidden)."""
    out = []
    with path.open("rb") as fh:
        for tok in tokenize.tokenize(fh.readline):
            if tok.type in (tokenize.COMMENT, tokenize.STRING, tokenize.ENCODING):
                continue
            out.append(tok.string)
    return " ".join(out)


def _python_files(*, skip: tuple[str, ...]) -> list[tuple[str, str]]:
    files = []
    for path in sorted(BACKCOURSE.rglob("*.py")):
        name = path.relative_to(BACKCOURSE).as_posix()
        if "/migrations/" in name or name in skip:
            continue
        files.append((name, _code(path)))
    return files


SESSION_WRITES = re.compile(
    r"\bSession \( "  # a new Session(...) instance
    r"|\bSession \. objects \. (create|bulk_create|bulk_update|get_or_create|update_or_create)\b"
    r"|\bSession \. objects [^\n]*?\. update \("  # a queryset UPDATE of sessions
    r"|\. status = Session \. Status\b"  # setting a status by hand
    r"|\bs(ession)? \. save \("
)


def test_only_the_scheduling_service_creates_or_changes_sessions():
    offenders = [
        f"{name}: {match.group(0)}"
        for name, code in _python_files(skip=("scheduling/services.py", "scheduling/models.py"))
        for match in SESSION_WRITES.finditer(code)
    ]
    assert offenders == []


def test_the_grep_for_session_writes_would_catch_them():
    """The pattern above is not vacuous: it finds the service's own writes."""
    code = _code(BACKCOURSE / "scheduling" / "services.py")
    found = {m.group(0) for m in SESSION_WRITES.finditer(code)}
    assert "Session ( " in found and any(f.endswith("save (") for f in found)


# --- Rule: a booking's rows belong to the practice ------------------------------------


def test_a_therapist_of_another_practice_is_refused_alike_online_and_by_staff(
    practice_a, therapist_b, client_a, massage, hours_a
):
    from backcourse.booking.pending import pending_booking_create
    from backcourse.scheduling.errors import SchedulingError

    when = local(3, 10)
    with pytest.raises(SchedulingError) as online:
        pending_booking_create(
            practice=practice_a,
            session_type=massage,
            therapist=therapist_b,
            starts_at=when,
            first_name="Rita",
            last_name="Roth",
            email="rita@example.org",
        )
    with pytest.raises(SchedulingError) as staff:
        session_book(
            practice=practice_a,
            therapist=therapist_b,
            client=client_a,
            session_type=massage,
            starts_at=when,
            by=therapist_b.user,
        )
    assert online.value.code == staff.value.code == errors.OTHER_PRACTICE
    assert online.value.message == staff.value.message == message(errors.OTHER_PRACTICE)
    assert not PendingBooking.objects.exists() and not Session.objects.exists()


def test_a_public_request_meets_the_bookings_slot_rules(practice_a, therapist_a, massage, hours_a):
    from backcourse.booking.pending import pending_booking_create
    from backcourse.scheduling.errors import SchedulingError

    with pytest.raises(SchedulingError) as exc:
        pending_booking_create(
            practice=practice_a,
            session_type=massage,
            therapist=therapist_a,
            starts_at=local(3, 11, 30),  # runs past the end of hours at 12:00
            first_name="Rita",
            last_name="Roth",
            email="rita@example.org",
        )
    assert exc.value.code == errors.OUTSIDE_HOURS
    assert not PendingBooking.objects.exists()


def test_one_loader_reads_the_rules_of_free_time():
    """Hours, breaks and time off are read for free time in scheduling/selectors.py
    alone (`calendar_load`, and `slot_problems` for one slot); the owner's settings
    pages edit them and the demo writes them."""
    reads = re.compile(r"\b(WorkingHours|Break|TimeOff) \. objects \. (filter|all|values)")
    offenders = [
        f"{name}: {match.group(0)}"
        for name, code in _python_files(skip=("scheduling/selectors.py",))
        if not name.startswith(("setup/", "demo/"))
        for match in reads.finditer(code)
    ]
    # The calendar grid's time axis (earliest start, latest end: one aggregate) is not
    # free time.
    assert offenders == ["calendar/selectors.py: WorkingHours . objects . filter"]


# --- One place builds every email; requests queue, workers send -----------------------


def test_every_email_is_built_in_notifications_emails():
    built = re.compile(r"\b(EmailMessage|EmailMultiAlternatives) \(|(?<!def )\bsend_mail \(")
    offenders = [
        name
        for name, code in _python_files(skip=("notifications/emails.py",))
        if built.search(code)
    ]
    # The email worker turns the queued data back into the message it was.
    assert offenders == ["notifications/tasks.py"]


def test_only_workers_send_email():
    """A request queues (notifications/outbox.py); the `.send()` of a message happens in
    the email task, the reminder worker and the billing worker only."""
    sends = re.compile(r"\. send \( \)")
    senders = sorted(name for name, code in _python_files(skip=()) if sends.search(code))
    assert senders == [
        "billing/documents.py",
        "notifications/services.py",
        "notifications/tasks.py",
    ]


def test_only_the_record_writer_writes_records():
    """records/services.py is the one writer of a session record and its measures (the
    form, the API, the check-in and the demo go through it)."""
    writes = re.compile(
        r"\b(SessionRecord|Measurement|TensionReading) \( "
        r"|\b(SessionRecord|Measurement|TensionReading) \. objects \. "
        r"(create|bulk_create|bulk_update|get_or_create|update_or_create)\b"
        r"|\b(SessionRecord|Measurement|TensionReading) \. objects [^\n]*?\. update \("
    )
    offenders = [
        f"{name}: {match.group(0)}"
        for name, code in _python_files(skip=("records/services.py", "records/models.py"))
        for match in writes.finditer(code)
    ]
    assert offenders == []


@pytest.fixture
def room_and_client_a_busy(practice_a, client_a, hours_a):
    """Wednesday 3 June, 10:00: client_a is with another therapist of practice_a, in a
    room; Thursday 4 June the practice is closed."""
    from backcourse.closures.models import ClosureDay

    colleague = f.StaffFactory(practice=practice_a)
    WorkingHours.objects.create(
        therapist=colleague, weekday=2, start_time=time(9), end_time=time(12)
    )
    room = f.RoomFactory(practice=practice_a)
    session_book(
        practice=practice_a, therapist=colleague, client=client_a, starts_at=local(3, 10), room=room
    )
    ClosureDay.objects.create(practice=practice_a, day=local(4, 10).date())
    return room


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("client_busy", errors.CLIENT_BUSY),
        ("room_taken", errors.ROOM_TAKEN),
        ("closed", errors.CLOSED),
        ("outside_hours", errors.OUTSIDE_HOURS),
    ],
)
def test_a_series_date_gets_the_same_message_in_the_preview_and_when_booked(
    case, code, practice_a, therapist_a, client_a, course_a, massage, room_and_client_a_busy
):
    """The series preview asks the booking service about each date, so the same bad
    date reads the same on the plan, when the series is booked, and booked alone."""
    from backcourse.scheduling import series
    from backcourse.scheduling.errors import SchedulingError

    course, room, when = course_a, None, local(3, 10)
    if case == "room_taken":
        other = f.ClientFactory(practice=practice_a)
        course = f.CourseFactory(client=other, therapist=therapist_a)
        room = room_and_client_a_busy
    elif case == "closed":
        when = local(4, 10)
    elif case == "outside_hours":
        when = local(3, 15)
    sessions_before = Session.objects.count()
    plan = series.series_plan(
        practice=practice_a,
        therapist=therapist_a,
        client=course.client,
        session_type=massage,
        starts=[when, local(8, 10)],
        room=room,
    )
    with pytest.raises(SchedulingError) as alone:
        session_book(
            practice=practice_a,
            therapist=therapist_a,
            client=course.client,
            course=course,
            session_type=massage,
            starts_at=when,
            room=room,
            by=therapist_a.user,
        )
    with pytest.raises(SchedulingError) as booked:
        series.series_book(
            practice=practice_a,
            course=course,
            therapist=therapist_a,
            session_type=massage,
            starts=[when, local(8, 10)],
            room=room,
            by=therapist_a.user,
        )
    assert alone.value.code == booked.value.code == code
    assert plan[0].problem == alone.value.message == message(code)
    assert message(code) in booked.value.message
    assert plan[1].ok
    assert Session.objects.count() == sessions_before


@pytest.mark.parametrize(
    ("when", "code"),
    [
        (local(1, 7), errors.PAST),  # Monday 07:00, it is 08:00
        (local(4, 10), errors.CLOSED),  # the practice's closure day (a future time)
        (local(3, 10), errors.TAKEN),  # therapist_a busy, the colleague too
    ],
)
def test_any_therapist_online_gets_the_booking_services_refusal(
    when, code, practice_a, therapist_a, client_a, massage, room_and_client_a_busy
):
    """Nobody free for an "any therapist" request: the reason is the booking service's,
    the same sentence staff get booking that time with the therapist."""
    from backcourse.booking.pending import pending_booking_create
    from backcourse.scheduling.errors import SchedulingError

    other = f.ClientFactory(practice=practice_a)
    if code == errors.TAKEN:
        session_book(practice=practice_a, therapist=therapist_a, client=other, starts_at=when)
    with pytest.raises(SchedulingError) as online:
        pending_booking_create(
            practice=practice_a,
            session_type=massage,
            therapist=None,
            starts_at=when,
            first_name="Rita",
            last_name="Roth",
            email="rita@example.org",
        )
    with pytest.raises(SchedulingError) as staff:
        session_book(
            practice=practice_a,
            therapist=therapist_a,
            client=f.ClientFactory(practice=practice_a),
            session_type=massage,
            starts_at=when,
            by=therapist_a.user,
        )
    assert online.value.code == staff.value.code == code
    assert online.value.message == staff.value.message == message(code)
    assert not PendingBooking.objects.exists()


def test_any_therapist_online_is_refused_as_taken_when_the_nearest_is_busy(
    practice_a, therapist_a, massage, hours_a
):
    """15:00: therapist_a has gone home (hours end 12:00), the colleague (hours until
    18:00) is busy. "Taken" is the colleague's refusal, the one closest to free."""
    from backcourse.booking.pending import pending_booking_create
    from backcourse.scheduling.errors import SchedulingError

    colleague = f.StaffFactory(practice=practice_a)
    WorkingHours.objects.create(
        therapist=colleague, weekday=2, start_time=time(9), end_time=time(18)
    )
    other = f.ClientFactory(practice=practice_a)
    session_book(practice=practice_a, therapist=colleague, client=other, starts_at=local(3, 15))
    with pytest.raises(SchedulingError) as online:
        pending_booking_create(
            practice=practice_a,
            session_type=massage,
            therapist=None,
            starts_at=local(3, 15),
            first_name="Rita",
            last_name="Roth",
            email="rita@example.org",
        )
    assert online.value.message == message(errors.TAKEN)
    assert not PendingBooking.objects.exists()
