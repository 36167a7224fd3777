"""The public booking flow: choose, give contact data, confirm by the emailed link."""

import re
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import time_machine
from django.core import mail, signing
from django.urls import reverse
from django.utils.http import urlencode

from backcourse.booking import pending as public_booking
from backcourse.clients.models import Client
from backcourse.scheduling import services
from backcourse.scheduling.models import PendingBooking, Session
from tests import factories as f

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)  # Wed 09:00 in Berlin
SLOT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # Mon 10:00 in Berlin


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def start_url(practice, **params):
    return reverse("booking:start", kwargs={"slug": practice.slug}) + (
        "?" + urlencode(params) if params else ""
    )


CONTACT = {"first_name": "Rita", "last_name": "Roth", "email": "rita@example.org", "phone": "+49 1"}


def request_booking(client, practice, kind, therapist, slot=SLOT, data=CONTACT):
    url = start_url(practice, type=kind.pk, therapist=therapist.pk, slot=slot.isoformat())
    return client.post(url, data)


def link_from_mail():
    return re.search(r"https?://\S+/confirm/\S+/", mail.outbox[-1].body).group(0)


def test_the_flow_lists_kinds_therapists_and_slots_in_local_time(
    client, practice_a, therapist_a, massage, hours_a
):
    f.StaffFactory(practice=practice_a, display_name="Ben Second")
    r = client.get(start_url(practice_a))
    assert "Back massage" in r.text
    r = client.get(start_url(practice_a, type=massage.pk))
    assert "Any therapist" in r.text and "Anna Berg" in r.text
    r = client.get(start_url(practice_a, type=massage.pk, therapist=therapist_a.pk))
    assert r.status_code == 200
    # Wednesday 25 November: 09:00 is now, so the day starts at 09:00 local
    assert "Wednesday 25 November 2026" in r.text  # the first day with free times
    assert ">10:00<" in r.text
    # Monday 30 November, picked from the strip of days, lists its times
    r = client.get(
        start_url(practice_a, type=massage.pk, therapist=therapist_a.pk, day="2026-11-30")
    )
    assert "Monday 30 November 2026" in r.text
    assert urlencode({"slot": SLOT.isoformat()}) in r.text


