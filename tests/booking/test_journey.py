"""The client's journey without dead ends: day-first times, what each choice means, the
practice's details on every page, the confirmation link opened again, managing a booking
by its private link (move, cancel, inside the notice period), and the forms before a
first visit."""

import re
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils.http import urlencode

from backcourse.booking import manage, pending
from backcourse.booking.models import SessionTypeInfo, TherapistProfile
from backcourse.clients.consent import consent_texts_default
from backcourse.clients.models import ConsentRecord, Intake
from backcourse.portal.services import consent_agree
from backcourse.scheduling.models import Session
from tests import factories as f

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)  # Wed 09:00 in Berlin
SLOT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # Mon 10:00 in Berlin


@pytest.fixture(autouse=True)
def _emails_sent_on_commit(monkeypatch):
    """Emails go out on commit; a test runs inside one transaction, so send at once."""
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def open_practice(practice_a):
    practice_a.address = "Kastanienallee 12\n10435 Berlin"
    practice_a.phone = "+49 30 555 0100"
    practice_a.email = "hello@rueckenwerk.example"
    practice_a.cancellation_notice_hours = 24
    practice_a.save()
    consent_texts_default(practice_a)
    return practice_a


def start_url(practice, **params):
    return reverse("booking:start", kwargs={"slug": practice.slug}) + (
        "?" + urlencode(params) if params else ""
    )


def book(client, practice, kind, therapist, slot=SLOT, email="rita@example.org"):
    """Request and confirm a booking as a client would; returns the booked page."""
    data = {"first_name": "Rita", "last_name": "Roth", "email": email, "phone": ""}
    client.post(
        start_url(practice, type=kind.pk, therapist=therapist.pk, slot=slot.isoformat()), data
    )
    link = re.search(r"https?://\S+/confirm/\S+/", mail.outbox[-1].body).group(0)
    path = link.split("testserver", 1)[-1]
    return path, client.post(path)


def manage_link_from_mail() -> str:
    body = mail.outbox[-1].body
    return re.search(r"https?://\S+/booking/\S+/", body).group(0).split("8000", 1)[-1]


def test_times_are_picked_day_first_with_parts_of_the_day_and_shortcuts(
    client, open_practice, therapist_a, massage, hours_a
):
    massage.duration_minutes = 60
    massage.save()
    r = client.get(start_url(open_practice, type=massage.pk, therapist=therapist_a.pk))
    html = r.text
    # A strip of 14 days, each with its number of free times; today (from 09:00) first.
    assert html.count('class="bk-daybtn') == 14
    assert "15 free" in html  # 09:00 … 16:00 every half hour on a full day
    # The chosen day (the first with times) by morning and afternoon; no wall of buttons.
    assert "Wednesday 25 November 2026" in html
    assert "Morning" in html and "Afternoon" in html
    assert html.count('class="bk-time"') == 15
    # "Next free times": three shortcuts to the soonest slots.
    assert html.count("bk-next-time") == 3
    assert "Wed 25 Nov, 09:00" in html and "08:00" not in html  # in Berlin time
    # Another day from the strip.
    r = client.get(
        start_url(open_practice, type=massage.pk, therapist=therapist_a.pk, day="2026-11-30")
    )
    assert "Monday 30 November 2026" in r.text
    assert urlencode({"slot": SLOT.isoformat()}) in r.text


def test_kinds_and_therapists_explain_themselves_and_every_page_names_the_practice(
    client, open_practice, therapist_a, massage, hours_a
):
    SessionTypeInfo.objects.create(
        session_type=massage, description="Kneading and stretching of the whole back."
    )
    TherapistProfile.objects.create(staff=therapist_a, bio="Sports massage since 2012.")
    f.StaffFactory(practice=open_practice, display_name="Ben Second")
    pages = [
        client.get(start_url(open_practice)),
        client.get(start_url(open_practice, type=massage.pk)),
        client.get(start_url(open_practice, type=massage.pk, therapist=therapist_a.pk)),
        client.get(
            start_url(
                open_practice, type=massage.pk, therapist=therapist_a.pk, slot=SLOT.isoformat()
            )
        ),
        client.get(reverse("booking:sent", args=[open_practice.slug])),
    ]
    assert "Kneading and stretching of the whole back." in pages[0].text
    assert "60 minutes" in pages[0].text
    assert "Sports massage since 2012." in pages[1].text
    assert ">AB<" in pages[1].text and ">BS<" in pages[1].text  # initials without a photo
    for page in pages:
        assert page.status_code == 200
        assert "Kastanienallee 12" in page.text
        assert 'href="tel:+49305550100"' in page.text
        assert "until 24 hours before it" in page.text


def test_the_confirmation_link_opened_again_shows_the_booking_confirmed(
    client, open_practice, therapist_a, massage, hours_a, frozen
):
    path, r = book(client, open_practice, massage, therapist_a)
    assert r.status_code == 201 and "You are booked" in r.text
    again = client.get(path)
    assert again.status_code == 200
    assert "Your booking is confirmed" in again.text and "Confirmed" in again.text
    assert "Not booked" not in again.text
    # Days later, when the link itself has long expired, it still shows the booking.
    frozen.shift(timedelta(days=3))
    later = client.get(path)
    assert later.status_code == 200 and "Your booking is confirmed" in later.text
    assert Session.objects.count() == 1


