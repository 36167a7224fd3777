"""Two-factor login: enrol an authenticator app, then every login asks for a code."""

import time
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD


def code_for(device: TOTPDevice) -> str:
    """The code the user's app shows now (the test's clock)."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


@pytest.fixture
def device_a(therapist_a):
    return TOTPDevice.objects.create(user=therapist_a.user, name="phone", confirmed=True)


def _password_login(client, username="anna"):
    return client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})


def test_enrol_shows_secret_and_uri_and_confirms_with_a_code(as_therapist_a, therapist_a):
    response = as_therapist_a.get(reverse("accounts:two_factor"))
    assert response.status_code == 200
    device = TOTPDevice.objects.get(user=therapist_a.user, confirmed=False)
    assert response.context["otpauth_uri"].startswith("otpauth://totp/Backcourse%3Aanna?")
    assert response.context["secret"].replace(" ", "").encode() in response.content.replace(
        b" ", b""
    )
    response = as_therapist_a.post(reverse("accounts:two_factor"), {"code": code_for(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    # The enrolling session counts as verified: the pages keep working.
    assert as_therapist_a.get(reverse("api:tokens")).status_code == 200


def test_enrol_with_a_wrong_code_keeps_it_off(as_therapist_a, therapist_a):
    as_therapist_a.get(reverse("accounts:two_factor"))
    response = as_therapist_a.post(reverse("accounts:two_factor"), {"code": "12345x"})
    assert response.status_code == 200
    assert "6 digits" in str(response.context["form"].errors["code"])
    assert b'value="12345x"' in response.content
    assert not TOTPDevice.objects.filter(confirmed=True).exists()


def test_login_with_device_asks_for_a_code_before_any_page(client, therapist_a, device_a):
    response = _password_login(client)
    assert response.status_code == 302
    response = client.get(reverse("scheduling:day"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_verify"))
    for url in (reverse("api:tokens"), reverse("clients:list"), "/admin/"):
        assert client.get(url)["Location"].startswith(reverse("accounts:two_factor_verify"))
    # Nor does the API let the unverified session in.
    assert client.get("/api/v1/clients").status_code == 401

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b"Enter your code" in page.content
    response = client.post(
        reverse("accounts:two_factor_verify"), {"code": code_for(device_a), "next": "/clients/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/clients/"
    assert client.get(reverse("api:tokens")).status_code == 200
    assert client.get("/api/v1/clients").status_code == 200


def test_login_without_device_needs_no_code(client, therapist_a):
    _password_login(client)
    assert client.get(reverse("api:tokens")).status_code == 200


def test_wrong_codes_are_refused_and_throttled(client, therapist_a, device_a):
    _password_login(client)
    url = reverse("accounts:two_factor_verify")
    now = time.time()
    with time_machine.travel(now, tick=False):
        wrong = "000000" if code_for(device_a) != "000000" else "111111"
        response = client.post(url, {"code": wrong})
        assert response.status_code == 200
        assert "not right" in str(response.context["form"].errors["code"])
        # Straight after a wrong code even the right one is refused: guessing is slow.
        response = client.post(url, {"code": code_for(device_a)})
        assert "Too many wrong codes" in str(response.context["form"].errors["code"])
        assert client.get(reverse("api:tokens")).status_code == 302
    device_a.refresh_from_db()
    assert device_a.throttling_failure_count == 1
    with time_machine.travel(now + 5, tick=False):
        response = client.post(url, {"code": code_for(device_a)})
        assert response.status_code == 302
    device_a.refresh_from_db()
    assert device_a.throttling_failure_count == 0


def test_throttle_delay_grows_with_each_wrong_code(client, therapist_a, device_a):
    _password_login(client)
    url = reverse("accounts:two_factor_verify")
    start = time.time()
    for k in range(4):
        # Wait out the current delay (1, 2, 4 s), then guess wrong again.
        with time_machine.travel(start + 10 * k, tick=False):
            client.post(url, {"code": "000001" if code_for(device_a) != "000001" else "000002"})
    device_a.refresh_from_db()
    assert device_a.throttling_failure_count == 4
    with time_machine.travel(device_a.throttling_failure_timestamp + timedelta(seconds=7)):
        response = client.post(url, {"code": code_for(device_a)})
        assert "Too many wrong codes" in str(response.context["form"].errors["code"])


def test_verify_page_redirects_when_no_code_is_needed(as_therapist_a):
    response = as_therapist_a.get(reverse("accounts:two_factor_verify") + "?next=/clients/")
    assert response["Location"] == "/clients/"


def test_verify_page_ignores_an_offsite_next(client, therapist_a, device_a):
    _password_login(client)
    response = client.post(
        reverse("accounts:two_factor_verify"),
        {"code": code_for(device_a), "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert "evil" not in response["Location"]


def test_logout_works_before_the_code(client, therapist_a, device_a):
    _password_login(client)
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session


def test_turning_it_off_needs_a_code(client, therapist_a, device_a):
    _password_login(client)
    client.post(reverse("accounts:two_factor_verify"), {"code": code_for(device_a)})
    response = client.post(reverse("accounts:two_factor"), {"code": "abc"})
    assert response.status_code == 200
    assert TOTPDevice.objects.filter(user=therapist_a.user, confirmed=True).exists()
    with time_machine.travel(time.time() + 60, tick=False):
        response = client.post(reverse("accounts:two_factor"), {"code": code_for(device_a)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=therapist_a.user).exists()


def test_two_factor_page_needs_login(client, db):
    response = client.get(reverse("accounts:two_factor"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_api_tokens_work_for_staff_with_two_factor(client, therapist_a, device_a):
    # Tokens are created behind the code step; using one needs no code.
    from backcourse.api.services import api_token_create

    _, token = api_token_create(staff=therapist_a, name="x")
    assert client.get("/api/v1/clients", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


@pytest.mark.parametrize("with_device", [False, True])
def test_the_api_through_the_session_asks_for_the_device_once(
    client, therapist_a, device_a, with_device
):
    """The middleware and the API's session authentication both ask whether a second
    factor is needed: one query for the user's devices per request, same answers."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if not with_device:
        device_a.delete()
    _password_login(client)
    with CaptureQueriesContext(connection) as queries:
        status = client.get("/api/v1/clients").status_code
    assert status == (401 if with_device else 200)
    device_queries = [q for q in queries.captured_queries if "otp_totp_totpdevice" in q["sql"]]
    assert len(device_queries) == 1
