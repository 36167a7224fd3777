from django.urls import reverse

from backcourse.api.models import ApiToken
from backcourse.api.services import api_token_create


def test_tokens_page_needs_login(client, db):
    response = client.get(reverse("api:tokens"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_staff_creates_a_token_and_sees_it_once(as_therapist_a, client_a):
    response = as_therapist_a.post(reverse("api:tokens"), {"name": "Accounting"})
    assert response.status_code == 200
    token = response.context["new_token"]
    assert token.encode() in response.content
    assert "no-store" in response["Cache-Control"]
    assert ApiToken.objects.get().name == "Accounting"
    # Shown once: the list page afterwards only shows its first characters.
    again = as_therapist_a.get(reverse("api:tokens"))
    assert token.encode() not in again.content
    assert b"Accounting" in again.content
    # And it works.
    as_therapist_a.logout()
    assert (
        as_therapist_a.get("/api/v1/clients", HTTP_AUTHORIZATION=f"Bearer {token}").status_code
        == 200
    )


def test_a_token_needs_a_name(as_therapist_a):
    response = as_therapist_a.post(reverse("api:tokens"), {"name": "   "})
    assert response.status_code == 200
    assert response.context["new_token"] is None
    assert response.context["form"].errors["name"]
    assert not ApiToken.objects.exists()


def test_staff_revokes_own_token(as_therapist_a, therapist_a):
    row, token = api_token_create(staff=therapist_a, name="Old script")
    response = as_therapist_a.post(reverse("api:token_revoke", args=[row.pk]))
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is not None
    as_therapist_a.logout()
    assert (
        as_therapist_a.get("/api/v1/clients", HTTP_AUTHORIZATION=f"Bearer {token}").status_code
        == 401
    )


def test_nobody_else_sees_or_revokes_my_tokens(client, therapist_a, therapist_b, front_desk_a):
    row, _ = api_token_create(staff=therapist_a, name="Anna's export")
    for other in (therapist_b, front_desk_a):
        client.force_login(other.user)
        assert b"Anna's export" not in client.get(reverse("api:tokens")).content
        response = client.post(reverse("api:token_revoke", args=[row.pk]))
        assert response.status_code == 404
    row.refresh_from_db()
    assert row.revoked_at is None


def test_revoke_needs_post(as_therapist_a, therapist_a):
    row, _ = api_token_create(staff=therapist_a, name="x")
    assert as_therapist_a.get(reverse("api:token_revoke", args=[row.pk])).status_code == 405