def test_the_booked_email_and_page_carry_the_private_link_and_calendar_file(
    client, open_practice, therapist_a, massage, hours_a
):
    _path, r = book(client, open_practice, massage, therapist_a)
    session = Session.objects.get()
    assert manage.manage_path(session) in r.text
    assert "session.ics" in r.text
    link = manage_link_from_mail()
    page = client.get(link)
    assert page.status_code == 200 and "Your booking" in page.text
    assert "Monday 30 November 2026, 10:00" in page.text
    ics = client.get(link + "session.ics")
    assert ics["Content-Type"].startswith("text/calendar")
    event = icalendar.Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == SLOT
    # A changed token opens nothing.
    bad = client.get(link.replace("/booking/", "/booking/x"))
    assert bad.status_code == 400 and "Kastanienallee" in bad.text


def test_moving_by_the_private_link(client, open_practice, therapist_a, massage, hours_a):
    book(client, open_practice, massage, therapist_a)
    session = Session.objects.get()
    link = manage_link_from_mail()
    page = client.get(link + "?action=move")
    assert "Choose a new time" in page.text
    new = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)  # Tue 14:00 Berlin
    assert urlencode({"action": "move", "slot": new.isoformat()}).replace("&", "&amp;") in page.text
    confirm = client.get(link + "?" + urlencode({"action": "move", "slot": new.isoformat()}))
    assert "Move this session?" in confirm.text and "Tuesday 1 December 2026, 14:00" in confirm.text
    r = client.post(link, {"action": "move", "slot": new.isoformat()})
    assert r.status_code == 302
    session.refresh_from_db()
    assert session.starts_at == new and session.status == Session.Status.BOOKED


def test_cancelling_by_the_private_link(client, open_practice, therapist_a, massage, hours_a):
    book(client, open_practice, massage, therapist_a)
    link = manage_link_from_mail()
    assert "Cancel this session?" in client.get(link + "?action=cancel").text
    r = client.post(link, {"action": "cancel"})
    assert r.status_code == 302
    assert Session.objects.get().status == Session.Status.CANCELLED
    page = client.get(link)
    assert "This session is cancelled." in page.text and "?action=move" not in page.text


def test_inside_the_notice_period_the_link_says_so_shows_the_phone_and_changes_nothing(
    client, open_practice, therapist_a, massage, hours_a, frozen
):
    book(client, open_practice, massage, therapist_a)
    link = manage_link_from_mail()
    frozen.move_to(SLOT - timedelta(hours=5))
    page = client.get(link)
    assert "less than 24 hours away" in page.text
    assert 'href="tel:+49305550100"' in page.text and "please call us" in page.text
    assert "?action=move" not in page.text and "?action=cancel" not in page.text
    for data in ({"action": "cancel"}, {"action": "move", "slot": "2026-12-01T13:00:00+00:00"}):
        r = client.post(link, data)
        assert r.status_code == 400 and "hours before the session" in r.text
    session = Session.objects.get()
    assert session.status == Session.Status.BOOKED and session.starts_at == SLOT


def test_a_first_booking_asks_for_the_forms_and_a_returning_client_is_not_asked(
    client, open_practice, therapist_a, massage, hours_a, client_a
):
    _path, r = book(client, open_practice, massage, therapist_a)
    assert "Before your first visit" in r.text and "Fill in the forms" in r.text
    assert "Before your first visit, please agree" in mail.outbox[-1].body

    # The button signs the client in on the phone and opens the consent page first.
    session = Session.objects.get()
    token = manage.manage_token(session)
    r = client.post(reverse("booking:manage_forms", args=[open_practice.slug, token]))
    assert r.status_code == 302 and "/me/login/" in r.url
    signin = client.post(r.url)
    assert signin.status_code == 302
    assert "consent" in client.get(reverse("portal:home"), follow=True).redirect_chain[-1][0]

    # Clara has agreed and filled in her intake: her booking asks for nothing.
    consent_agree(client=client_a, text_ids=[t.pk for t in consent_texts_default(open_practice)])
    Intake.objects.create(client=client_a, complaint="Back")
    client_a.email = "clara@example.org"
    client_a.save(update_fields=["email"])
    later = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    _path, r = book(client, open_practice, massage, therapist_a, slot=later, email=client_a.email)
    assert r.status_code == 201 and "Before your first visit" not in r.text
    assert "Before your first visit" not in mail.outbox[-1].body


def test_the_day_view_shows_whether_the_forms_are_done(
    open_practice, therapist_a, as_therapist_a, client_a, massage, hours_a
):
    new_client = f.ClientFactory(practice=open_practice, first_name="Nora", last_name="New")
    f.SessionFactory(
        course=f.CourseFactory(client=new_client, therapist=therapist_a),
        starts_at=datetime(2026, 11, 25, 10, tzinfo=UTC),
    )
    f.SessionFactory(
        course=f.CourseFactory(client=client_a, therapist=therapist_a),
        starts_at=datetime(2026, 11, 25, 12, tzinfo=UTC),
    )
    consent_agree(client=client_a, text_ids=[t.pk for t in consent_texts_default(open_practice)])
    Intake.objects.create(client=client_a, complaint="Back")
    html = as_therapist_a.get(reverse("scheduling:day")).text
    nora = html[html.index("Nora New") :]
    assert "Forms not filled in" in nora[:600]
    clara = html[html.index("Clara Adler") :]
    assert "Forms done" in clara[:600]
    assert ConsentRecord.objects.filter(client=new_client).count() == 0


def test_pending_link_helpers_refuse_other_practices(open_practice, other_practice, therapist_a):
    session = f.SessionFactory(
        course=f.CourseFactory(
            client=f.ClientFactory(practice=open_practice), therapist=therapist_a
        )
    )
    token = manage.manage_token(session)
    assert manage.session_from_manage_token(token, practice=open_practice) == session
    with pytest.raises(Exception, match="not valid"):
        manage.session_from_manage_token(token, practice=other_practice)
    assert pending.confirmed_session_from_token("garbage", practice=open_practice) is None
