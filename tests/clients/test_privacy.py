"""Every staff page of the day/week, clients and courses: another practice gets 404,
the anonymous are sent to log in, a signed-in user who is not staff gets 404."""

import pytest
from django.urls import reverse

from backcourse.audit.models import AccessEvent
from backcourse.clients.models import Client
from backcourse.courses.models import Course
from backcourse.scheduling.models import Session
from tests import factories as f

pytestmark = pytest.mark.django_db

# (method, url name, how to build args/query from practice_a's objects)
OBJECT_VIEWS = [
    ("get", "clients:detail", lambda o: reverse("clients:detail", args=[o["client"].pk])),
    ("get", "clients:edit", lambda o: reverse("clients:edit", args=[o["client"].pk])),
    ("post", "clients:edit", lambda o: reverse("clients:edit", args=[o["client"].pk])),
    ("get", "courses:detail", lambda o: reverse("courses:detail", args=[o["course"].pk])),
    ("get", "courses:edit", lambda o: reverse("courses:edit", args=[o["course"].pk])),
    ("post", "courses:edit", lambda o: reverse("courses:edit", args=[o["course"].pk])),
    ("get", "courses:create", lambda o: reverse("courses:create") + f"?client={o['client'].pk}"),
    ("post", "courses:create", lambda o: reverse("courses:create") + f"?client={o['client'].pk}"),
    (
        "get",
        "scheduling:session_create",
        lambda o: reverse("scheduling:session_create") + f"?client={o['client'].pk}",
    ),
    (
        "get",
        "scheduling:session_create",
        lambda o: reverse("scheduling:session_create") + f"?course={o['course'].pk}",
    ),
    (
        "post",
        "scheduling:session_create",
        lambda o: reverse("scheduling:session_create") + f"?course={o['course'].pk}",
    ),
    (
        "post",
        "scheduling:session_status",
        lambda o: reverse("scheduling:session_status", args=[o["session"].pk]),
    ),
]

PLAIN_VIEWS = [
    ("get", lambda o: reverse("scheduling:day")),
    ("get", lambda o: reverse("scheduling:week")),
    ("get", lambda o: reverse("clients:list")),
    ("get", lambda o: reverse("clients:create")),
    ("post", lambda o: reverse("clients:create")),
    ("get", lambda o: reverse("scheduling:session_create")),
]

POST_DATA = {
    "first_name": "Mallory",
    "last_name": "Intruder",
    "complaint": "Stolen",
    "status": "cancelled",
    "date": "2026-11-10",
    "time": "10:00",
    "duration_minutes": "60",
}


@pytest.fixture
def objects_a(client_a, course_a, session_a):
    return {"client": client_a, "course": course_a, "session": session_a}


def _call(client, method, url):
    return client.post(url, POST_DATA) if method == "post" else client.get(url)


def _unchanged(objects_a):
    objects_a["client"].refresh_from_db()
    objects_a["course"].refresh_from_db()
    objects_a["session"].refresh_from_db()
    assert objects_a["client"].first_name == "Clara"
    assert objects_a["course"].complaint == "Chronic low back pain"
    assert objects_a["session"].status == Session.Status.BOOKED
    assert Course.objects.count() == 1
    assert Session.objects.count() == 1


@pytest.mark.parametrize(
    ("method", "name", "url"), OBJECT_VIEWS, ids=[f"{m}-{n}" for m, n, _ in OBJECT_VIEWS]
)
def test_other_practice_gets_404(as_therapist_b, objects_a, method, name, url):
    r = _call(as_therapist_b, method, url(objects_a))
    assert r.status_code == 404
    _unchanged(objects_a)
    assert not AccessEvent.objects.filter(client=objects_a["client"]).exists()


@pytest.mark.parametrize(
    ("method", "url"),
    [(m, u) for m, _, u in OBJECT_VIEWS] + PLAIN_VIEWS,
    ids=[f"{m}-{n}" for m, n, _ in OBJECT_VIEWS]
    + [f"{m}-plain{i}" for i, (m, _) in enumerate(PLAIN_VIEWS)],
)
def test_anonymous_is_sent_to_login(client, objects_a, method, url):
    r = _call(client, method, url(objects_a))
    assert r.status_code == 302
    assert r["Location"].startswith(reverse("accounts:login"))
    _unchanged(objects_a)


@pytest.mark.parametrize(
    ("method", "url"),
    [(m, u) for m, _, u in OBJECT_VIEWS] + PLAIN_VIEWS,
    ids=[f"{m}-{n}" for m, n, _ in OBJECT_VIEWS]
    + [f"{m}-plain{i}" for i, (m, _) in enumerate(PLAIN_VIEWS)],
)
def test_signed_in_non_staff_gets_404(client, objects_a, method, url):
    client.force_login(f.UserFactory())
    r = _call(client, method, url(objects_a))
    assert r.status_code == 404
    _unchanged(objects_a)
    assert Client.objects.filter(last_name="Intruder").count() == 0


def test_other_practice_sees_none_of_practice_a_in_lists(as_therapist_b, objects_a):
    for url in (reverse("clients:list") + "?q=Clara", reverse("scheduling:day") + "?therapist=all"):
        assert "Adler" not in as_therapist_b.get(url).content.decode()


def test_other_practice_cannot_book_with_practice_a_objects(as_therapist_b, therapist_b, objects_a):
    r = as_therapist_b.post(
        reverse("scheduling:session_create"),
        {
            "therapist": therapist_b.pk,
            "client": objects_a["client"].pk,
            "course": objects_a["course"].pk,
            "date": "2026-11-10",
            "time": "10:00",
            "duration_minutes": "60",
        },
    )
    assert r.status_code == 400
    assert {"client", "course"} <= set(r.context["form"].errors)
    assert Session.objects.count() == 1
