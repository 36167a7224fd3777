"""Day and week views, booking a session, status buttons."""

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from backcourse.scheduling.models import Session, WorkingHours
from tests import factories as f

pytestmark = pytest.mark.django_db

DAY = reverse("scheduling:day")
WEEK = reverse("scheduling:week")
NEW = reverse("scheduling:session_create")


@pytest.fixture
def session_a(course_a):
    """Clara's session on Monday 2 Nov 2026, 09:00 UTC (10:00 in Berlin)."""
    return f.SessionFactory(course=course_a, starts_at=datetime(2026, 11, 2, 9, tzinfo=UTC))


AFTER_BOTH = datetime(2026, 11, 10, 12, tzinfo=UTC)  # the sessions below have started


@time_machine.travel(AFTER_BOTH, tick=False)
def test_day_shows_my_session_in_practice_time(as_therapist_a, session_a):
    # 09:00 UTC on 2 Nov 2026 is 10:00 in Berlin.
    r = as_therapist_a.get(DAY, {"date": "2026-11-02"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "Clara Adler" in html
    assert "10:00" in html
    assert reverse("clients:detail", args=[session_a.client_id]) in html
    assert reverse("records:edit", args=[session_a.pk]) in html
    assert "session 1" in html


@time_machine.travel(AFTER_BOTH, tick=False)
def test_day_numbers_sessions_in_course_and_labels_record_button(as_therapist_a, course_a):
    from backcourse.records.models import SessionRecord

    first = f.SessionFactory(course=course_a, starts_at=datetime(2026, 11, 2, 8, tzinfo=UTC))
    second = f.SessionFactory(course=course_a, starts_at=datetime(2026, 11, 9, 8, tzinfo=UTC))
    SessionRecord.objects.create(session=first)
    html = as_therapist_a.get(DAY, {"date": "2026-11-09"}).content.decode()
    assert "session 2 of 8" in html
    assert "Record" in html and "Edit record" not in html
    html = as_therapist_a.get(DAY, {"date": "2026-11-02"}).content.decode()
    assert "Edit record" in html
    assert second.pk  # numbered against the first


@time_machine.travel(AFTER_BOTH, tick=False)
def test_a_missed_or_cancelled_session_shows_no_number_in_its_course(as_therapist_a, course_a):
    f.SessionFactory(course=course_a, starts_at=datetime(2026, 11, 2, 8, tzinfo=UTC))
    f.SessionFactory(
        course=course_a, starts_at=datetime(2026, 11, 2, 10, tzinfo=UTC), status="no_show"
    )
    f.SessionFactory(
        course=course_a, starts_at=datetime(2026, 11, 2, 12, tzinfo=UTC), status="cancelled"
    )
    html = as_therapist_a.get(DAY, {"date": "2026-11-02"}).content.decode()
    assert "session 1 of 8" in html
    assert "None" not in html and "session 2" not in html
    week = as_therapist_a.get(WEEK, {"start": "2026-11-02"}).content.decode()
    assert "#1" in week
    assert "None" not in week and "#2" not in week


def test_day_of_another_date_hides_the_session(as_therapist_a, session_a):
    r = as_therapist_a.get(DAY, {"date": "2026-11-03"})
    assert "Clara Adler" not in r.content.decode()


def test_day_uses_local_midnight_not_utc(as_therapist_a, course_a):
    # 23:30 UTC on 2 Nov is 00:30 on 3 Nov in Berlin.
    f.SessionFactory(course=course_a, starts_at=datetime(2026, 11, 2, 23, 30, tzinfo=UTC))
    assert "Clara Adler" not in as_therapist_a.get(DAY, {"date": "2026-11-02"}).content.decode()
    assert "00:30" in as_therapist_a.get(DAY, {"date": "2026-11-03"}).content.decode()


def test_bad_date_falls_back_to_today(as_therapist_a):
    assert as_therapist_a.get(DAY, {"date": "2026-13-45"}).status_code == 200


def test_day_shows_only_my_sessions_unless_all(as_therapist_a, practice_a, session_a):
    colleague = f.StaffFactory(practice=practice_a, display_name="Carl Colleague")
    other_client = f.ClientFactory(practice=practice_a, first_name="Olga", last_name="Other")
    course = f.CourseFactory(client=other_client, therapist=colleague)
    f.SessionFactory(course=course, starts_at=datetime(2026, 11, 2, 12, tzinfo=UTC))
    mine = as_therapist_a.get(DAY, {"date": "2026-11-02"}).content.decode()
    assert "Clara Adler" in mine and "Olga Other" not in mine
    everyone = as_therapist_a.get(DAY, {"date": "2026-11-02", "therapist": "all"}).content.decode()
    assert "Clara Adler" in everyone and "Olga Other" in everyone
    theirs = as_therapist_a.get(
        DAY, {"date": "2026-11-02", "therapist": colleague.pk}
    ).content.decode()
    assert "Clara Adler" not in theirs and "Olga Other" in theirs


def test_a_colleague_who_no_longer_takes_sessions_keeps_their_name_on_their_sessions(
    as_therapist_a, practice_a, session_a
):
    colleague = f.StaffFactory(practice=practice_a, display_name="Carl Colleague")
    other_client = f.ClientFactory(practice=practice_a, first_name="Olga", last_name="Other")
    course = f.CourseFactory(client=other_client, therapist=colleague)
    f.SessionFactory(course=course, starts_at=datetime(2026, 11, 2, 12, tzinfo=UTC))
    colleague.takes_sessions = False
    colleague.save()
    params = {"date": "2026-11-02", "therapist": "all"}
    everyone = as_therapist_a.get(DAY, params).content.decode()
    assert "Olga Other" in everyone and "Carl Colleague" in everyone
    # not among the filter's choices any more, but still the name on their sessions
    options = everyone.split('name="therapist"', 1)[1].split("</select>", 1)[0]
    assert "Carl Colleague" not in options
    week = as_therapist_a.get(WEEK, {"start": "2026-11-02", "therapist": "all"}).content.decode()
    assert "Olga Other" in week and "Carl Colleague" in week


def test_week_lists_sessions_by_day(as_therapist_a, session_a):
    r = as_therapist_a.get(WEEK, {"start": "2026-11-04"})  # a Wednesday: week of Mon 2 Nov
    assert r.status_code == 200
    html = r.content.decode()
    assert "Mon 2 Nov" in html and "Sun 8 Nov" in html
    assert "Clara Adler" in html
    assert reverse("records:edit", args=[session_a.pk]) in html


def test_day_cards_show_the_newest_intakes_flags_and_the_missing_forms(
    as_therapist_a, practice_a, course_a
):
    """The newest intake (read with the sessions) gives both the red-flag badge and the
    forms badge; a client without one has the intake missing."""
    from backcourse.clients.models import Intake
    from backcourse.clients.screening import screening_questions_default
    from backcourse.portal.services import intake_submit

    booked = datetime(2026, 11, 20, 9, tzinfo=UTC)
    f.SessionFactory(course=course_a, starts_at=booked)
    other = f.ClientFactory(practice=practice_a, first_name="Nora", last_name="New")
    course = f.CourseFactory(client=other, therapist=course_a.therapist)
    f.SessionFactory(course=course, starts_at=booked + timedelta(hours=2))
    screening_questions_default(practice_a)
    questions = list(practice_a.screening_questions.all())
    old = Intake.objects.create(client=course_a.client, complaint="Old")
    Intake.objects.filter(pk=old.pk).update(submitted_at=datetime(2026, 1, 1, tzinfo=UTC))
    intake_submit(
        client=course_a.client,
        complaint="Neck",
        regions=[],
        history="",
        medication="",
        answers={q.pk: q.code == "fever" for q in questions},
    )
    with time_machine.travel(datetime(2026, 11, 19, 12, tzinfo=UTC), tick=False):
        html = as_therapist_a.get(DAY, {"date": "2026-11-20"}).content.decode()
    clara = html[html.index("Clara Adler") :]
    assert "Red flag (1)" in clara[:900]
    nora = html[html.index("Nora New") :]
    assert "Red flag" not in nora[:900] and "Intake not filled in" in nora[:900]


def test_week_entries_escape_what_they_show(as_therapist_a, session_a):
    """The week's entries are written in Python, not by the template: escaped."""
    client, course = session_a.client, session_a.course
    client.first_name = '<i>Clara</i> & "C"'
    client.save(update_fields=["first_name"])
    course.complaint = "<b>Neck</b>"
    course.save(update_fields=["complaint"])
    session_a.room = f.RoomFactory(practice=session_a.practice, name="<u>Blue</u>")
    session_a.save(update_fields=["room"])
    html = as_therapist_a.get(WEEK, {"start": "2026-11-02"}).content.decode()
    assert "<i>Clara" not in html and "<b>Neck" not in html and "<u>Blue" not in html
    assert "&lt;i&gt;Clara&lt;/i&gt; &amp; &quot;C&quot; Adler</a>" in html
    assert "&lt;b&gt;Neck&lt;/b&gt;</a> · #1</div>" in html
    assert "&lt;u&gt;Blue&lt;/u&gt; · <span" in html


def test_day_and_week_show_nothing_of_another_practice(as_therapist_b, session_a):
    for url, params in ((DAY, {"date": "2026-11-02"}), (WEEK, {"start": "2026-11-02"})):
        html = as_therapist_b.get(url, {**params, "therapist": "all"}).content.decode()
        assert "Clara Adler" not in html


# --- Booking ------------------------------------------------------------------------


@pytest.fixture
def room_a(practice_a):
    return f.RoomFactory(practice=practice_a, name="Garden")


def _weekdays_8_to_18(therapist):
    for weekday in range(5):
        WorkingHours.objects.create(
            therapist=therapist, weekday=weekday, start_time=time(8), end_time=time(18)
        )


@pytest.fixture
def hours_a(therapist_a):
    _weekdays_8_to_18(therapist_a)


@pytest.fixture
def sunday_1_nov():
    """The clock stands on Sunday 1 Nov 2026, 12:00 UTC: the bookings below are ahead."""
    with time_machine.travel(datetime(2026, 11, 1, 12, tzinfo=UTC), tick=False):
        yield


def _post(client, data, **query):
    url = NEW + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
    return client.post(url, data)


def _booking(therapist, client, course=None, room=None, **over):
    data = {
        "therapist": therapist.pk,
        "client": client.pk,
        "course": course.pk if course else "",
        "room": room.pk if room else "",
        "date": "2026-11-10",
        "time": "14:30",
        "duration_minutes": 60,
    }
    data.update(over)
    return data


def test_booking_form_is_prefilled_from_course(as_therapist_a, course_a):
    r = as_therapist_a.get(NEW, {"course": course_a.pk})
    assert r.status_code == 200
    form = r.context["form"]
    assert form.initial["course"] == course_a
    assert form.initial["client"] == course_a.client
    assert form.initial["therapist"] == course_a.therapist
    assert list(form.fields["course"].queryset) == [course_a]


def test_booking_form_cancel_leads_where_the_user_may_go(
    client, as_therapist_a, front_desk_a, course_a
):
    """From a course's "Book a session", Cancel goes back to the course page for a
    therapist, and to the client page for front desk, who may not open the course page
    (its complaint and measures are clinical)."""
    course_page = reverse("courses:detail", args=[course_a.pk])
    client_page = reverse("clients:detail", args=[course_a.client_id])
    r = as_therapist_a.get(NEW, {"course": course_a.pk})
    assert f'class="button quiet" href="{course_page}"' in r.content.decode()
    client.force_login(front_desk_a.user)
    r = client.get(NEW, {"course": course_a.pk})
    assert r.status_code == 200
    assert f'class="button quiet" href="{client_page}"' in r.content.decode()
    assert client.get(client_page).status_code == 200
    assert client.get(course_page).status_code == 403


def test_booking_converts_local_time_to_utc(
    as_therapist_a, therapist_a, client_a, course_a, room_a, hours_a, sunday_1_nov
):
    r = _post(as_therapist_a, _booking(therapist_a, client_a, course_a, room_a), course=course_a.pk)
    assert r.status_code == 302
    session = Session.objects.get()
    # 14:30 in Berlin on 10 Nov (winter time, UTC+1) is 13:30 UTC.
    assert session.starts_at == datetime(2026, 11, 10, 13, 30, tzinfo=UTC)
    assert session.ends_at == datetime(2026, 11, 10, 14, 30, tzinfo=UTC)
    assert session.practice == therapist_a.practice
    assert session.room == room_a and session.course == course_a


def test_a_past_session_is_entered_only_after_confirming_and_the_override_is_noted(
    as_therapist_a, therapist_a, client_a, hours_a, sunday_1_nov
):
    data = _booking(therapist_a, client_a, date="2020-01-06")
    r = _post(as_therapist_a, data)
    assert r.status_code == 400
    assert "This time is in the past." in " ".join(r.context["form"].non_field_errors())
    assert r.context["overridable"] == "past"
    assert 'name="override" value="past"' in r.content.decode()
    assert Session.objects.count() == 0
    r = _post(as_therapist_a, {**data, "override": "past"})
    assert r.status_code == 302
    session = Session.objects.get()
    assert session.overrides == "past"
    assert session.overridden_by == therapist_a.user


def test_outside_working_hours_needs_its_own_confirmation(
    as_therapist_a, therapist_a, client_a, hours_a, sunday_1_nov
):
    # Sunday 8 Nov 23:00 in Berlin: nobody works then.
    data = _booking(therapist_a, client_a, date="2026-11-08", time="23:00")
    r = _post(as_therapist_a, {**data, "override": "past"})
    assert r.status_code == 400
    assert "outside the therapist&#x27;s working hours" in r.content.decode()
    assert Session.objects.count() == 0
    r = _post(as_therapist_a, {**data, "override": "outside_hours"})
    assert r.status_code == 302
    assert Session.objects.get().overrides == "outside_hours"


def test_time_off_and_a_taken_time_cannot_be_overridden(
    as_therapist_a, therapist_a, client_a, session_a, hours_a, sunday_1_nov
):
    data = _booking(therapist_a, client_a, date="2026-11-02", time="10:30")
    r = _post(as_therapist_a, {**data, "override": ["taken", "past", "outside_hours"]})
    assert r.status_code == 400
    assert r.context["overridable"] == ""
    assert Session.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("duration_minutes", "5", "greater than or equal to 10"),
        ("duration_minutes", "", "This field is required"),
        ("date", "2026-02-30", "Enter a valid date"),
        ("time", "25:00", "Enter a valid time"),
    ],
)
def test_booking_rejects_bad_input(as_therapist_a, therapist_a, client_a, field, value, message):
    data = _booking(therapist_a, client_a, **{field: value})
    r = _post(as_therapist_a, data)
    assert r.status_code == 400
    assert message in " ".join(r.context["form"].errors[field])
    assert Session.objects.count() == 0
    assert r.context["form"]["client"].value() == str(client_a.pk)  # typed values kept