def test_request_sends_a_link_and_books_nothing_until_confirmed(
    client, practice_a, therapist_a, massage, hours_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        r = request_booking(client, practice_a, massage, therapist_a)
    assert r.status_code == 302 and r.url.endswith("/sent/")
    assert not Session.objects.exists()
    assert PendingBooking.objects.count() == 1
    assert mail.outbox[-1].to == ["rita@example.org"]
    link = link_from_mail()
    path = link.split("testserver", 1)[-1]
    assert client.get(path).status_code == 200  # looking changes nothing
    assert not Session.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(path)
    assert r.status_code == 201 and "You are booked" in r.text
    session = Session.objects.get()
    assert session.starts_at == SLOT and session.therapist == therapist_a
    assert session.client.email == "rita@example.org"
    assert "is booked" in mail.outbox[-1].subject
    # The confirmation carries the session as a calendar file.
    [(filename, ics, mimetype)] = mail.outbox[-1].attachments
    assert filename.endswith(".ics") and mimetype == "text/calendar"
    event = icalendar.Calendar.from_ical(ics).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == SLOT

    # Reused link: clear message, nothing changes.
    r = client.post(path)
    assert r.status_code == 409 and "already confirmed" in r.text
    assert Session.objects.count() == 1


def test_returning_client_is_matched_by_email_within_the_practice(
    client, practice_a, therapist_a, client_a, massage, hours_a, client_b
):
    client_b.email = "clara@example.org"
    client_b.save()
    client_a.email = "clara@example.org"
    client_a.save()
    pending = public_booking.pending_booking_create(
        practice=practice_a,
        session_type=massage,
        therapist=therapist_a,
        starts_at=SLOT,
        first_name="Clara",
        last_name="A.",
        email="CLARA@example.org",
    )
    session = public_booking.pending_booking_confirm(token=public_booking.confirm_token(pending))
    assert session.client == client_a
    assert Client.objects.filter(practice=practice_a).count() == 1


def test_expired_forged_and_foreign_tokens_change_nothing(
    client, practice_a, other_practice, therapist_a, massage, hours_a
):
    pending = public_booking.pending_booking_create(
        practice=practice_a,
        session_type=massage,
        therapist=therapist_a,
        starts_at=SLOT,
        first_name="R",
        last_name="R",
        email="r@example.org",
    )
    token = public_booking.confirm_token(pending)
    url = reverse("booking:confirm", kwargs={"slug": practice_a.slug, "token": token})

    forged = signing.dumps({"p": pending.pk, "n": str(pending.nonce)}, salt="other")
    r = client.post(reverse("booking:confirm", kwargs={"slug": practice_a.slug, "token": forged}))
    assert r.status_code == 400 and "not valid" in r.text
    r = client.post(
        reverse("booking:confirm", kwargs={"slug": practice_a.slug, "token": token[:-2] + "xx"})
    )
    assert r.status_code == 400 and "not valid" in r.text
    r = client.post(
        reverse("booking:confirm", kwargs={"slug": other_practice.slug, "token": token})
    )
    assert r.status_code == 400
    with time_machine.travel(
        NOW + public_booking.CONFIRM_MAX_AGE + timedelta(minutes=1), tick=False
    ):
        r = client.post(url)
    assert r.status_code == 400 and "expired" in r.text
    assert not Session.objects.exists()
    assert PendingBooking.objects.get().confirmed_at is None


def test_slot_taken_before_confirmation_gets_a_clear_answer(
    client, practice_a, therapist_a, client_a, massage, hours_a
):
    pending = public_booking.pending_booking_create(
        practice=practice_a,
        session_type=massage,
        therapist=therapist_a,
        starts_at=SLOT,
        first_name="R",
        last_name="R",
        email="r@example.org",
    )
    services.session_book(
        practice=practice_a,
        therapist=therapist_a,
        client=client_a,
        starts_at=SLOT,
        session_type=massage,
    )
    url = reverse(
        "booking:confirm",
        kwargs={"slug": practice_a.slug, "token": public_booking.confirm_token(pending)},
    )
    r = client.post(url, HTTP_ACCEPT="application/json")
    assert r.status_code == 409
    assert r.json()["error"] == "slot_taken" and "already taken" in r.json()["message"]
    r = client.post(url)
    assert r.status_code == 409 and "already taken" in r.text
    assert Session.objects.count() == 1
    assert not Client.objects.filter(email="r@example.org").exists()


def test_any_therapist_books_whoever_is_free(
    client, practice_a, therapist_a, client_a, massage, hours_a
):
    from backcourse.scheduling.models import WorkingHours

    second = f.StaffFactory(practice=practice_a, display_name="Ben")
    WorkingHours.objects.create(therapist=second, weekday=0, start_time="09:00", end_time="17:00")
    services.session_book(
        practice=practice_a,
        therapist=therapist_a,
        client=client_a,
        starts_at=SLOT,
        session_type=massage,
    )
    pending = public_booking.pending_booking_create(
        practice=practice_a,
        session_type=massage,
        therapist=None,
        starts_at=SLOT,
        first_name="R",
        last_name="R",
        email="r@example.org",
    )
    session = public_booking.pending_booking_confirm(token=public_booking.confirm_token(pending))
    assert session.therapist == second


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"slot": "2026-13-45T99:00"}, "could not be read"),
        ({"slot": "2026-11-20T09:00:00+00:00"}, "in the past"),
        ({"from": "not-a-date"}, "could not be read"),
    ],
)
def test_malformed_or_past_times_get_a_clear_message(
    client, practice_a, therapist_a, massage, hours_a, params, message
):
    r = client.get(start_url(practice_a, type=massage.pk, therapist=therapist_a.pk, **params))
    assert r.status_code == 400 and message in r.text
    assert ">10:00<" in r.text  # the times are shown again


@pytest.mark.parametrize(
    ("slot", "message"),
    [
        (datetime(2026, 11, 30, 20, 0, tzinfo=UTC), "working hours"),
        (datetime(2026, 11, 24, 9, 0, tzinfo=UTC), "in the past"),
    ],
)
def test_posting_an_unavailable_slot_saves_nothing_and_keeps_the_input(
    client, practice_a, therapist_a, massage, hours_a, slot, message
):
    r = request_booking(client, practice_a, massage, therapist_a, slot=slot)
    assert r.status_code in (400, 409) and message in r.text
    assert not PendingBooking.objects.exists() and not mail.outbox


def test_contact_form_errors_are_shown_next_to_the_field_and_input_kept(
    client, practice_a, therapist_a, massage, hours_a
):
    r = request_booking(
        client, practice_a, massage, therapist_a, data={**CONTACT, "email": "not-an-email"}
    )
    assert r.status_code == 400
    assert "Enter a valid email address" in r.text and 'value="Rita"' in r.text
    assert not PendingBooking.objects.exists()


def test_pages_speak_the_practice_language(client, practice_a, therapist_a, massage, hours_a):
    practice_a.language = "de"
    practice_a.save()
    r = client.get(start_url(practice_a))
    assert r["Content-Language"] == "de"
    assert 'lang="de"' in r.text


def test_closed_practice_and_unknown_practice(client, practice_a, massage):
    practice_a.online_booking = False
    practice_a.save()
    assert "closed" in client.get(start_url(practice_a)).text
    assert client.get(reverse("booking:start", kwargs={"slug": "nope"})).status_code == 404


def test_a_session_type_of_another_practice_cannot_be_chosen(
    client, practice_a, other_practice, therapist_a, hours_a
):
    from backcourse.scheduling.models import SessionType

    foreign = SessionType.objects.create(practice=other_practice, name="Foreign")
    r = client.get(start_url(practice_a, type=foreign.pk))
    assert r.status_code == 400 and "Foreign" not in r.text
