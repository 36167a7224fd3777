"""The therapist's core loop in a real browser: log in, find the client, record the
session with the tap scales and the body chart, see it in the course's measure table."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories as f
from tests.factories import PASSWORD


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_therapist_records_a_session_and_sees_it_in_the_course_table(
    page, live_server, therapist_a, course_a
):
    # This morning's session, so it shows in the client's session history.
    session_a = f.SessionFactory(course=course_a, starts_at=timezone.now() - timedelta(hours=2))
    page.goto(f"{live_server.url}/")
    page.fill("#id_username", therapist_a.user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/today/**")

    page.click("nav.mainnav >> text=Clients")
    page.fill("input[name=q]", session_a.client.last_name)
    page.keyboard.press("Enter")
    page.click(f".client-name >> text={session_a.client.last_name}, {session_a.client.first_name}")
    page.wait_for_url(f"**/clients/{session_a.client_id}/")
    page.click('table.history tbody a:text-is("Record")')
    page.wait_for_url(f"**/records/session/{session_a.pk}/")

    page.click("label.tap:has(input[name=m_pain_before][value='6'])")
    page.click("label.tap:has(input[name=m_pain_after][value='2'])")
    page.click("label.tap:has(input[name=m_stress_before][value='5'])")
    page.click("label.tap:has(input[name=m_stress_after][value='3'])")
    for region in ("erector_spinae_lumbar_l", "quadratus_lumborum_r"):
        shape = page.locator(f"[data-region={region}]")
        shape.click()
        shape.click()
        shape.click()  # three taps: marked tension (3)
        assert shape.get_attribute("data-level") == "3"
    page.fill("#id_subjective", "Pain after gardening.")
    with page.expect_navigation():
        page.click("button[type=submit]:has-text('Save record')")

    page.wait_for_url(f"**/courses/{session_a.course_id}/")
    row = page.locator("table.measures tbody tr").first
    cells = row.locator("td").all_inner_texts()
    assert "6 → 2" in cells  # pain before → after
    assert "5 → 3" in cells  # stress before → after
    assert "6" in cells  # tension sum: two regions at 3
    assert "Edit record" in row.inner_text()
