"""Waitlist: first come first served, holds that lapse to the next person, and never a
double booking. The clock is frozen for every step."""

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from backcourse.calendar import actions
from backcourse.scheduling.models import Session, SessionType, WorkingHours
from backcourse.waitlist.models import WaitlistEntry, WaitlistOffer
from backcourse.waitlist.services import (
    WaitlistRefusal,
    waitlist_join,
    waitlist_offer_accept,
    waitlist_offers_make,
)
from tests import factories as f

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)  # Tuesday 08:00 in Berlin
WED = date(2026, 12, 2)


def at(hour, day=WED):
    return datetime.combine(day, time(hour), tzinfo=BERLIN)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def massage(practice_a):
    return SessionType.objects.create(practice=practice_a, name="Massage", duration_minutes=60)


@pytest.fixture
def full_wednesday(practice_a, therapist_a, massage):
    """therapist_a works only Wednesday 09:00-12:00, and all three hours are booked."""
    WorkingHours.objects.create(
        therapist=therapist_a, weekday=2, start_time=time(9), end_time=time(12)
    )
    sessions = []
    for hour in (9, 10, 11):
        client = f.ClientFactory(practice=practice_a)
        sessions.append(
            Session.objects.create(
                practice=practice_a,
                therapist=therapist_a,
                client=client,
                starts_at=at(hour),
                duration_minutes=60,
            )
        )
    return sessions


def join(client, therapist, massage, **kw):
    return waitlist_join(
        client=client,
        therapist=therapist,
        session_type=massage,
        first_day=WED,
        last_day=WED + timedelta(days=6),
        **kw,
    )


def test_nothing_is_offered_while_nothing_is_free(clock, full_wednesday, therapist_a, massage):
    rita = f.ClientFactory(practice=therapist_a.practice)
    join(rita, therapist_a, massage)
    assert waitlist_offers_make(practice=therapist_a.practice) == []


def test_a_freed_slot_goes_to_the_first_in_line_then_lapses_to_the_next(
    clock, full_wednesday, therapist_a, massage, settings
):
    settings.WAITLIST_HOLD_MINUTES = 20
    practice = therapist_a.practice
    first = join(
        f.ClientFactory(practice=practice, email="first@example.org"), therapist_a, massage
    )
    clock.shift(timedelta(minutes=1))
    second = join(
        f.ClientFactory(practice=practice, email="second@example.org"), therapist_a, massage
    )

    # The 10:00 client cancels: the slot goes to whoever asked first, held 20 minutes.
    actions_cancel(full_wednesday[1])
    [offer] = waitlist_offers_make(practice=practice)
    assert offer.entry == first and offer.starts_at == at(10)
    assert offer.expires_at == NOW + timedelta(minutes=21)
    # A second run offers nothing new: the slot is held, the first has an offer.
    assert waitlist_offers_make(practice=practice) == []

    # 20 minutes later the hold lapses: the second person gets the same time.
    clock.shift(timedelta(minutes=21))
    [again] = waitlist_offers_make(practice=practice)
    assert again.entry == second and again.starts_at == at(10)
    offer.refresh_from_db()
    assert offer.status == WaitlistOffer.Status.EXPIRED
    session, message = waitlist_offer_accept(token=offer.token)
    assert session is None and "expired" in message

    session, message = waitlist_offer_accept(token=again.token)
    assert message == "" and session.starts_at == at(10)
    assert session.client == second.client
    second.refresh_from_db()
    assert second.status == WaitlistEntry.Status.BOOKED
    # The first person is not offered anything else (no free time left).
    assert waitlist_offers_make(practice=practice) == []


def actions_cancel(session):
    session.status = Session.Status.CANCELLED
    session.save(update_fields=["status"])


def test_a_booking_at_the_desk_meanwhile_wins_and_nobody_is_double_booked(
    clock, full_wednesday, therapist_a, massage
):
    practice = therapist_a.practice
    rita = f.ClientFactory(practice=practice)
    join(rita, therapist_a, massage)
    actions_cancel(full_wednesday[0])
    [offer] = waitlist_offers_make(practice=practice)
    walk_in = f.ClientFactory(practice=practice)
    actions.book(
        practice=practice,
        therapist=therapist_a,
        client=walk_in,
        starts_at=at(9),
        duration_minutes=60,
    )
    session, message = waitlist_offer_accept(token=offer.token)
    assert session is None and "taken" in message
    offer.refresh_from_db()
    assert offer.status == WaitlistOffer.Status.TAKEN
    assert Session.objects.active().filter(therapist=therapist_a, starts_at=at(9)).count() == 1
    # Accepting twice is harmless too.
    assert waitlist_offer_accept(token=offer.token)[0] is None


