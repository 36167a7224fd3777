"""End to end: a therapist logs in, taps the scales and the body chart, and saves."""

import pytest

from backcourse.records.models import Measurement, SessionRecord, TensionReading
from backcourse.scheduling.models import Session
from tests.factories import PASSWORD


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_record_a_session_by_tapping(page, live_server, session_a, therapist_a):
    form_path = f"/records/session/{session_a.pk}/"
    page.goto(f"{live_server.url}/accounts/login/?next={form_path}")
    page.fill("#id_username", therapist_a.user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{form_path}")

    page.click("label.tap:has(input[name=m_pain_before][value='7'])")
    page.click("label.tap:has(input[name=m_pain_after][value='3'])")
    region = page.locator("[data-region=trapezius_upper_l]")
    region.click()
    region.click()
    assert region.get_attribute("data-level") == "2"
    assert page.locator("input[name=tension_trapezius_upper_l]").input_value() == "2"
    # The no-JS list follows the chart, and no longer posts a second value.
    fallback = page.locator("[data-tension-select=trapezius_upper_l]")
    assert fallback.input_value() == "2"
    assert fallback.get_attribute("name") is None
    page.fill("#id_subjective", "Stiff after the long drive.")

    with page.expect_navigation():
        page.click("button[type=submit]:has-text('Save record')")

    record = SessionRecord.objects.get(session=session_a)
    values = {
        (m.measure.code, m.moment): m.value for m in Measurement.objects.filter(record=record)
    }
    assert values == {("pain", "before"): 7, ("pain", "after"): 3}
    assert list(
        TensionReading.objects.filter(record=record).values_list("region__code", "level")
    ) == [("trapezius_upper_l", 2)]
    assert record.subjective == "Stiff after the long drive."
    assert Session.objects.get(pk=session_a.pk).status == Session.Status.COMPLETED
    # Redirected to the course page (the lead extends this to the course's measure table).
    assert page.url.rstrip("/").endswith(f"/courses/{session_a.course_id}")
    assert "Session record saved." in page.content()
