"""A new practice is safe from the first minute: screening questions and published
consent texts, whether it is made in the admin, by the command or by the demo."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from backcourse.clients.consent import consent_current_texts, consent_missing
from backcourse.clients.models import ScreeningQuestion
from backcourse.clients.screening import DEFAULT_QUESTIONS
from backcourse.clients.services import practice_create
from backcourse.practices.models import Practice
from tests import factories as f


def assert_safe(practice):
    codes = set(ScreeningQuestion.objects.filter(practice=practice).values_list("code", flat=True))
    assert codes == {q[0] for q in DEFAULT_QUESTIONS}
    assert {t.kind for t in consent_current_texts(practice)} == {"treatment", "health_data"}
    client = f.ClientFactory(practice=practice)
    assert consent_missing(client) == ["treatment", "health_data"]  # records wait for consent


def test_the_service_gives_the_safety_rows(db):
    practice = practice_create(practice=Practice(name="Neu", slug="neu"))
    assert_safe(practice)


def test_the_admin_creates_through_the_service(admin_client):
    response = admin_client.post(
        reverse("admin:practices_practice_add"),
        {
            "name": "Studio Nord",
            "slug": "studio-nord",
            "time_zone": "Europe/Berlin",
            "language": "en",
            "reminder_hours_before": 24,
            "cancellation_notice_hours": 24,
            "online_booking": "on",
            "therapist_clinical_scope": "all",
            "staff-TOTAL_FORMS": "0",
            "staff-INITIAL_FORMS": "0",
            "staff-MIN_NUM_FORMS": "0",
            "staff-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert_safe(Practice.objects.get(slug="studio-nord"))


def test_the_command_creates_through_the_service(db):
    call_command("create_practice", "Studio Süd", "studio-sued", "--language", "de")
    assert_safe(Practice.objects.get(slug="studio-sued"))


def test_the_command_refuses_a_bad_time_zone_and_creates_nothing(db):
    with pytest.raises(CommandError):
        call_command("create_practice", "X", "x", "--time-zone", "Mars/Olympus")
    assert not Practice.objects.exists()
