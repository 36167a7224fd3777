"""A course's complaint is clinical: pages for scheduling and money name a course by its
start date for roles without clinical access, and show the complaint (logged) to those
with it."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from backcourse.audit.models import AccessEvent

NOW = datetime(2026, 11, 2, 7, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _completed(world):
    course = world.objects["courses.course"]
    course.status = "completed"
    course.save(update_fields=["status"])
    return course


def test_front_desk_sees_the_money_summary_without_complaints_or_relief(client, world_a):
    _completed(world_a)
    client.force_login(world_a.staff["front_desk"].user)
    page = client.get(reverse("billing:summary")).content.decode()
    assert "By therapist" in page
    assert "Alpha sciatica" not in page and "Lasting relief" not in page


def test_the_owner_sees_complaints_in_the_money_summary_and_the_read_is_logged(client, world_a):
    course = _completed(world_a)
    client.force_login(world_a.staff["owner"].user)
    page = client.get(reverse("billing:summary")).content.decode()
    assert "Alpha sciatica" in page and "Lasting relief" in page
    assert AccessEvent.objects.filter(client=course.client, what="money summary").exists()


def test_front_desk_books_a_session_into_a_course_named_by_its_date(client, world_a):
    course = world_a.objects["courses.course"]
    client.force_login(world_a.staff["front_desk"].user)
    page = client.get(reverse("scheduling:session_create"), {"course": course.pk}).content.decode()
    assert f"Course since {course.started_on.isoformat()}" in page
    assert "Alpha sciatica" not in page


def test_the_api_gives_no_complaint_to_a_front_desk_token(client, world_a):
    from backcourse.api.services import api_token_create

    _, token = api_token_create(staff=world_a.staff["front_desk"], name="desk")
    therapist_token = world_a.objects["api.token:raw"]
    url = f"/api/v1/clients/{world_a.objects['clients.client'].pk}"
    desk = client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert [c["complaint"] for c in desk["courses"]] == [None]
    therapist = client.get(url, HTTP_AUTHORIZATION=f"Bearer {therapist_token}").json()
    assert [c["complaint"] for c in therapist["courses"]] == ["Alpha sciatica"]
