"""Without a mouse: the body charts and the tap scales work from the keyboard, and a
screen reader hears what each control is and its state."""

from datetime import UTC, datetime

import pytest
import time_machine

from backcourse.clients.models import Intake
from backcourse.records.models import TensionReading
from tests import factories as f
from tests.a11y.test_axe import _sign_in


def _focus_until(page, selector: str, limit: int = 200) -> None:
    """Press Tab until the element matching `selector` has focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            "(sel) => document.activeElement && document.activeElement.matches(sel)", selector
        ):
            return
    raise AssertionError(f"Tab never reached {selector}")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_record_form_by_keyboard(chromium, live_server, course_a, therapist_a):
    # A record is written once its session has started: stand on that afternoon.
    with time_machine.travel(datetime(2026, 11, 2, 15, tzinfo=UTC), tick=True):
        session_a = f.SessionFactory(
            course=course_a, starts_at=datetime(2026, 11, 2, 9, tzinfo=UTC)
        )
        _record_by_keyboard(chromium, live_server, session_a, therapist_a)


def _record_by_keyboard(chromium, live_server, session_a, therapist_a):
    context = chromium.new_context(viewport={"width": 1024, "height": 768})
    _sign_in(context, live_server, therapist_a.user)
    page = context.new_page()
    page.goto(f"{live_server.url}/records/session/{session_a.pk}/")

    # A tap scale is a group of radios: Tab in, arrows move, the legend names it.
    _focus_until(page, "input[name=m_pain_before]")
    page.keyboard.press(" ")  # the first choice is "not recorded"
    assert page.locator("input[name=m_pain_before]:checked").get_attribute("value") == ""
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    checked = page.locator("input[name=m_pain_before]:checked")
    assert checked.get_attribute("value") == "2"
    assert page.locator("fieldset:has(input[name=m_pain_before]) legend").inner_text().strip()

    region = "[data-region=trapezius_upper_l]"
    _focus_until(page, region)
    page.keyboard.press("Enter")
    page.keyboard.press(" ")
    chart = page.locator(region)
    assert chart.get_attribute("role") == "button"
    assert chart.get_attribute("aria-label").endswith("2 moderate")
    assert "moderate" in page.locator("[data-body-chart-status]").inner_text()
    # Focus is visible: the focused region is drawn with a wider stroke.
    width = page.evaluate(
        "(sel) => getComputedStyle(document.querySelector(sel)).strokeWidth", region
    )
    assert width not in ("", "0px", "1px")

    with page.expect_navigation():
        page.click("button[type=submit]:has-text('Save record')")
    assert TensionReading.objects.get(region__code="trapezius_upper_l").level == 2
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_intake_chart_by_keyboard(chromium, live_server, client_a, practice_a):
    from backcourse.clients.consent import consent_texts_default
    from backcourse.clients.screening import screening_questions_default
    from backcourse.portal.services import consent_agree

    user = f.UserFactory(email=client_a.email)
    client_a.user = user
    client_a.save(update_fields=["user"])
    consent_agree(client=client_a, text_ids=[t.pk for t in consent_texts_default(practice_a)])
    screening_questions_default(practice_a)

    context = chromium.new_context(viewport={"width": 390, "height": 844})
    _sign_in(context, live_server, user)
    page = context.new_page()
    page.goto(f"{live_server.url}/me/intake/")
    page.fill("textarea[name=complaint], input[name=complaint]", "Low back")

    region = page.locator(".body-chart .region").first
    name = region.get_attribute("aria-label")
    assert name and region.get_attribute("role") == "checkbox"
    assert region.get_attribute("aria-checked") == "false"
    _focus_until(page, ".body-chart .region")
    page.keyboard.press(" ")
    assert region.get_attribute("aria-checked") == "true"
    value = region.get_attribute("data-region")
    assert page.locator(f"#region-{value}").is_checked()

    for legend in page.locator("fieldset.yesno").all():
        legend.locator("label.pill", has_text="No").click()
    with page.expect_navigation():
        page.click("button.primary")
    intake = Intake.objects.get(client=client_a)
    assert list(intake.regions.values_list("pk", flat=True)) == [int(value)]
    context.close()