def test_a_booked_session_is_moved_earlier_not_doubled(
    clock, full_wednesday, therapist_a, massage, practice_a
):
    rita = f.ClientFactory(practice=practice_a)
    later = Session.objects.create(
        practice=practice_a,
        therapist=therapist_a,
        client=rita,
        starts_at=at(10, WED + timedelta(days=7)),
        duration_minutes=60,
    )
    join(rita, therapist_a, massage, session=later)
    actions_cancel(full_wednesday[2])
    [offer] = waitlist_offers_make(practice=practice_a)
    assert offer.starts_at == at(11)
    session, _ = waitlist_offer_accept(token=offer.token)
    assert session.pk == later.pk and session.starts_at == at(11)
    assert Session.objects.filter(client=rita).count() == 1


def test_only_an_earlier_time_is_offered_for_a_booked_session(
    clock, full_wednesday, therapist_a, massage, practice_a
):
    rita = f.ClientFactory(practice=practice_a)
    actions_cancel(full_wednesday[2])  # 11:00 is free, but rita is at 10:00
    actions_cancel(full_wednesday[1])
    mine = Session.objects.create(
        practice=practice_a,
        therapist=therapist_a,
        client=rita,
        starts_at=at(10),
        duration_minutes=60,
    )
    join(rita, therapist_a, massage, session=mine)
    assert waitlist_offers_make(practice=practice_a) == []


def test_bad_requests_are_refused_with_a_message(clock, therapist_a, therapist_b, massage):
    rita = f.ClientFactory(practice=therapist_a.practice)
    with pytest.raises(WaitlistRefusal, match="another practice"):
        join(rita, therapist_b, massage)
    with pytest.raises(WaitlistRefusal, match="last day cannot be before"):
        waitlist_join(
            client=rita,
            therapist=therapist_a,
            session_type=massage,
            first_day=WED,
            last_day=WED - timedelta(days=1),
        )
    join(rita, therapist_a, massage)
    with pytest.raises(WaitlistRefusal, match="already on this therapist"):
        join(rita, therapist_a, massage)


@pytest.mark.django_db(transaction=True)
def test_the_emailed_link_takes_the_time(client, settings, full_wednesday, therapist_a, massage):
    with time_machine.travel(NOW, tick=False):
        settings.SITE_URL = "http://testserver"
        rita = f.ClientFactory(practice=therapist_a.practice, email="rita@example.org")
        join(rita, therapist_a, massage)
        actions_cancel(full_wednesday[0])
        waitlist_offers_make(practice=therapist_a.practice)
        path = re.search(r"http://testserver(/waitlist/offer/\S+/)", mail.outbox[-1].body).group(1)
        page = client.get(path)
        assert "Take this time" in page.content.decode()
        done = client.post(path)
        assert "It is yours" in done.content.decode()
        assert Session.objects.active().get(starts_at=at(9)).client == rita


def test_staff_add_a_client_for_their_practice_only(
    as_therapist_a, clock, therapist_a, massage, client_b
):
    url = reverse("waitlist:staff")
    data = {
        "client": client_b.pk,
        "therapist": therapist_a.pk,
        "session_type": massage.pk,
        "first_day": "2026-12-02",
        "last_day": "2026-12-09",
    }
    assert as_therapist_a.post(url, data).status_code == 400
    rita = f.ClientFactory(practice=therapist_a.practice)
    data["client"] = rita.pk
    assert as_therapist_a.post(url, data).status_code == 302
    assert WaitlistEntry.objects.get().client == rita


@pytest.mark.django_db(transaction=True)
def test_dragging_a_session_away_offers_its_old_time(client, full_wednesday, therapist_a, massage):
    import json

    with time_machine.travel(NOW, tick=False):
        rita = f.ClientFactory(practice=therapist_a.practice, email="rita@example.org")
        join(rita, therapist_a, massage)
        # Friday is a working day too now; the 09:00 session moves there.
        WorkingHours.objects.create(
            therapist=therapist_a, weekday=4, start_time=time(9), end_time=time(12)
        )
        client.force_login(therapist_a.user)
        moved = client.post(
            reverse("calendar:move", args=[full_wednesday[0].pk]),
            json.dumps({"start": "2026-12-04T09:00", "resource": str(therapist_a.pk)}),
            content_type="application/json",
        )
        assert moved.json()["ok"]
        offer = WaitlistOffer.objects.get()
        assert offer.entry.client == rita and offer.starts_at == at(9)
        assert mail.outbox[-1].to == ["rita@example.org"]


@pytest.mark.django_db(transaction=True)
def test_a_cancellation_anywhere_offers_the_time(full_wednesday, therapist_a, massage):
    from backcourse.scheduling.services import session_cancel

    with time_machine.travel(NOW, tick=False):
        rita = f.ClientFactory(practice=therapist_a.practice, email="rita@example.org")
        join(rita, therapist_a, massage)
        session_cancel(session=full_wednesday[1], by_client=True)
        offer = WaitlistOffer.objects.get()
        assert offer.entry.client == rita and offer.starts_at == at(10)
        assert mail.outbox[-1].to == ["rita@example.org"]
