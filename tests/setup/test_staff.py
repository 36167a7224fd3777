"""Inviting, changing and deactivating colleagues."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from backcourse.api.models import ApiToken
from backcourse.api.services import api_token_create
from backcourse.notifications.models import CalendarFeed
from backcourse.notifications.services import calendar_feed_create
from backcourse.practices.models import StaffMember
from backcourse.scheduling.models import Session
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)  # invitation mail goes out on commit


def invite(client, **overrides):
    data = {
        "email": "Tom@Example.org",
        "first_name": "Tom",
        "last_name": "Berg",
        "role": "therapist",
        "takes_sessions": "on",
    }
    data.update(overrides)
    return client.post(reverse("setup:staff"), data)


def can_sign_in(username, password) -> bool:
    """A fresh browser (not the owner's) tries the login page."""
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": username, "password": password})
    return response.status_code == 302


def link(body):
    return re.search(r"https?://\S+(/accounts/invitation/\S+/)", body).group(1)


def test_an_invitation_makes_a_login_without_password_and_mails_a_one_time_link(
    as_owner_a, practice_a, client
):
    assert invite(as_owner_a).status_code == 302
    tom = StaffMember.objects.get(user__email="tom@example.org")
    assert tom.practice == practice_a and tom.role == "therapist" and tom.takes_sessions
    assert not tom.user.has_usable_password()
    path = link(mail.outbox[-1].body)
    client.logout()
    assert client.get(path).status_code == 200
    response = client.post(path, {"new_password1": PASSWORD + "x", "new_password2": PASSWORD + "x"})
    assert response.status_code == 302 and response.url == reverse("accounts:two_factor")
    tom.user.refresh_from_db()
    assert tom.user.has_usable_password()
    client.logout()
    assert client.get(path).status_code == 404  # used once
    assert can_sign_in("tom@example.org", PASSWORD + "x")


def test_the_same_address_twice_is_refused_with_a_message(as_owner_a, therapist_a):
    response = invite(as_owner_a, email=therapist_a.user.email)
    assert response.status_code == 400
    assert "already an account with this email" in response.content.decode()
    assert StaffMember.objects.count() == 2


def test_a_forged_link_is_refused(client, owner_a):
    assert client.get("/accounts/invitation/MQ/abc-def/").status_code == 404


def test_deactivating_stops_login_revokes_feeds_and_tokens_and_keeps_sessions(
    as_owner_a, owner_a, therapist_a, session_a, client
):
    feed = calendar_feed_create(practice=therapist_a.practice, by=owner_a.user, staff=therapist_a)
    token, _raw = api_token_create(staff=therapist_a, name="Export")
    response = as_owner_a.post(
        reverse("setup:staff_change", args=[therapist_a.pk]), {"action": "deactivate"}
    )
    assert response.status_code == 302
    therapist_a.refresh_from_db()
    assert not therapist_a.is_active and not therapist_a.user.is_active
    assert CalendarFeed.objects.get(pk=feed.pk).revoked_at is not None
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert Session.objects.filter(pk=session_a.pk).exists()
    assert not can_sign_in(therapist_a.user.username, PASSWORD)
    # And back again: login works, the revoked things stay revoked.
    as_owner_a.post(reverse("setup:staff_change", args=[therapist_a.pk]), {"action": "reactivate"})
    assert can_sign_in(therapist_a.user.username, PASSWORD)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_a_signed_in_colleague_is_out_once_deactivated(client, owner_a, therapist_a):
    client.force_login(therapist_a.user)
    assert client.get(reverse("calendar:page")).status_code == 200
    from backcourse.setup.services import staff_deactivate

    staff_deactivate(staff=therapist_a)
    assert client.get(reverse("calendar:page")).status_code == 302


def test_role_change_and_the_last_owner_stays(as_owner_a, owner_a, therapist_a):
    url = reverse("setup:staff_change", args=[therapist_a.pk])
    as_owner_a.post(url, {f"staff{therapist_a.pk}-role": "front_desk", "action": "save"})
    therapist_a.refresh_from_db()
    assert therapist_a.role == "front_desk" and not therapist_a.takes_sessions
    me = reverse("setup:staff_change", args=[owner_a.pk])
    response = as_owner_a.post(
        me, {f"staff{owner_a.pk}-role": "therapist", "action": "save"}, follow=True
    )
    assert "at least one owner" in response.content.decode()
    owner_a.refresh_from_db()
    assert owner_a.role == "owner"


def test_another_practices_staff_cannot_be_changed(as_owner_a, therapist_b):
    url = reverse("setup:staff_change", args=[therapist_b.pk])
    assert as_owner_a.post(url, {"action": "deactivate"}).status_code == 404
    therapist_b.refresh_from_db()
    assert therapist_b.is_active