def test_booking_refuses_course_of_another_client(
    as_therapist_a, therapist_a, practice_a, course_a
):
    someone = f.ClientFactory(practice=practice_a)
    r = _post(as_therapist_a, _booking(therapist_a, someone, course_a))
    assert r.status_code == 400
    assert "another client" in " ".join(r.context["form"].errors["course"])
    assert Session.objects.count() == 0


def test_booking_refuses_objects_of_another_practice(
    as_therapist_a, therapist_a, client_a, therapist_b, client_b
):
    room_b = f.RoomFactory(practice=therapist_b.practice)
    r = _post(as_therapist_a, _booking(therapist_b, client_b, room=room_b))
    assert r.status_code == 400
    errors = r.context["form"].errors
    assert {"therapist", "client", "room"} <= set(errors)
    assert Session.objects.count() == 0


def test_booking_refuses_double_booking_of_therapist(
    as_therapist_a, therapist_a, practice_a, session_a, hours_a, sunday_1_nov
):
    # session_a: 2 Nov 09:00–10:00 UTC = 10:00–11:00 Berlin.
    other = f.ClientFactory(practice=practice_a)
    r = _post(as_therapist_a, _booking(therapist_a, other, date="2026-11-02", time="10:30"))
    assert r.status_code == 400
    assert "This time is already taken." in " ".join(r.context["form"].non_field_errors())
    assert Session.objects.count() == 1


