"""The pages satisfy the Content-Security-Policy in a real browser: no script or style
is refused, and the behaviours moved out of inline scripts still work."""

import pytest

from backcourse.notifications.services import calendar_feed_create
from tests.factories import PASSWORD


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_pages_run_under_the_csp(page, live_server, session_a, therapist_a, client_a):
    calendar_feed_create(practice=therapist_a.practice, by=therapist_a.user, staff=therapist_a)
    refused = []
    page.on(
        "console",
        lambda msg: (
            refused.append(msg.text)
            if "Content Security Policy" in msg.text or "Refused to" in msg.text
            else None
        ),
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", therapist_a.user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/today/**")
    for path in [
        "/today/?date=2026-11-02",
        "/week/?start=2026-11-02",
        f"/clients/{client_a.pk}/",
        f"/courses/{session_a.course_id}/",
        f"/records/session/{session_a.pk}/",
        "/cal/feeds/",
        "/api/tokens/",
        "/calendar/",
        "/clients/",
        "/sessions/new/",
        "/outcomes/",
        f"/book/{therapist_a.practice.slug}/",
        "/admin/login/",
    ]:
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
    assert refused == []

    # The therapist filter still submits itself (was an inline onchange).
    page.goto(f"{live_server.url}/today/?date=2026-11-02")
    page.select_option("#id_therapist_filter", str(therapist_a.pk))
    page.wait_for_url(f"**therapist={therapist_a.pk}**")
    # The copy button still works (was an inline script).
    page.goto(f"{live_server.url}/cal/feeds/")
    page.click("button.copy")
    assert page.locator("button.copy").first.inner_text() == "Copied"
    assert refused == []
