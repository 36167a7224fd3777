import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from backcourse.audit.models import AccessEvent
from backcourse.measures.models import MeasureDefinition
from backcourse.records.models import Measurement, SessionRecord
from backcourse.scheduling.models import Session
from tests import factories as f


def _measure(session, code, moment, value):
    record, _ = SessionRecord.objects.get_or_create(session=session)
    Measurement.objects.create(
        record=record,
        measure=MeasureDefinition.objects.get(code=code),
        moment=moment,
        value=Decimal(value),
    )


def test_client_list_searches_and_pages(api_a, practice_a, client_a):
    f.ClientFactory(practice=practice_a, first_name="Dora", last_name="Zander")
    f.ClientFactory(practice=practice_a, first_name="Emil", last_name="Zander")
    body = api_a.get("/api/v1/clients?q=zander&limit=1").json()
    assert body["count"] == 2
    assert [c["first_name"] for c in body["items"]] == ["Dora"]
    body = api_a.get("/api/v1/clients?q=zander&limit=1&offset=1").json()
    assert [c["first_name"] for c in body["items"]] == ["Emil"]


def test_client_list_rejects_a_bad_limit(api_a, db):
    assert api_a.get("/api/v1/clients?limit=0").status_code == 422


def test_client_detail_is_audited(api_a, therapist_a, client_a, course_a):
    body = api_a.get(f"/api/v1/clients/{client_a.pk}").json()
    assert body["last_name"] == "Adler"
    assert [c["id"] for c in body["courses"]] == [course_a.pk]
    event = AccessEvent.objects.get(client=client_a)
    assert event.user == therapist_a.user
    assert event.what == "API: client"


def test_course_detail_has_plan_and_session_measures(api_a, course_a, session_a):
    _measure(session_a, "pain", "before", "6")
    _measure(session_a, "pain", "after", "3")
    body = api_a.get(f"/api/v1/courses/{course_a.pk}").json()
    assert body["goal"] == {"measure": "pain", "kind": "target", "value": 3.0}
    assert body["planned_sessions"] == 8
    [session] = body["sessions"]
    assert session["number"] == 1
    assert session["measures"]["pain"] == {"before": 6.0, "after": 3.0}
    assert session["starts_at"].startswith(session_a.starts_at.strftime("%Y-%m-%dT%H:%M"))
    assert AccessEvent.objects.filter(client=course_a.client, what="API: course").exists()


def test_course_effect(api_a, course_a):
    sessions = [
        f.SessionFactory(
            course=course_a,
            starts_at=datetime(2026, 10, 1 + 7 * k, 9, tzinfo=UTC),
            status=Session.Status.COMPLETED,
        )
        for k in range(3)
    ]
    for s, (before, after) in zip(sessions, [(7, 4), (6, 3), (5, 3)], strict=True):
        _measure(s, "pain", "before", before)
        _measure(s, "pain", "after", after)
    response = api_a.get(f"/api/v1/courses/{course_a.pk}/effect?measure=pain")
    assert response.status_code == 200
    body = response.json()
    assert body["measure"] == "pain"
    assert body["goal"] == 3.0
    assert body["effect"]["immediate_relief"] == [3.0, 3.0, 2.0]
    assert body["effect"]["lasting_relief"] == 2.0
    assert AccessEvent.objects.filter(what="API: course effect (pain)").exists()


def test_course_effect_rejects_an_unknown_measure(api_a, course_a):
    response = api_a.get(f"/api/v1/courses/{course_a.pk}/effect?measure=happiness")
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["query", "measure"]
    assert "not a known measure" in error["msg"]


def test_sessions_between_dates_in_utc(api_a, course_a):
    inside = f.SessionFactory(course=course_a, starts_at=datetime(2026, 11, 10, 23, tzinfo=UTC))
    f.SessionFactory(course=course_a, starts_at=datetime(2026, 11, 11, 0, tzinfo=UTC))
    body = api_a.get("/api/v1/sessions?from=2026-11-10&to=2026-11-10").json()
    assert [s["id"] for s in body["items"]] == [inside.pk]
    assert body["items"][0]["starts_at"] in ("2026-11-10T23:00:00Z", "2026-11-10T23:00:00+00:00")
    body = api_a.get(
        "/api/v1/sessions", {"from": "2026-11-10T23:30:00+01:00", "to": "2026-11-11T00:00:00Z"}
    ).json()
    assert [s["id"] for s in body["items"]] == [inside.pk]