def test_booking_refuses_a_second_session_of_the_client_at_that_time(
    as_therapist_a, practice_a, client_a, session_a, sunday_1_nov
):
    colleague = f.StaffFactory(practice=practice_a)
    _weekdays_8_to_18(colleague)
    r = _post(as_therapist_a, _booking(colleague, client_a, date="2026-11-02", time="10:30"))
    assert r.status_code == 400
    assert "The client already has a session at this time." in r.content.decode()
    assert Session.objects.count() == 1


def test_booking_refuses_double_booking_of_room(
    as_therapist_a, practice_a, therapist_a, client_a, room_a, hours_a, sunday_1_nov
):
    colleague = f.StaffFactory(practice=practice_a)
    _weekdays_8_to_18(colleague)
    assert _post(as_therapist_a, _booking(colleague, client_a, room=room_a)).status_code == 302
    other = f.ClientFactory(practice=practice_a)
    r = _post(as_therapist_a, _booking(therapist_a, other, room=room_a, time="15:00"))
    assert r.status_code == 400
    assert "The room is already taken at this time." in r.content.decode()
    assert Session.objects.count() == 1


def test_cancelled_session_frees_its_slot(
    as_therapist_a, therapist_a, client_a, session_a, hours_a, sunday_1_nov
):
    Session.objects.filter(pk=session_a.pk).update(status=Session.Status.CANCELLED)
    r = _post(as_therapist_a, _booking(therapist_a, client_a, date="2026-11-02", time="10:00"))
    assert r.status_code == 302


