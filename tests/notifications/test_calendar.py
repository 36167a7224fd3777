"""ICS files and private feeds: what a calendar app sees, and who can see it."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from icalendar import Calendar

from backcourse.notifications.calendar import session_ics
from backcourse.notifications.models import CalendarFeed
from backcourse.notifications.services import calendar_feed_create
from backcourse.scheduling.models import Session
from tests import factories as f

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def events(body: bytes) -> dict[str, object]:
    return {str(e["uid"]): e for e in Calendar.from_ical(body).walk("VEVENT")}


def test_session_ics_has_one_event_in_utc(session_a):
    cal = Calendar.from_ical(session_ics([session_a]))
    (event,) = cal.walk("VEVENT")
    assert event.decoded("dtstart") == session_a.starts_at
    assert event.decoded("dtstart").utcoffset() == timedelta(0)
    assert event.decoded("dtend") == session_a.ends_at
    assert str(event["status"]) == "CONFIRMED"
    assert "Anna Berg" in str(event["summary"])
    assert str(cal["x-wr-timezone"]) == "Europe/Berlin"


def test_uid_is_stable_across_reschedules(session_a):
    before = next(iter(events(session_ics([session_a]))))
    session_a.starts_at += timedelta(days=1)
    session_a.save()
    assert next(iter(events(session_ics([session_a])))) == before


@pytest.fixture
def feed_sessions(course_a, time_machine):
    time_machine.move_to(NOW)
    old = f.SessionFactory(course=course_a, starts_at=NOW - timedelta(days=40))
    recent = f.SessionFactory(course=course_a, starts_at=NOW - timedelta(days=10))
    cancelled = f.SessionFactory(
        course=course_a, starts_at=NOW + timedelta(days=3), status=Session.Status.CANCELLED
    )
    coming = f.SessionFactory(course=course_a, starts_at=NOW + timedelta(days=7))
    return old, recent, cancelled, coming


def _feed(**owner):
    practice = next(iter(owner.values())).practice
    return calendar_feed_create(practice=practice, by=None, **owner)


def test_client_feed_shows_30_days_back_and_cancellations(client, client_a, feed_sessions):
    old, recent, cancelled, coming = feed_sessions
    feed = _feed(client=client_a)
    response = client.get(reverse("notifications:feed", args=[feed.token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    found = events(response.content)
    uids = {f"session-{s.pk}@127.0.0.1" for s in (recent, cancelled, coming)}
    assert set(found) == uids
    assert str(found[f"session-{cancelled.pk}@127.0.0.1"]["status"]) == "CANCELLED"


def test_therapist_feed_names_clients_and_only_their_sessions(
    client, therapist_a, feed_sessions, practice_a
):
    other_therapist = f.StaffFactory(practice=practice_a)
    f.SessionFactory(
        course=f.CourseFactory(
            client=f.ClientFactory(practice=practice_a), therapist=other_therapist
        ),
        starts_at=NOW + timedelta(days=1),
    )
    feed = _feed(staff=therapist_a)
    found = events(client.get(reverse("notifications:feed", args=[feed.token])).content)
    assert len(found) == 3
    assert all("Clara Adler" in str(e["summary"]) for e in found.values())


def test_revoked_expired_and_unknown_tokens_get_a_bare_404(
    client, client_a, feed_sessions, as_therapist_a
):
    revoked = _feed(client=client_a)
    url = reverse("notifications:feed", args=[revoked.token])
    assert client.get(url).status_code == 200
    as_therapist_a.post(reverse("notifications:feed_revoke", args=[revoked.pk]))
    as_therapist_a.logout()
    expired = _feed(client=client_a)
    CalendarFeed.objects.filter(pk=expired.pk).update(expires_at=NOW - timedelta(minutes=1))
    for token in [revoked.token, expired.token, "forged-token", "x" * 500]:
        response = client.get(reverse("notifications:feed", args=[token]))
        assert response.status_code == 404
        assert b"Clara" not in response.content
        assert b"revoked" not in response.content.lower()
        assert b"expired" not in response.content.lower()


# --- The staff page -----------------------------------------------------------------


def test_staff_page_creates_and_lists_a_feed_url(as_therapist_a, client_a):
    page = reverse("notifications:feeds")
    response = as_therapist_a.post(page, {"client": client_a.pk})
    assert response.status_code == 302
    feed = CalendarFeed.objects.get(client=client_a)
    listing = as_therapist_a.get(page)
    assert feed.token in listing.content.decode()


def test_staff_page_rejects_no_owner_and_two_owners(as_therapist_a, therapist_a, client_a):
    page = reverse("notifications:feeds")
    for data in [{}, {"client": client_a.pk, "staff": therapist_a.pk}]:
        response = as_therapist_a.post(page, data)
        assert response.status_code == 400
        assert "Choose either a therapist or a client" in response.content.decode()
    assert CalendarFeed.objects.count() == 0


def test_staff_page_rejects_a_past_expiry_and_keeps_the_choice(as_therapist_a, client_a):
    response = as_therapist_a.post(
        reverse("notifications:feeds"), {"client": client_a.pk, "expires_on": "2000-01-01"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "must lie in the future" in body
    # The client picker keeps the chosen client: its id posted again, its name shown.
    assert f'name="client" value="{client_a.pk}"' in body
    assert f'value="{client_a.full_name}"' in body
    assert CalendarFeed.objects.count() == 0


def test_staff_page_rejects_a_malformed_date(as_therapist_a, client_a):
    response = as_therapist_a.post(
        reverse("notifications:feeds"), {"client": client_a.pk, "expires_on": "31.02.2027x"}
    )
    assert response.status_code == 400
    assert "Enter a valid date" in response.content.decode()


def test_staff_cannot_make_a_feed_for_another_practice(as_therapist_a, client_b, therapist_b):
    page = reverse("notifications:feeds")
    for data in [{"client": client_b.pk}, {"staff": therapist_b.pk}]:
        assert as_therapist_a.post(page, data).status_code == 400
    assert CalendarFeed.objects.count() == 0


def test_another_practice_cannot_see_or_revoke_a_feed(as_therapist_b, client_a):
    feed = _feed(client=client_a)
    listing = as_therapist_b.get(reverse("notifications:feeds"))
    assert feed.token not in listing.content.decode()
    response = as_therapist_b.post(reverse("notifications:feed_revoke", args=[feed.pk]))
    assert response.status_code == 404
    feed.refresh_from_db()
    assert feed.revoked_at is None


def test_staff_pages_need_a_login(client, client_a):
    feed = _feed(client=client_a)
    for url in [
        reverse("notifications:feeds"),
        reverse("notifications:feed_revoke", args=[feed.pk]),
    ]:
        response = client.post(url)
        assert response.status_code == 302
        assert "/accounts/login" in response["Location"]
    assert CalendarFeed.objects.get().revoked_at is None


def test_revoke_needs_post(as_therapist_a, client_a):
    feed = _feed(client=client_a)
    assert (
        as_therapist_a.get(reverse("notifications:feed_revoke", args=[feed.pk])).status_code == 405
    )


def test_session_file_download_is_scoped(as_therapist_a, session_a):
    url = reverse("notifications:session_ics", args=[session_a.pk])
    assert len(events(as_therapist_a.get(url).content)) == 1


def test_session_file_404s_for_another_practice(as_therapist_b, session_a):
    url = reverse("notifications:session_ics", args=[session_a.pk])
    assert as_therapist_b.get(url).status_code == 404


def test_a_signed_in_non_staff_user_gets_404(client, client_a):
    feed = _feed(client=client_a)
    client.force_login(f.UserFactory())
    assert client.get(reverse("notifications:feeds")).status_code == 404
    assert client.post(reverse("notifications:feed_revoke", args=[feed.pk])).status_code == 404


def test_a_feed_of_a_staff_member_who_left_stops_working(client, therapist_a):
    feed = _feed(staff=therapist_a)
    url = reverse("notifications:feed", args=[feed.token])
    assert client.get(url).status_code == 200
    therapist_a.is_active = False
    therapist_a.save()
    assert client.get(url).status_code == 404
