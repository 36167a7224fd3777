"""A session record is written only with the client's current consent — by the record
form, the API and the check-in alike, with the same message — but only in a practice
that publishes consent texts (others manage consent on paper)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from backcourse.portal.models import CheckIn
from backcourse.records.models import SessionRecord
from backcourse.records.services import (
    CONSENT_MISSING_MESSAGE,
    RecordRefused,
    SessionRecordData,
    session_record_save,
)
from tests import factories as f

MESSAGE = str(CONSENT_MISSING_MESSAGE)


HELD_AT = datetime(2026, 11, 30, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def after_session_a():
    """The clock stands on 1 Dec 2026, after session_a."""
    with time_machine.travel(datetime(2026, 12, 1, 12, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def session_a(course_a):
    return f.SessionFactory(course=course_a, starts_at=HELD_AT)


def _post(client, session):
    return client.post(
        reverse("records:edit", args=[session.pk]),
        {"version": "0", "subjective": "Typed notes", "m_pain_before": "6"},
    )


def _api(client, session, token):
    return client.post(
        f"/api/v1/sessions/{session.pk}/measures",
        {"pain_before": 6},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


@pytest.fixture
def token_a(therapist_a):
    from backcourse.api.services import api_token_create

    return api_token_create(staff=therapist_a, name="Scale")[1]


def test_record_form_refuses_without_consent_and_keeps_what_was_typed(
    as_therapist_a, session_a, consents_a
):
    response = _post(as_therapist_a, session_a)
    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    assert b"Typed notes" in response.content
    assert not SessionRecord.objects.exists()


def test_the_api_refuses_without_consent_with_the_forms_words(
    client, session_a, consents_a, token_a
):
    response = _api(client, session_a, token_a)
    assert response.status_code == 409
    assert response.json()["detail"] == MESSAGE
    assert not SessionRecord.objects.exists()
    session_a.refresh_from_db()
    assert session_a.status == "booked"


def test_the_check_in_refuses_without_consent_too(course_a, consents_a):
    from backcourse.portal.services import PortalError, checkin_save

    soon = f.SessionFactory(course=course_a, starts_at=datetime(2026, 12, 1, 14, tzinfo=UTC))
    with pytest.raises(PortalError) as exc:
        checkin_save(session=soon, pain=5, stress=3)
    assert str(exc.value) == MESSAGE
    assert not SessionRecord.objects.exists() and not CheckIn.objects.exists()
    soon.refresh_from_db()
    assert soon.status == "booked"


def test_record_form_and_api_save_once_the_client_agreed(
    as_therapist_a, client, session_a, agreed_a, token_a
):
    response = _post(as_therapist_a, session_a)
    assert response.status_code == 302
    assert SessionRecord.objects.get().subjective == "Typed notes"
    later = f.SessionFactory(
        course=session_a.course, starts_at=session_a.starts_at + timedelta(days=1)
    )
    assert _api(client, later, token_a).status_code == 200


def test_a_practice_without_consent_texts_is_not_blocked(as_therapist_a, session_a):
    assert _post(as_therapist_a, session_a).status_code == 302


def test_the_service_refuses_too(session_a, therapist_a, consents_a):
    with pytest.raises(RecordRefused) as exc:
        session_record_save(
            session=session_a, data=SessionRecordData(), user=therapist_a.user, expected_version=0
        )
    assert exc.value.message == MESSAGE
    assert not SessionRecord.objects.exists()