def test_booking_right_after_another_is_fine(
    as_therapist_a, therapist_a, client_a, session_a, hours_a, sunday_1_nov
):
    r = _post(as_therapist_a, _booking(therapist_a, client_a, date="2026-11-02", time="11:00"))
    assert r.status_code == 302
    assert Session.objects.count() == 2


def test_booking_a_time_that_does_not_exist(as_therapist_a, therapist_a, client_a):
    # Berlin skips 02:00–03:00 on 29 March 2026.
    r = _post(as_therapist_a, _booking(therapist_a, client_a, date="2026-03-29", time="02:30"))
    assert r.status_code == 400
    assert "does not exist" in " ".join(r.context["form"].errors["time"])


# --- Status buttons ----------------------------------------------------------------


def _status(client, session, status):
    return client.post(
        reverse("scheduling:session_status", args=[session.pk]),
        {"status": status, "next": f"{DAY}?date=2026-11-02"},
    )


@pytest.fixture
def during_session_a():
    """2 Nov 2026, 09:20 UTC: session_a (09:00–10:00 UTC) has begun."""
    with time_machine.travel(datetime(2026, 11, 2, 9, 20, tzinfo=UTC), tick=False):
        yield


@pytest.mark.parametrize("status", ["checked_in", "completed", "no_show", "cancelled"])
def test_status_buttons(as_therapist_a, session_a, status, during_session_a):
    html = as_therapist_a.get(DAY, {"date": "2026-11-02"}).content.decode()
    assert f'value="{status}"' in html
    r = _status(as_therapist_a, session_a, status)
    assert r.status_code == 302
    assert r["Location"] == f"{DAY}?date=2026-11-02"
    session_a.refresh_from_db()
    assert session_a.status == status


