"""The session record refuses to save without the client's current consent — but only
in a practice that publishes consent texts (others manage consent on paper)."""

import pytest
from django.urls import reverse

from backcourse.records.models import SessionRecord
from backcourse.records.services import ConsentMissing, SessionRecordData, session_record_save


def _post(client, session):
    return client.post(
        reverse("records:edit", args=[session.pk]),
        {"version": "0", "subjective": "Typed notes", "m_pain_before": "6"},
    )


def test_record_form_refuses_without_consent_and_keeps_what_was_typed(
    as_therapist_a, session_a, consents_a
):
    response = _post(as_therapist_a, session_a)
    assert response.status_code == 200
    assert "No current consent for treatment/health data" in response.content.decode()
    assert b"Typed notes" in response.content
    assert not SessionRecord.objects.exists()


def test_record_form_saves_once_the_client_agreed(as_therapist_a, session_a, agreed_a):
    response = _post(as_therapist_a, session_a)
    assert response.status_code == 302
    assert SessionRecord.objects.get().subjective == "Typed notes"


def test_a_practice_without_consent_texts_is_not_blocked(as_therapist_a, session_a):
    assert _post(as_therapist_a, session_a).status_code == 302


def test_the_service_refuses_too(session_a, therapist_a, consents_a):
    with pytest.raises(ConsentMissing):
        session_record_save(
            session=session_a, data=SessionRecordData(), user=therapist_a.user, expected_version=0
        )
    assert not SessionRecord.objects.exists()
