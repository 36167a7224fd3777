"""The admin books, moves and changes the status of sessions through
scheduling/services.py: the same rules and words as every other path, staff overrides
confirmed and recorded, and nothing saved on a refusal."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from backcourse.scheduling import errors
from backcourse.scheduling.models import Session, WorkingHours
from tests import factories as f

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 6, 1, 8, 0, tzinfo=BERLIN)  # Monday morning


def local(day, hh, mm=0):
    return datetime(2026, 6, day, hh, mm, tzinfo=BERLIN)


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
def owner_a(practice_a):
    return f.StaffFactory(
        practice=practice_a, user__username="olga", role="owner", takes_sessions=False
    )


@pytest.fixture
def as_owner(client, owner_a):
    client.force_login(owner_a.user)
    return client


def add(web, *, therapist, client, when, **extra):
    return web.post(
        reverse("admin:scheduling_session_add"),
        {
            "therapist": therapist.pk,
            "client": client.pk,
            "course": "",
            "session_type": "",
            "starts_at_0": when.strftime("%Y-%m-%d"),
            "starts_at_1": when.strftime("%H:%M:%S"),
            "duration_minutes": 60,
            "room": "",
            **extra,
        },
    )


def errors_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return " ".join(str(e) for e in response.context["adminform"].form.errors.get("starts_at", []))


def test_the_admin_books_inside_hours(as_owner, therapist_a, client_a, hours_a, owner_a):
    response = add(as_owner, therapist=therapist_a, client=client_a, when=local(3, 10))
    assert response.status_code == 302
    session = Session.objects.get()
    assert session.starts_at == local(3, 10)
    assert session.practice == therapist_a.practice
    assert session.overrides == "" and session.overridden_by is None


def test_outside_hours_is_refused_until_the_owner_confirms_and_it_is_recorded(
    as_owner, therapist_a, client_a, hours_a, owner_a
):
    sunday_night = local(7, 23)
    refused = add(as_owner, therapist=therapist_a, client=client_a, when=sunday_night)
    assert str(errors.MESSAGES[errors.OUTSIDE_HOURS]) in errors_of(refused)
    assert not Session.objects.exists()

    booked = add(
        as_owner,
        therapist=therapist_a,
        client=client_a,
        when=sunday_night,
        confirm_overrides=[errors.OUTSIDE_HOURS],
    )
    assert booked.status_code == 302
    session = Session.objects.get()
    assert session.overrides == errors.OUTSIDE_HOURS
    assert session.overridden_by == owner_a.user


def test_a_taken_time_cannot_be_overridden(as_owner, practice_a, therapist_a, client_a, hours_a):
    other = f.ClientFactory(practice=practice_a)
    f.SessionFactory(
        course=f.CourseFactory(client=other, therapist=therapist_a), starts_at=local(3, 10)
    )
    refused = add(
        as_owner,
        therapist=therapist_a,
        client=client_a,
        when=local(3, 10, 30),
        confirm_overrides=sorted({errors.OUTSIDE_HOURS, errors.BREAK, errors.PAST}),
    )
    assert str(errors.MESSAGES[errors.TAKEN]) in errors_of(refused)
    assert Session.objects.count() == 1


def test_moving_in_the_admin_goes_through_the_same_checks(
    as_owner, practice_a, course_a, therapist_a, hours_a
):
    session = f.SessionFactory(course=course_a, starts_at=local(5, 10))
    url = reverse("admin:scheduling_session_change", args=[session.pk])
    page = as_owner.get(url)
    form = page.context["adminform"].form
    # Who, what and the status are read-only: cancel and book again instead.
    assert set(form.fields) == {"starts_at", "confirm_overrides"}

    moved_out = as_owner.post(url, {"starts_at_0": "2026-06-05", "starts_at_1": "15:00:00"})
    assert str(errors.MESSAGES[errors.OUTSIDE_HOURS]) in errors_of(moved_out)
    session.refresh_from_db()
    assert session.starts_at == local(5, 10)

    ok = as_owner.post(url, {"starts_at_0": "2026-06-04", "starts_at_1": "09:00:00"})
    assert ok.status_code == 302
    session.refresh_from_db()
    assert session.starts_at == local(4, 9)
    assert session.ends_at == local(4, 10)


def test_status_actions_ask_the_transition_table(as_owner, course_a, hours_a):
    future = f.SessionFactory(course=course_a, starts_at=local(5, 10))
    changelist = reverse("admin:scheduling_session_changelist")
    response = as_owner.post(
        changelist,
        {"action": "mark_no_show", "_selected_action": [future.pk]},
        follow=True,
    )
    said = str(errors.MESSAGES[errors.NOT_STARTED]) % {"new": "No-show"}
    assert any(said in str(m) for m in get_messages(response.wsgi_request)) or said in (
        response.content.decode()
    )
    future.refresh_from_db()
    assert future.status == Session.Status.BOOKED

    as_owner.post(changelist, {"action": "mark_cancelled", "_selected_action": [future.pk]})
    future.refresh_from_db()
    assert future.status == Session.Status.CANCELLED


@pytest.mark.parametrize("who", ["owner", "superuser"])
def test_sessions_cannot_be_deleted_in_the_admin_only_cancelled(
    who, client, owner_a, course_a, hours_a
):
    """Deleting would skip the status hook (billing) and lose the history."""
    if who == "owner":
        client.force_login(owner_a.user)
    else:
        client.force_login(f.UserFactory(is_staff=True, is_superuser=True))
    session = f.SessionFactory(course=course_a, starts_at=local(5, 10))
    changelist = reverse("admin:scheduling_session_changelist")
    delete_url = reverse("admin:scheduling_session_delete", args=[session.pk])

    assert client.get(delete_url).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    page = client.get(changelist)
    assert "delete_selected" not in page.text
    client.post(changelist, {"action": "delete_selected", "_selected_action": [session.pk]})
    change = client.get(reverse("admin:scheduling_session_change", args=[session.pk]))
    assert reverse("admin:scheduling_session_delete", args=[session.pk]) not in change.text
    assert Session.objects.filter(pk=session.pk, status=Session.Status.BOOKED).exists()

    client.post(changelist, {"action": "mark_cancelled", "_selected_action": [session.pk]})
    session.refresh_from_db()
    assert session.status == Session.Status.CANCELLED


def test_deleting_a_client_in_the_admin_still_takes_their_sessions(client, course_a, hours_a):
    """Only the session's own pages refuse deleting; a client's delete page (which
    lists their sessions) still works for the operator."""
    client.force_login(f.UserFactory(is_staff=True, is_superuser=True))
    f.SessionFactory(course=course_a, starts_at=local(5, 10))
    pk = course_a.client.pk
    response = client.post(reverse("admin:clients_client_delete", args=[pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Session.objects.filter(client_id=pk).exists()