def test_cancelled_session_cannot_be_completed(as_therapist_a, session_a, during_session_a):
    _status(as_therapist_a, session_a, "cancelled")
    r = _status(as_therapist_a, session_a, "completed")
    session_a.refresh_from_db()
    assert session_a.status == "cancelled"
    follow = as_therapist_a.get(r["Location"])
    assert "cannot be marked" in follow.content.decode()


def test_unknown_status_changes_nothing(as_therapist_a, session_a):
    _status(as_therapist_a, session_a, "deleted")
    session_a.refresh_from_db()
    assert session_a.status == "booked"


def test_status_change_needs_post(as_therapist_a, session_a):
    r = as_therapist_a.get(reverse("scheduling:session_status", args=[session_a.pk]))
    assert r.status_code == 405


def test_status_redirect_stays_on_site(as_therapist_a, session_a):
    r = as_therapist_a.post(
        reverse("scheduling:session_status", args=[session_a.pk]),
        {"status": "checked_in", "next": "https://evil.example/"},
    )
    assert r["Location"].startswith(DAY)


def test_day_view_query_count_does_not_grow(
    as_therapist_a, course_a, django_assert_max_num_queries
):
    for hour in range(8, 16):
        f.SessionFactory(course=course_a, starts_at=datetime(2026, 11, 2, hour, tzinfo=UTC))
    with django_assert_max_num_queries(12):
        as_therapist_a.get(DAY, {"date": "2026-11-02"})


