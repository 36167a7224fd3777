from django.urls import reverse

from tests import factories as f
from tests.factories import PASSWORD


def test_login_page_renders(client, db):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert b'name="password"' in response.content


def test_staff_logs_in_and_out(client, therapist_a):
    response = client.post(reverse("accounts:login"), {"username": "anna", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(therapist_a.user.pk)
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session


def test_wrong_password_gets_a_message_and_keeps_username(client, therapist_a):
    response = client.post(reverse("accounts:login"), {"username": "anna", "password": "nope"})
    assert response.status_code == 200
    assert b"correct username and password" in response.content
    assert b'value="anna"' in response.content
    assert "_auth_user_id" not in client.session


def test_logins_are_throttled_after_repeated_failures(client, therapist_a, settings):
    url = reverse("accounts:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "anna", "password": "wrong"})
    # Even the right password is refused while locked out.
    response = client.post(url, {"username": "anna", "password": PASSWORD})
    assert response.status_code == 429
    assert b"Too many failed logins" in response.content
    assert "_auth_user_id" not in client.session


def test_home_leads_staff_to_their_day_and_clients_to_their_pages(client, therapist_a, client_a):
    assert client.get("/").url.startswith(reverse("accounts:login"))
    client.force_login(therapist_a.user)
    assert client.get("/").url == reverse("scheduling:day")
    client_user = f.UserFactory()
    client_a.user = client_user
    client_a.save(update_fields=["user"])
    client.force_login(client_user)
    assert client.get("/").url == reverse("portal:home")


def test_a_client_logging_in_with_a_password_lands_on_their_pages(client, client_a):
    client_a.user = f.UserFactory(username="clara")
    client_a.save(update_fields=["user"])
    response = client.post(reverse("accounts:login"), {"username": "clara", "password": PASSWORD})
    assert client.get(response.url, follow=True).redirect_chain[-1][0] == reverse("portal:home")
