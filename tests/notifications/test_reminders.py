"""Session and maintenance reminders: who gets one, when, in which language, and once."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult
from icalendar import Calendar

from backcourse.courses.models import Course
from backcourse.notifications.models import Notification
from backcourse.notifications.services import notification_claim, reminders_send_due
from backcourse.scheduling.models import Session
from tests import factories as f

START = datetime(2026, 11, 2, 9, tzinfo=UTC)  # a Monday; 10:00 in Berlin


@pytest.fixture
def booked(course_a):
    return f.SessionFactory(course=course_a, starts_at=START)


def test_it_sends_one_reminder_inside_the_window(booked):
    counts = reminders_send_due(now=START - timedelta(hours=23))
    assert counts["session_reminder"] == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [booked.client.email]
    assert "10:00" in message.body  # Berlin time, not UTC
    assert "Monday" in message.subject
    assert Notification.objects.get(session=booked).status == Notification.Status.SENT


def test_it_waits_until_the_window_opens(booked):
    reminders_send_due(now=START - timedelta(hours=25))
    assert mail.outbox == []


def test_it_uses_the_practice_setting_for_the_window(booked, practice_a):
    practice_a.reminder_hours_before = 2
    practice_a.save()
    reminders_send_due(now=START - timedelta(hours=3))
    assert mail.outbox == []
    reminders_send_due(now=START - timedelta(hours=1))
    assert len(mail.outbox) == 1


def test_it_never_sends_twice(booked):
    now = START - timedelta(hours=20)
    reminders_send_due(now=now)
    reminders_send_due(now=now + timedelta(minutes=5))
    reminders_send_due(now=now + timedelta(hours=5))
    assert len(mail.outbox) == 1


def test_it_skips_cancelled_past_and_emailless_sessions(course_a, client_a):
    f.SessionFactory(course=course_a, starts_at=START, status=Session.Status.CANCELLED)
    f.SessionFactory(course=course_a, starts_at=START - timedelta(days=2))
    no_mail = f.ClientFactory(practice=client_a.practice, email="")
    f.SessionFactory(
        course=f.CourseFactory(client=no_mail, therapist=course_a.therapist),
        starts_at=START + timedelta(hours=2),
    )
    reminders_send_due(now=START - timedelta(hours=1))
    assert mail.outbox == []


def test_it_speaks_the_practice_language_and_time_zone(booked, practice_a):
    practice_a.language = "de"
    practice_a.time_zone = "America/New_York"
    practice_a.save()
    reminders_send_due(now=START - timedelta(hours=1))
    message = mail.outbox[0]
    assert message.subject.startswith("Erinnerung: Ihr Termin am Montag")
    assert message.body.startswith("Hallo Clara,")
    assert "04:00" in message.body  # 09:00 UTC is 04:00 in New York in November


def test_it_attaches_a_calendar_file(booked):
    reminders_send_due(now=START - timedelta(hours=1))
    name, content, mimetype = mail.outbox[0].attachments[0]
    assert name.endswith(".ics")
    assert mimetype.startswith("text/calendar")
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == START


def test_a_fresh_claim_by_another_worker_is_left_alone(booked):
    now = START - timedelta(hours=2)
    assert notification_claim(session=booked, kind="session_reminder", now=now) is not None
    reminders_send_due(now=now + timedelta(minutes=1))
    assert mail.outbox == []


def test_a_stale_claim_is_taken_over_and_sent_once(booked):
    now = START - timedelta(hours=3)
    notification_claim(session=booked, kind="session_reminder", now=now)  # worker died
    reminders_send_due(now=now + timedelta(minutes=30))
    reminders_send_due(now=now + timedelta(minutes=60))
    assert len(mail.outbox) == 1
    note = Notification.objects.get(session=booked)
    assert (note.status, note.attempts) == (Notification.Status.SENT, 2)


def test_a_failing_mail_server_is_retried_later(booked, settings):
    settings.EMAIL_BACKEND = "tests.notifications.failing_email_backend.EmailBackend"
    now = START - timedelta(hours=3)
    reminders_send_due(now=now)
    note = Notification.objects.get(session=booked)
    assert note.status == Notification.Status.SENDING
    assert "refused" in note.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    reminders_send_due(now=now + timedelta(minutes=30))
    assert len(mail.outbox) == 1


# --- Maintenance ------------------------------------------------------------------


@pytest.fixture
def maintenance_course(course_a):
    course_a.phase = Course.Phase.MAINTENANCE
    course_a.maintenance_interval_days = 28
    course_a.save()
    return course_a


def test_it_reminds_when_the_maintenance_cadence_has_passed(maintenance_course):
    last = f.SessionFactory(
        course=maintenance_course, starts_at=START, status=Session.Status.COMPLETED
    )
    f.SessionFactory(  # cancelled sessions do not count as the last one
        course=maintenance_course,
        starts_at=START + timedelta(days=10),
        status=Session.Status.CANCELLED,
    )
    reminders_send_due(now=START + timedelta(days=27))
    assert mail.outbox == []
    reminders_send_due(now=START + timedelta(days=28, hours=1))
    reminders_send_due(now=START + timedelta(days=29))
    assert len(mail.outbox) == 1
    assert "maintenance" in mail.outbox[0].subject
    assert Notification.objects.get(kind="maintenance_due").session == last


def test_the_maintenance_reminder_links_to_online_booking(maintenance_course, settings):
    settings.SITE_URL = "https://praxis.example.org/"
    f.SessionFactory(course=maintenance_course, starts_at=START, status="completed")
    reminders_send_due(now=START + timedelta(days=29))
    body = mail.outbox[0].body
    assert "Please book your next session online:" in body
    assert "https://praxis.example.org/book/rueckenwerk/" in body


def test_no_booking_link_while_online_booking_is_off(maintenance_course, practice_a):
    practice_a.online_booking = False
    practice_a.save(update_fields=["online_booking"])
    f.SessionFactory(course=maintenance_course, starts_at=START, status="completed")
    reminders_send_due(now=START + timedelta(days=29))
    body = mail.outbox[0].body
    assert "/book/" not in body and "online" not in body
    assert "Please contact us to book your next session:" in body


def test_a_german_practice_gets_a_german_maintenance_reminder(maintenance_course, practice_a):
    practice_a.language = "de"
    practice_a.save(update_fields=["language"])
    f.SessionFactory(course=maintenance_course, starts_at=START, status="completed")
    reminders_send_due(now=START + timedelta(days=29))
    body = mail.outbox[0].body
    assert "Bitte buchen Sie Ihren nächsten Termin online:" in body
    assert "/book/rueckenwerk/" in body


def test_no_maintenance_reminder_when_something_is_booked(maintenance_course):
    f.SessionFactory(course=maintenance_course, starts_at=START, status="completed")
    f.SessionFactory(course=maintenance_course, starts_at=START + timedelta(days=35))
    reminders_send_due(now=START + timedelta(days=30))
    assert [m for m in mail.outbox if "maintenance" in m.subject] == []


def test_no_maintenance_reminder_in_the_intensive_phase(course_a):
    f.SessionFactory(course=course_a, starts_at=START, status="completed")
    reminders_send_due(now=START + timedelta(days=40))
    assert mail.outbox == []


def test_each_gap_in_the_cadence_gets_its_own_reminder(maintenance_course):
    f.SessionFactory(course=maintenance_course, starts_at=START, status="completed")
    reminders_send_due(now=START + timedelta(days=29))
    f.SessionFactory(
        course=maintenance_course, starts_at=START + timedelta(days=31), status="completed"
    )
    reminders_send_due(now=START + timedelta(days=31 + 29))
    assert len(mail.outbox) == 2


# --- The trigger ------------------------------------------------------------------


def test_schedule_reminders_enqueues_one_scan_at_a_time(db):
    call_command("schedule_reminders")
    call_command("schedule_reminders")
    assert DBTaskResult.objects.filter(task_path__endswith="reminders_send_due").count() == 1


def test_the_task_runs_the_scan(booked, time_machine):
    from backcourse.notifications.tasks import reminders_send_due as task

    time_machine.move_to(START - timedelta(hours=1))
    assert task.call()["session_reminder"] == 1
    assert len(mail.outbox) == 1


def test_a_moved_session_gets_one_reminder_of_its_new_time(booked):
    reminders_send_due(now=START - timedelta(hours=20))
    booked.starts_at = START + timedelta(hours=3)
    booked.save()
    reminders_send_due(now=START - timedelta(hours=19))
    reminders_send_due(now=START - timedelta(hours=18))
    assert len(mail.outbox) == 2
    assert "13:00" in mail.outbox[1].body  # 12:00 UTC, Berlin
    assert mail.outbox[0].extra_headers["Message-ID"] != mail.outbox[1].extra_headers["Message-ID"]