def test_no_show_is_offered_only_once_a_session_has_started(
    as_therapist_a, course_a, during_session_a
):
    now = timezone.now()
    future = f.SessionFactory(course=course_a, starts_at=now + timedelta(hours=2))
    html = as_therapist_a.get(DAY, {"date": "2026-11-02"}).content.decode()
    assert 'value="no_show"' not in html
    response = as_therapist_a.post(
        reverse("scheduling:session_status", args=[future.pk]), {"status": "no_show"}, follow=True
    )
    future.refresh_from_db()
    assert future.status == "booked"
    assert "has not started yet" in response.content.decode()


def test_buttons_come_from_the_sessions_rules_not_the_template(as_therapist_a, course_a):
    """ "Record" only where the record writer would take it (`Session.record_problem`),
    "Move" only where the move service would (`is_movable`), the status buttons from
    the transition table: a future session offers no Record, a checked-in one no Move."""
    future = f.SessionFactory(course=course_a, starts_at=datetime(2026, 11, 2, 15, tzinfo=UTC))
    started = f.SessionFactory(course=course_a, starts_at=datetime(2026, 11, 2, 8, tzinfo=UTC))
    record_of = {s: reverse("records:edit", args=[s.pk]) for s in (future, started)}
    move_of = {s: reverse("booking:session_change", kwargs={"pk": s.pk}) for s in (future, started)}
    with time_machine.travel(datetime(2026, 11, 2, 8, 30, tzinfo=UTC), tick=False):
        for url in (DAY, WEEK):
            html = as_therapist_a.get(url, {"date": "2026-11-02"}).content.decode()
            assert record_of[started] in html, url
            assert record_of[future] not in html, url
        # The record page refuses the future one, as the missing button said.
        refused = as_therapist_a.post(record_of[future], {"version": "0", "m_pain_before": "6"})
        assert "has not started yet" in refused.content.decode()

        as_therapist_a.post(
            reverse("scheduling:session_status", args=[started.pk]), {"status": "checked_in"}
        )
        started.refresh_from_db()
        assert started.status == Session.Status.CHECKED_IN
        day = as_therapist_a.get(DAY, {"date": "2026-11-02"})
        html = day.content.decode()
        assert move_of[future] in html and move_of[started] not in html
        cards = {s.pk: s for s in day.context["sessions"]}
        assert [st for st, _ in cards[future.pk].buttons] == ["checked_in", "cancelled"]
        assert [st for st, _ in cards[future.pk].buttons] == future.next_statuses(timezone.now())


