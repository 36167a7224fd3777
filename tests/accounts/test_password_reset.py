"""Staff reset a forgotten password by email; clients (who have no password) cannot."""

import re

from django.core import mail
from django.urls import reverse

from tests import factories as f


def _reset_link(body: str) -> str:
    return re.search(r"https?://[^/]+(/accounts/password-reset/[^\s]+)", body).group(1)


def test_a_staff_member_sets_a_new_password_from_the_emailed_link(
    client, therapist_a, django_capture_on_commit_callbacks
):
    login = client.get(reverse("accounts:login")).content.decode()
    assert reverse("accounts:password_reset") in login

    with django_capture_on_commit_callbacks() as queued:
        response = client.post(
            reverse("accounts:password_reset"), {"email": therapist_a.user.email}
        )
    # Queued, not sent by the request: it leaves from the email task worker.
    assert mail.outbox == [] and len(queued) == 1
    queued[0]()
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [therapist_a.user.email]
    assert "anna" in mail.outbox[0].body

    link = _reset_link(mail.outbox[0].body)
    form_page = client.get(link, follow=True)
    assert "new_password1" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-much-Better-passw0rd", "new_password2": "a-much-Better-passw0rd"},
        follow=True,
    )
    assert "Password changed" in done.content.decode()
    therapist_a.user.refresh_from_db()
    assert therapist_a.user.check_password("a-much-Better-passw0rd")

    # The link works once.
    again = client.get(link, follow=True).content.decode()
    assert "has been used already or has expired" in again


def test_an_unknown_address_or_a_client_gets_the_same_page_and_no_email(
    client, practice_a, django_capture_on_commit_callbacks
):
    person = f.ClientFactory(practice=practice_a, email="clara@example.org")
    person.user = f.UserFactory(email="clara@example.org")
    person.save()
    for email in ["nobody@example.org", "clara@example.org"]:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("accounts:password_reset"), {"email": email}, follow=True
            )
        assert "Check your email" in response.content.decode()
    assert mail.outbox == []


def test_a_weak_new_password_is_refused_with_a_message(
    client, therapist_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": therapist_a.user.email})
    form_page = client.get(_reset_link(mail.outbox[0].body), follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "123", "new_password2": "123"}
    )
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    therapist_a.user.refresh_from_db()
    assert not therapist_a.user.check_password("123")
