import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from backcourse.portal.models import EmailToken
from tests.factories import PASSWORD


@pytest.fixture
def ask_link(client, django_capture_on_commit_callbacks):
    def ask(email):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("portal:login"), {"email": email})

    return ask


def _link_path(message) -> str:
    return re.search(r"https?://[^/\s]+(/me/login/[^\s]+/)", message.body).group(1)


def test_login_page_asks_for_email(client, db):
    response = client.get(reverse("portal:login"))
    assert response.status_code == 200
    assert b'name="email"' in response.content


def test_it_emails_a_single_use_link_and_signs_in_creating_the_login(client, client_a, ask_link):
    assert client_a.user is None
    response = ask_link(client_a.email.upper())
    assert b"Check your email" in response.content
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [client_a.email]
    path = _link_path(mail.outbox[0])
    # Opening the link (or a mail scanner following it) does not use it up.
    assert client.get(path).status_code == 200
    response = client.post(path)
    assert response.status_code == 302 and response.url == reverse("portal:home")
    client_a.refresh_from_db()
    assert client_a.user is not None
    assert client.session["_auth_user_id"] == str(client_a.user.pk)
    # Only the hash is stored.
    token = EmailToken.objects.get()
    assert token.used_at is not None and path.strip("/").split("/")[-1] not in token.token_hash


def test_a_reused_link_gets_a_clear_message_and_does_not_sign_in(client, client_a, ask_link):
    ask_link(client_a.email)
    path = _link_path(mail.outbox[0])
    client.post(path)
    client.post(reverse("portal:logout"))
    response = client.post(path)
    assert response.status_code == 400
    assert b"already been used" in response.content
    assert "_auth_user_id" not in client.session


def test_an_expired_link_gets_a_clear_message_and_changes_nothing(client, client_a, ask_link):
    ask_link(client_a.email)
    path = _link_path(mail.outbox[0])
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        response = client.post(path)
    assert response.status_code == 400
    assert b"expired" in response.content
    assert EmailToken.objects.get().used_at is None
    client_a.refresh_from_db()
    assert client_a.user is None


def test_a_tampered_link_is_refused(client, client_a, ask_link):
    ask_link(client_a.email)
    path = _link_path(mail.outbox[0])
    response = client.post(path[:-3] + "xx/")
    assert response.status_code == 400
    assert b"not valid" in response.content


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, client_a, ask_link):
    response = ask_link("nobody@example.org")
    assert b"Check your email" in response.content
    assert mail.outbox == []


def test_a_bad_email_gets_a_message_next_to_the_field(client, db):
    response = client.post(reverse("portal:login"), {"email": "not-an-email"})
    assert response.status_code == 200
    assert b"valid email" in response.content
    assert b'value="not-an-email"' in response.content


def test_client_sets_a_password_and_signs_in_with_it(client, as_client_a, client_a_login, agreed_a):
    response = as_client_a.post(
        reverse("portal:password"),
        {"new_password1": "a-long-Passphrase-77", "new_password2": "a-long-Passphrase-77"},
    )
    assert response.status_code == 302
    as_client_a.post(reverse("portal:logout"))
    response = client.post(
        reverse("portal:login"),
        {"email": client_a_login.email, "password": "a-long-Passphrase-77"},
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(client_a_login.user.pk)


def test_a_wrong_password_gets_a_message_and_keeps_the_email(client, client_a_login):
    response = client.post(
        reverse("portal:login"), {"email": client_a_login.email, "password": "nope"}
    )
    assert b"do not match" in response.content
    assert client_a_login.email.encode() in response.content
    assert "_auth_user_id" not in client.session


def test_client_pages_redirect_anonymous_to_the_client_login(client, db):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("portal:login"))


def test_staff_get_404_on_client_pages(as_therapist_a):
    assert as_therapist_a.get(reverse("portal:home")).status_code == 404
    assert as_therapist_a.get(reverse("portal:data")).status_code == 404


def test_clients_get_404_on_staff_pages(as_client_a, agreed_a):
    assert as_client_a.get(reverse("portal:staff_erasure")).status_code == 404


def test_staff_password_does_not_open_client_login(client, therapist_a):
    response = client.post(
        reverse("portal:login"), {"email": therapist_a.user.email, "password": PASSWORD}
    )
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200