def test_sessions_reject_bad_dates(api_a, db):
    response = api_a.get("/api/v1/sessions?from=tomorrow")
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["query", "from"]
    assert "ISO 8601" in error["msg"]
    response = api_a.get("/api/v1/sessions?from=2026-11-10&to=2026-11-01")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "to"]
    assert api_a.get("/api/v1/sessions?from=2026-02-30").status_code == 422


@pytest.fixture
def after_session_a(session_a):
    with time_machine.travel(session_a.ends_at + timedelta(hours=1), tick=False):
        yield


def test_post_measures_saves_values_and_keeps_notes(api_a, session_a, therapist_a, after_session_a):
    SessionRecord.objects.create(session=session_a, subjective="Stiff after gardening")
    response = api_a.post(
        f"/api/v1/sessions/{session_a.pk}/measures",
        {"pain_before": 6, "pain_after": 3, "stress_before": "4"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["measures"]["pain"] == {"before": 6.0, "after": 3.0}
    assert body["measures"]["stress"] == {"before": 4.0, "after": None}
    record = SessionRecord.objects.get(session=session_a)
    assert record.subjective == "Stiff after gardening"
    assert record.version == 2  # an open record form now gets a conflict
    assert AccessEvent.objects.filter(action="change", client=session_a.client).exists()
    session_a.refresh_from_db()
    assert session_a.status == "completed"  # like a saved record form


def test_post_measures_for_a_session_not_started_is_refused_like_the_form(api_a, session_a):
    with time_machine.travel(session_a.starts_at - timedelta(minutes=5), tick=False):
        response = api_a.post(
            f"/api/v1/sessions/{session_a.pk}/measures",
            {"pain_before": 6},
            content_type="application/json",
        )
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "This session has not started yet. Its record can be written once it has."
    )
    assert not SessionRecord.objects.exists()


def test_post_measures_validates_every_field_and_saves_nothing(api_a, session_a):
    response = api_a.post(
        f"/api/v1/sessions/{session_a.pk}/measures",
        {"pain_before": 11, "pain_after": 3, "stress_after": -1, "stress_before": 2.5},
        content_type="application/json",
    )
    assert response.status_code == 422
    errors = {e["loc"][-1]: e["msg"] for e in response.json()["detail"]}
    assert set(errors) == {"pain_before", "stress_after", "stress_before"}
    assert "between 0 and 10" in errors["pain_before"]
    assert "steps of 1" in errors["stress_before"]
    assert not Measurement.objects.exists()
    assert not SessionRecord.objects.exists()


def test_post_measures_rejects_text(api_a, session_a):
    response = api_a.post(
        f"/api/v1/sessions/{session_a.pk}/measures",
        {"pain_before": "a lot"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "pain_before"
    assert not Measurement.objects.exists()


def test_post_measures_with_a_stale_version_is_a_conflict(api_a, session_a, after_session_a):
    SessionRecord.objects.create(session=session_a, version=3)
    response = api_a.post(
        f"/api/v1/sessions/{session_a.pk}/measures",
        {"pain_before": 6, "version": 2},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert not Measurement.objects.exists()


def test_post_measures_on_a_cancelled_session_is_refused(api_a, session_a, after_session_a):
    Session.objects.filter(pk=session_a.pk).update(status=Session.Status.CANCELLED)
    response = api_a.post(
        f"/api/v1/sessions/{session_a.pk}/measures",
        {"pain_before": 6},
        content_type="application/json",
    )
    assert response.status_code == 409


def test_the_session_list_is_what_its_schema_makes_of_it(api_a, course_a, therapist_a):
    """The list is answered without ninja's per-item validation: it must be exactly the
    JSON that validating it against SessionPage and dumping it gives."""
    from ninja.responses import NinjaJSONEncoder

    from backcourse.api.api import SessionPage

    room = f.RoomFactory(practice=course_a.practice, name="Blue")
    f.SessionFactory(course=course_a, starts_at=datetime(2026, 11, 10, 9, tzinfo=UTC), room=room)
    f.SessionFactory(course=course_a, starts_at=datetime(2026, 11, 10, 11, tzinfo=UTC))
    response = api_a.get("/api/v1/sessions?from=2026-11-10&to=2026-11-10&limit=5")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["count"] == 2 and [s["room"] for s in body["items"]] == ["Blue", None]
    assert body["items"][0]["therapist"] == {"id": therapist_a.pk, "name": therapist_a.name}
    expected = json.dumps(SessionPage.model_validate(body).model_dump(), cls=NinjaJSONEncoder)
    assert response.content.decode() == expected