# A session card as the template `_session_card.html` wrote it before the cards were
# written in Python (scheduling.views._session_cards): the day pages must show the same
# bytes. (Corrected since for a missed or cancelled session, which has no number in
# its course: it said "session None".)
SESSION_CARD_TEMPLATE = """{% load i18n %}<article class="session status-{{ s.status }}">
  <div class="session-time">
    <strong>{{ s.time_label }}</strong>
    <span class="muted">{{ s.end_label }}</span>
  </div>
  <div class="session-main">
    <a class="session-client" href="{{ s.client_url }}">{{ s.client.full_name }}</a>{% if s.clinical %} {% if s.flags %}{% include "portal/_flags_badge.html" with client=s.client flags=s.flags %}{% endif %}{% endif %}
    {% if s.status == 'booked' or s.status == 'checked_in' %}{% if s.forms_missing %}<span class="forms-badge forms-missing">{% if "consent" in s.forms_missing and "intake" in s.forms_missing %}{% translate "Forms not filled in" %}{% elif "consent" in s.forms_missing %}{% translate "Consent not signed" %}{% else %}{% translate "Intake not filled in" %}{% endif %}</span>{% else %}<span class="forms-badge forms-done">{% translate "Forms done" %}</span>{% endif %}{% endif %}
    <div class="session-meta">
      {% if s.course %}{% if s.clinical %}<a href="{{ s.course_url }}">{{ s.course.complaint }}</a>{% else %}{% translate "Course" %}{% endif %}{% if s.number is not None %} · {% blocktranslate with n=s.number %}session {{ n }}{% endblocktranslate %}{% if s.course.planned_sessions %} {% blocktranslate with p=s.course.planned_sessions %}of {{ p }}{% endblocktranslate %}{% endif %}{% endif %}{% else %}<span class="muted">{% translate "No course" %}</span>{% endif %}
    </div>
    <div class="session-meta muted">
      {% if s.room %}{{ s.room.name }}{% else %}{% translate "No room" %}{% endif %}
      {% if show_therapist %} · {{ s.therapist_name }}{% endif %}
    </div>
  </div>
  <div class="session-side">
    <span class="badge badge-{{ s.status }}">{{ s.status_label }}</span>
    {% if s.status != 'cancelled' %}
    {% if s.is_movable %}<a class="button quiet small" href="{{ s.change_url }}">{% translate "Move" %}</a>{% endif %}
    {% if s.record_link %}<a class="button {% if not s.has_record %}primary{% endif %}" href="{{ s.record_url }}">{% if s.has_record %}{% translate "Edit record" %}{% else %}{% translate "Record" %}{% endif %}</a>{% endif %}
    {% endif %}
  </div>
  {% if with_buttons and s.buttons %}
  <form class="session-actions" method="post" action="{{ s.status_url }}">
    {% csrf_token %}<input type="hidden" name="next" value="{{ back_url|default:request.get_full_path }}">
    {% for value, label in s.buttons %}<button type="submit" name="status" value="{{ value }}" class="small{% if value == 'cancelled' or value == 'no_show' %} quiet{% endif %}">{% if value == 'booked' %}{% translate "Undo no-show" %}{% elif value == 'checked_in' %}{% translate "Check in" %}{% elif value == 'completed' %}{% translate "Completed" %}{% elif value == 'no_show' %}{% translate "No-show" %}{% else %}{% translate "Cancel" context "cancel a session" %}{% endif %}</button>{% endfor %}
  </form>
  {% endif %}
</article>
"""  # noqa: E501


