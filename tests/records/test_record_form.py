"""The session record form: what the therapist sees, types and gets back."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from backcourse.audit.models import AccessEvent
from backcourse.records.models import Measurement, SessionRecord, TensionReading
from backcourse.scheduling.models import Session
from tests import factories as f
from tests.records.helpers import form_data


def url(session):
    return reverse("records:edit", args=[session.pk])


def test_url_is_stable(session_a):
    assert url(session_a) == f"/records/session/{session_a.pk}/"


def test_get_shows_the_form_and_creates_nothing(as_therapist_a, session_a):
    response = as_therapist_a.get(url(session_a))
    assert response.status_code == 200
    html = response.content.decode()
    # Scales, body chart and measures come from the vocabulary rows.
    assert html.count('name="m_pain_before"') == 12  # "not recorded" + 0..10
    assert 'data-region="trapezius_upper_l"' in html
    assert 'name="tension_trapezius_upper_l"' in html
    assert 'name="m_fingertip_floor_before"' in html
    assert "Stroking (effleurage)" in html
    assert not SessionRecord.objects.exists()
    session_a.refresh_from_db()
    assert session_a.status == Session.Status.BOOKED
    assert AccessEvent.objects.filter(client=session_a.client, action="view").exists()


def test_an_inactive_measure_is_not_shown(as_therapist_a, session_a):
    from backcourse.measures.models import MeasureDefinition

    MeasureDefinition.objects.filter(code="stress").update(is_active=False)
    html = as_therapist_a.get(url(session_a)).content.decode()
    assert "m_stress_before" not in html


def test_post_saves_and_redirects_to_the_course(as_therapist_a, session_a):
    response = as_therapist_a.post(url(session_a), form_data())
    assert response.status_code == 302
    assert response.url == reverse("courses:detail", args=[session_a.course_id])
    record = SessionRecord.objects.get(session=session_a)
    assert record.version == 1
    assert record.updated_by == session_a.therapist.user
    assert record.subjective == "Pain worse after desk work."
    values = {(m.measure.code, m.moment): m.value for m in record.measurements.all()}
    assert values == {
        ("pain", "before"): Decimal("7"),
        ("pain", "after"): Decimal("3"),
        ("stress", "before"): Decimal("6"),
        ("stress", "after"): Decimal("2"),
        ("fingertip_floor", "before"): Decimal("24.5"),
        ("fingertip_floor", "after"): Decimal("18"),
    }
    assert {(t.region.code, t.level) for t in record.tension.all()} == {
        ("trapezius_upper_l", 2),
        ("quadratus_lumborum_r", 3),
    }
    assert {t.code for t in record.techniques.all()} == {"effleurage", "petrissage"}
    assert record.pressure == SessionRecord.Pressure.MODERATE
    assert record.duration_minutes == 50
    session_a.refresh_from_db()
    assert session_a.status == Session.Status.COMPLETED
    assert AccessEvent.objects.filter(client=session_a.client, action="change").exists()


def test_a_session_without_course_goes_back_to_the_client(as_therapist_a, client_a, therapist_a):
    session = f.SessionFactory(
        course=None,
        client=client_a,
        practice=client_a.practice,
        therapist=therapist_a,
        starts_at=datetime(2026, 11, 2, 11, tzinfo=UTC),
    )
    response = as_therapist_a.post(url(session), form_data())
    assert response.status_code == 302
    assert response.url == reverse("clients:detail", args=[client_a.pk])


def test_saved_values_come_back_in_the_form(as_therapist_a, session_a):
    as_therapist_a.post(url(session_a), form_data())
    html = as_therapist_a.get(url(session_a)).content.decode()
    assert 'name="m_pain_before" value="7" checked' in html
    assert 'value="24.5"' in html
    assert (
        'data-region="trapezius_upper_l" data-label="Trapezius, upper (left)" data-level="2"'
        in html
    )
    assert "Upper trapezius tender on the left." in html
    assert 'name="version" value="1"' in html


def test_same_as_tense_regions_fills_muscles_treated(as_therapist_a, session_a):
    as_therapist_a.post(url(session_a), form_data(muscles_treated=[], same_as_tension="on"))
    record = SessionRecord.objects.get(session=session_a)
    assert {r.code for r in record.muscles_treated.all()} == {
        "trapezius_upper_l",
        "quadratus_lumborum_r",
    }


def test_clearing_a_value_deletes_it(as_therapist_a, session_a):
    as_therapist_a.post(url(session_a), form_data())
    response = as_therapist_a.post(
        url(session_a),
        form_data(version="1", m_pain_after="", tension_quadratus_lumborum_r="0"),
    )
    assert response.status_code == 302
    record = SessionRecord.objects.get(session=session_a)
    assert record.version == 2
    assert not Measurement.objects.filter(
        record=record, measure__code="pain", moment="after"
    ).exists()
    assert Measurement.objects.get(record=record, measure__code="pain", moment="before").value == 7
    assert list(
        TensionReading.objects.filter(record=record).values_list("region__code", "level")
    ) == [("trapezius_upper_l", 2)]


def _assert_nothing_saved(session):
    assert not SessionRecord.objects.filter(session=session).exists()
    assert not Measurement.objects.exists()
    session.refresh_from_db()
    assert session.status == Session.Status.BOOKED


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("m_pain_before", "11", "Pain must be between 0 and 10."),
        ("m_pain_after", "-1", "Pain must be between 0 and 10."),
        ("m_pain_after", "2.5", "Pain is measured in steps of 1."),
        ("m_stress_before", "many", "Enter a number."),
        ("m_fingertip_floor_before", "75", "Fingertip–floor must be between -30 and 60 cm."),
        ("m_fingertip_floor_after", "12.3", "Fingertip–floor is measured in steps of 0.5 cm."),
        ("m_cervical_rotation_left_before", "190", "Neck rot. L must be between 0 and 100°."),
        ("tension_rhomboids_l", "4", "Tension is rated 0 to 3."),
        ("tension_rhomboids_l", "x", "Tension is rated 0 to 3."),
        ("duration_minutes", "500", "Treatment minutes cannot exceed 240."),
        ("pressure", "9", "Select a valid choice."),
    ],
)
def test_bad_values_get_a_message_and_save_nothing(
    as_therapist_a, session_a, field, value, message
):
    data = form_data(**{field: value})
    response = as_therapist_a.post(url(session_a), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    _assert_nothing_saved(session_a)
    # What was typed is still there: notes, other values, body chart.
    assert "Pain worse after desk work." in html
    assert "Upper trapezius tender on the left." in html
    assert (
        'data-region="quadratus_lumborum_r" data-label="Quadratus lumborum (right)" data-level="3"'
        in html
    )
    assert 'name="tension_quadratus_lumborum_r" value="3"' in html
    assert "24.5" in html or field == "m_fingertip_floor_before"
    assert f'value="{value}"' in html


def test_the_message_sits_next_to_its_field(as_therapist_a, session_a):
    html = as_therapist_a.post(url(session_a), form_data(m_pain_before="11")).content.decode()
    pain = html.index("<legend>Pain</legend>")
    stress = html.index("<legend>Stress</legend>")
    assert pain < html.index("Pain must be between 0 and 10.") < stress


def test_same_as_tension_without_tense_regions_is_explained(as_therapist_a, session_a):
    data = form_data(
        same_as_tension="on", tension_trapezius_upper_l="0", tension_quadratus_lumborum_r="0"
    )
    html = as_therapist_a.post(url(session_a), data).content.decode()
    assert "No region is marked tense on the body chart yet." in html
    _assert_nothing_saved(session_a)


def test_a_cancelled_session_takes_no_measures(as_therapist_a, session_a):
    Session.objects.filter(pk=session_a.pk).update(status=Session.Status.CANCELLED)
    response = as_therapist_a.post(url(session_a), form_data())
    assert "This session did not take place (cancelled or a no-show)" in response.content.decode()
    assert not SessionRecord.objects.exists()


def test_a_session_that_has_not_started_gets_no_record(as_therapist_a, course_a):
    later = f.SessionFactory(course=course_a, starts_at=datetime(2026, 11, 3, 9, tzinfo=UTC))
    response = as_therapist_a.post(url(later), form_data())
    assert response.status_code == 200
    assert "This session has not started yet." in response.content.decode()
    assert not SessionRecord.objects.exists()
    later.refresh_from_db()
    assert later.status == Session.Status.BOOKED


def test_version_conflict_does_not_overwrite_and_keeps_typed_text(as_therapist_a, session_a):
    # Tab 1 and tab 2 both open the empty form (version 0); tab 1 saves first.
    as_therapist_a.post(url(session_a), form_data(subjective="Saved in tab one."))
    response = as_therapist_a.post(
        url(session_a), form_data(subjective="Typed in tab two.", m_pain_before="9")
    )
    assert response.status_code == 409
    html = response.content.decode()
    record = SessionRecord.objects.get(session=session_a)
    assert record.subjective == "Saved in tab one."
    assert record.version == 1
    assert Measurement.objects.get(record=record, measure__code="pain", moment="before").value == 7
    # The page explains, shows the other save and keeps what tab two typed.
    assert "this record was changed meanwhile" in html
    assert "Saved in tab one." in html
    assert "Typed in tab two." in html
    assert 'name="m_pain_before" value="9" checked' in html
    # Saving again, deliberately, posts the new version and wins.
    assert 'name="version" value="1"' in html
    response = as_therapist_a.post(
        url(session_a), form_data(version="1", subjective="Typed in tab two.")
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.subjective, record.version) == ("Typed in tab two.", 2)


# --- privacy ---------------------------------------------------------------------


def test_other_practice_gets_404_on_get(as_therapist_b, session_a):
    assert as_therapist_b.get(url(session_a)).status_code == 404


def test_other_practice_gets_404_on_post_and_nothing_is_saved(as_therapist_b, session_a):
    assert as_therapist_b.post(url(session_a), form_data()).status_code == 404
    _assert_nothing_saved(session_a)


def test_anonymous_is_sent_to_login(client, session_a):
    for response in (client.get(url(session_a)), client.post(url(session_a), form_data())):
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
    _assert_nothing_saved(session_a)


def test_a_user_without_practice_gets_404(client, session_a):
    client.force_login(f.UserFactory())
    assert client.get(url(session_a)).status_code == 404


def test_missing_session_is_404(as_therapist_a):
    assert as_therapist_a.get("/records/session/999999/").status_code == 404


def test_admin_for_records_still_works(admin_client, as_therapist_a, session_a):
    as_therapist_a.post(url(session_a), form_data())
    record = SessionRecord.objects.get(session=session_a)
    assert admin_client.get(reverse("admin:records_sessionrecord_changelist")).status_code == 200
    page = admin_client.get(reverse("admin:records_sessionrecord_change", args=[record.pk]))
    assert page.status_code == 200
    assert "Upper trapezius tender on the left." in page.content.decode()
