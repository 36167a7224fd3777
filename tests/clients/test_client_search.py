"""The client picker's type-ahead search: scoped to the practice, paged, contact only."""

import pytest
from django.urls import reverse

from backcourse.clients.search import PAGE_SIZE
from tests import factories as f

pytestmark = pytest.mark.django_db


def search(client, q, page=1):
    return client.get(reverse("clients:search"), {"q": q, "page": page}).json()


def test_it_finds_by_name_email_or_phone_in_my_practice_only(as_therapist_a, practice_a, client_b):
    rita = f.ClientFactory(
        practice=practice_a, first_name="Rita", last_name="Roth", phone="+49 171 555"
    )
    f.ClientFactory(practice=client_b.practice, first_name="Rita", last_name="Roth")
    assert [r["id"] for r in search(as_therapist_a, "rita")["results"]] == [rita.pk]
    assert [r["id"] for r in search(as_therapist_a, "roth rit")["results"]] == [rita.pk]
    assert [r["id"] for r in search(as_therapist_a, "171 555")["results"]] == [rita.pk]
    assert search(as_therapist_a, "rita")["results"][0]["label"] == "Rita Roth"


def test_archived_clients_and_empty_queries_give_nothing(as_therapist_a, practice_a):
    f.ClientFactory(practice=practice_a, first_name="Old", last_name="Client", is_archived=True)
    assert search(as_therapist_a, "old")["results"] == []
    assert search(as_therapist_a, "  ")["results"] == []


def test_results_come_in_pages(as_therapist_a, practice_a):
    for i in range(PAGE_SIZE + 5):
        f.ClientFactory(practice=practice_a, first_name="Max", last_name=f"Muster{i:02d}")
    first = search(as_therapist_a, "max")
    second = search(as_therapist_a, "max", page=2)
    assert len(first["results"]) == PAGE_SIZE and first["has_more"]
    assert len(second["results"]) == 5 and not second["has_more"]
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}
    assert search(as_therapist_a, "max", page="x")["page"] == 1


def test_it_needs_staff(client, client_a):
    assert client.get(reverse("clients:search"), {"q": "a"}).status_code == 302
