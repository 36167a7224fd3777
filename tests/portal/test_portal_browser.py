"""End to end on a phone-sized screen: sign in by the emailed link, agree, check in."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from backcourse.clients.consent import consent_texts_default
from backcourse.portal.models import CheckIn
from tests import factories as f

SHOTS = Path("/tmp/shots/portal")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_client_signs_in_by_email_link_and_checks_in(page, live_server, course_a, client_a):
    SHOTS.mkdir(parents=True, exist_ok=True)
    consent_texts_default(client_a.practice)
    session = f.SessionFactory(course=course_a, starts_at=timezone.now() + timedelta(hours=2))
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{live_server.url}/me/login/")
    page.fill("#id_email", client_a.email)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Check your email")
    link = re.search(r"https?://[^/\s]+(/me/login/[^\s]+/)", mail.outbox[-1].body).group(1)

    page.goto(f"{live_server.url}{link}")
    page.click("button[type=submit]")
    page.wait_for_selector("text=Before we continue")
    page.screenshot(path=str(SHOTS / "test-consent.png"), full_page=True)
    for box in page.locator(".consent-text input[type=checkbox]").all():
        box.check()
    page.click("button:has-text('I agree')")
    page.wait_for_selector("text=Upcoming sessions")

    page.click(f"a[href='/me/sessions/{session.pk}/check-in/']")
    page.click("label.tap:has(input[name=pain][value='6'])")
    page.click("label.tap:has(input[name=stress][value='3'])")
    page.fill("#id_note", "Slept badly")
    # Nothing sticks out sideways on a 390 px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SHOTS / "test-checkin.png"), full_page=True)
    page.click("button[type=submit]:has-text('Check in')")
    page.wait_for_selector("text=you are checked in")

    check_in = CheckIn.objects.get(session=session)
    assert (check_in.pain, check_in.stress, check_in.note) == (6, 3, "Slept badly")
