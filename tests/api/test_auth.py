from datetime import timedelta

import time_machine
from django.utils import timezone

from backcourse.api.models import ApiToken
from backcourse.api.services import api_token_create


def test_it_requires_authentication(client, db):
    response = client.get("/api/v1/clients")
    assert response.status_code == 401


def test_it_rejects_an_unknown_token(client, client_a):
    response = client.get("/api/v1/clients", HTTP_AUTHORIZATION="Bearer bc_not-a-token")
    assert response.status_code == 401


def test_it_accepts_a_token_and_marks_it_used(api_a, client_a, token_a):
    response = api_a.get("/api/v1/clients")
    assert response.status_code == 200
    assert [c["id"] for c in response.json()["items"]] == [client_a.pk]
    assert ApiToken.objects.get().last_used_at is not None


def test_it_rejects_a_revoked_token(api_a, client_a):
    ApiToken.objects.update(revoked_at=timezone.now())
    assert api_a.get("/api/v1/clients").status_code == 401


def test_it_rejects_the_token_of_a_deactivated_staff_member(api_a, therapist_a):
    therapist_a.is_active = False
    therapist_a.save()
    assert api_a.get("/api/v1/clients").status_code == 401


def test_only_a_hash_of_the_token_is_stored(therapist_a):
    row, token = api_token_create(staff=therapist_a, name="x")
    stored = ApiToken.objects.filter(pk=row.pk).values_list("token_hash", "prefix", "name").get()
    assert token not in "".join(stored)
    assert token.startswith(row.prefix)


def test_a_logged_in_staff_session_works(as_therapist_a, client_a):
    response = as_therapist_a.get("/api/v1/clients")
    assert response.status_code == 200


def test_a_session_post_needs_the_csrf_token(client, therapist_a, session_a):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(therapist_a.user)
    response = browser.post(
        f"/api/v1/sessions/{session_a.pk}/measures",
        {"pain_before": 5},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_a_token_post_needs_no_csrf_token(therapist_a, token_a, session_a):
    from django.test import Client

    integration = Client(enforce_csrf_checks=True)
    # Measures are taken once the session has begun.
    with time_machine.travel(session_a.starts_at + timedelta(minutes=5), tick=False):
        response = integration.post(
            f"/api/v1/sessions/{session_a.pk}/measures",
            {"pain_before": 5},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token_a}",
        )
    assert response.status_code == 200


def test_a_client_login_is_not_staff(client, client_a):
    from tests.factories import UserFactory

    user = UserFactory()
    client_a.user = user
    client_a.save()
    client.force_login(user)
    assert client.get("/api/v1/clients").status_code == 401