@time_machine.travel(datetime(2026, 11, 2, 8, 30, tzinfo=UTC), tick=False)
@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("who", ["therapist", "front desk"])
def test_day_cards_are_the_former_templates_byte_for_byte(
    client, therapist_a, front_desk_a, practice_a, client_a, course_a, language, who
):
    import re

    from django.template import Context, Template
    from django.utils import translation

    from backcourse.clients.models import ConsentRecord, ConsentText, Intake, ScreeningAnswer
    from backcourse.records.models import SessionRecord

    practice_a.language = language
    practice_a.save()
    text = ConsentText.objects.create(
        practice=practice_a,
        kind="treatment",
        version=1,
        text="Consent",
        published_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    client_a.first_name = "<script>alert('x')</script> & \"C\""
    client_a.save()
    course_a.complaint = "<script>alert('y')</script> & neck"
    course_a.save()
    room = f.RoomFactory(practice=practice_a, name="<u>Blue</u>")
    intake = Intake.objects.create(client=client_a, complaint="Back")
    ScreeningAnswer.objects.create(
        intake=intake, kind="red_flag", question_text="Numb <b>saddle</b>?", answer=True
    )
    ConsentRecord.objects.create(client=client_a, text=text, via="portal")

    def other_client(name, *, consent=False, intake=False, contraindication=False):
        c = f.ClientFactory(practice=practice_a, first_name=name, last_name="Z")
        if consent:
            ConsentRecord.objects.create(client=c, text=text, via="portal")
        if intake or contraindication:
            i = Intake.objects.create(client=c, complaint="Hip")
            if contraindication:
                ScreeningAnswer.objects.create(
                    intake=i, kind="contraindication", question_text="Pregnant?", answer=True
                )
        return c

    def at(hour, minute=0):
        return datetime(2026, 11, 2, hour, minute, tzinfo=UTC)

    plain = f.CourseFactory(client=other_client("Ida", intake=True), therapist=therapist_a)
    plain.planned_sessions = None
    plain.save()
    sessions = [
        # status, course, client, starts, room
        ("booked", course_a, client_a, at(10), room),
        ("checked_in", plain, plain.client, at(8, 45), room),
        ("completed", course_a, client_a, at(6), None),
        ("completed", course_a, client_a, at(7), room),
        ("no_show", course_a, client_a, at(5), None),
        ("cancelled", course_a, client_a, at(11), room),
        ("booked", None, other_client("Otto"), at(12), None),
        ("booked", None, other_client("Pia", consent=True), at(13), room),
        ("booked", None, other_client("Rita", consent=True, contraindication=True), at(14), None),
        ("booked", course_a, client_a, at(15), None),
    ]
    made = []
    for status, course, c, starts, where in sessions:
        s = f.SessionFactory(
            course=course,
            client=c,
            practice=practice_a,
            therapist=therapist_a,
            starts_at=starts,
            room=where,
        )
        s.status = status
        s.save()
        made.append(s)
    SessionRecord.objects.create(session=made[3])
    client.force_login(therapist_a.user if who == "therapist" else front_desk_a.user)
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    pages = [
        ({"date": "2026-11-02", "therapist": "all"}, None),
        ({"date": "2026-11-02", "therapist": str(therapist_a.pk)}, None),
        (
            {"date": "2026-11-02", "therapist": str(therapist_a.pk), "part": "sessions"},
            f"{DAY}?date=2026-11-02&therapist=all",
        ),
    ]
    card = Template(SESSION_CARD_TEMPLATE)
    for params, back_url in pages:
        r = client.get(DAY, params)
        assert r.status_code == 200
        html = token.sub('name="csrfmiddlewaretoken" value="T"', r.content.decode())
        shown = r.context["sessions"]
        assert len(shown) == len(made)
        with translation.override(language):
            expected = "".join(
                card.render(
                    Context(
                        {
                            "s": s,
                            "with_buttons": True,
                            "show_therapist": False,
                            "back_url": back_url,
                            "request": r.wsgi_request,
                            "csrf_token": "T",
                        }
                    )
                )
                for s in shown
            )
        assert expected in html
        assert "<script>alert" not in html and "<b>saddle" not in html and "<u>Blue" not in html
    # the variants the cards have were all on the page (the badge only for the therapist)
    for needle in ("forms-missing", "forms-done", "session-actions", "button quiet small"):
        assert needle in html, needle
    assert ("flag-badge" in html) is (who == "therapist")
    assert ("&lt;script&gt;alert(&#x27;y&#x27;)" in html) is (who == "therapist")
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;C&quot;" in html
