"""A token of another practice sees none of practice A's objects: 404 everywhere."""

from datetime import UTC, datetime

import pytest

from backcourse.api.services import api_token_create
from backcourse.audit.models import AccessEvent
from tests import factories as f


@pytest.fixture
def api_b(client, therapist_b):
    _, token = api_token_create(staff=therapist_b, name="B's integration")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def test_other_practice_gets_404_on_every_object(api_b, client_a, course_a, session_a):
    urls = [
        f"/api/v1/clients/{client_a.pk}",
        f"/api/v1/courses/{course_a.pk}",
        f"/api/v1/courses/{course_a.pk}/effect?measure=pain",
    ]
    for url in urls:
        assert api_b.get(url).status_code == 404, url
    response = api_b.post(
        f"/api/v1/sessions/{session_a.pk}/measures",
        {"pain_before": 5},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert not AccessEvent.objects.filter(client=client_a).exists()


def test_other_practice_lists_only_its_own(api_b, client_a, client_b, course_a, course_b):
    when = datetime(2026, 11, 10, 9, tzinfo=UTC)
    f.SessionFactory(course=course_a, starts_at=when)
    session_b = f.SessionFactory(course=course_b, starts_at=when)
    clients = api_b.get("/api/v1/clients").json()
    assert [c["id"] for c in clients["items"]] == [client_b.pk]
    sessions = api_b.get("/api/v1/sessions?from=2026-11-10&to=2026-11-10").json()
    assert [s["id"] for s in sessions["items"]] == [session_b.pk]


def test_a_session_of_other_practice_gets_404(client, therapist_b, client_a, course_a):
    client.force_login(therapist_b.user)
    assert client.get(f"/api/v1/courses/{course_a.pk}").status_code == 404
    assert client.get(f"/api/v1/clients/{client_a.pk}").status_code == 404
