"""An owner of a brand-new practice sets it up in the browser without opening /admin/:
password from the invitation, details, rooms, session types, a colleague invited, hours
and breaks, time off, screening, consent, online booking on; then a client can book."""

import os
import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from backcourse.practices.models import Practice, StaffMember
from backcourse.scheduling.models import Break, Room, SessionType, TimeOff, WorkingHours

SHOTS = os.environ.get("BACKCOURSE_SHOTS", "")
NOW = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)  # a Tuesday
PASSWORD = "a-long-new-password-42"


def shot(page, name):
    """With BACKCOURSE_SHOTS=dir: the page at tablet and phone width."""
    if not SHOTS:
        return
    for width, height in ((1024, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1024, "height": 768})


def link_in_last_mail(to):
    message = [m for m in mail.outbox if to in m.to][-1]
    return re.search(r"https?://\S+/accounts/invitation/\S+/", message.body).group(0)


def save(page, button="Save"):
    with page.expect_navigation():
        page.click(f"main button[type=submit]:has-text('{button}')")
    page.wait_for_selector(".messages")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_owner_sets_up_a_new_practice_without_the_admin(page, live_server, chromium, settings):
    settings.SITE_URL = live_server.url
    admin_requests = []
    page.on("request", lambda r: "/admin/" in r.url and admin_requests.append(r.url))
    with time_machine.travel(NOW, tick=True):
        call_command("create_practice", "Studio Nord", "studio-nord")
        call_command(
            "invite_staff",
            "studio-nord",
            "olga@example.org",
            role="owner",
            first_name="Olga",
            last_name="Nord",
        )
        practice = Practice.objects.get(slug="studio-nord")

        # The owner chooses a password from the one-time link and is signed in.
        page.goto(link_in_last_mail("olga@example.org"))
        shot(page, "invite-accept")
        page.fill("#id_new_password1", PASSWORD)
        page.fill("#id_new_password2", PASSWORD)
        with page.expect_navigation():
            page.click("button[type=submit]")
        page.wait_for_selector("text=Your password is set")
        page.click("nav.mainnav >> text=Settings")
        page.wait_for_selector("h1:has-text('Settings')")
        shot(page, "settings-index")

        # Practice details.
        page.click("text=Practice details")
        page.fill("#id_address", "Nordstraße 1\n24103 Kiel")
        page.fill("#id_phone", "+49 431 123456")
        page.select_option("#id_time_zone", "Europe/Berlin")
        shot(page, "settings-practice")
        save(page)
        page.goto(f"{live_server.url}/settings/")

        # Rooms and session types.
        page.click("text=Rooms")
        page.fill("#id_form-0-name", "Room 1")
        save(page)
        page.fill("#id_form-1-name", "Room 2")
        save(page)
        shot(page, "settings-rooms")
        page.goto(f"{live_server.url}/settings/session-types/")
        page.fill("#id_form-0-name", "Back massage")
        page.fill("#id_form-0-duration_minutes", "50")
        page.fill("#id_form-0-buffer_minutes", "10")
        save(page)
        shot(page, "settings-session-types")

        # A colleague is invited; the owner takes sessions too.
        page.goto(f"{live_server.url}/settings/staff/")
        page.fill("#id_email", "tom@example.org")
        page.fill("#id_first_name", "Tom")
        page.fill("#id_last_name", "Berg")
        page.select_option("#id_role", "therapist")
        page.check("#id_takes_sessions")
        save(page, "Send invitation")
        page.wait_for_selector("text=Invitation sent to tom@example.org")
        shot(page, "settings-staff")

        # Working hours and a lunch break for Olga, then a day off.
        page.goto(f"{live_server.url}/settings/hours/")
        page.click("main a:has-text('Olga Nord')")
        page.select_option("#id_hours-0-weekday", "0")
        page.fill("#id_hours-0-start_time", "09:00")
        page.fill("#id_hours-0-end_time", "17:00")
        page.select_option("#id_breaks-0-weekday", "0")
        page.fill("#id_breaks-0-start_time", "12:00")
        page.fill("#id_breaks-0-end_time", "13:00")
        save(page, "Save hours and breaks")
        page.select_option("#id_hours-1-weekday", "2")
        page.fill("#id_hours-1-start_time", "10:00")
        page.fill("#id_hours-1-end_time", "18:00")
        save(page, "Save hours and breaks")
        page.fill("#id_first_day", "2026-12-14")
        page.fill("#id_last_day", "2026-12-14")
        page.fill("#id_reason", "Training")
        save(page, "Add time off")
        shot(page, "settings-hours")

        # Screening, consent, and online booking opened.
        page.goto(f"{live_server.url}/settings/screening/")
        page.fill("#id_form-0-text", "Do you have numbness in the saddle area?")
        page.select_option("#id_form-0-kind", "red_flag")
        page.fill("#id_form-0-advice", "Please call us before your session.")
        save(page)
        page.goto(f"{live_server.url}/settings/consent/")
        page.fill("#id_treatment-text", "I agree to be treated.")
        with page.expect_navigation():
            page.click("form:has(input[value=treatment]) button[type=submit]")
        page.wait_for_selector("text=published; clients are asked to agree again")
        page.goto(f"{live_server.url}/settings/closures/")
        page.select_option("#id_country", "DE")
        page.fill("#id_region", "SH")
        save(page)
        page.wait_for_selector("text=Christmas Day")
        page.fill("#id_day", "2026-12-30")
        page.fill("#id_reason", "Inventory")
        save(page, "Close this day")
        page.wait_for_selector("li:has-text('Inventory')")
        shot(page, "settings-closures")
        page.goto(f"{live_server.url}/settings/booking/")
        page.check("#id_online_booking")
        page.fill("#id_cancellation_notice_hours", "24")
        save(page)
        page.goto(f"{live_server.url}/settings/")
        shot(page, "settings-index-done")
        assert page.locator(".setup-step.is-done").count() == 9

        # The colleague accepts on their own device.
        tom_page = chromium.new_context(viewport={"width": 390, "height": 844}).new_page()
        tom_page.goto(link_in_last_mail("tom@example.org"))
        tom_page.fill("#id_new_password1", PASSWORD)
        tom_page.fill("#id_new_password2", PASSWORD)
        with tom_page.expect_navigation():
            tom_page.click("button[type=submit]")
        tom_page.wait_for_selector("h1:has-text('Two-factor login')")
        if SHOTS:
            tom_page.screenshot(path=f"{SHOTS}/invite-accepted-390.png", full_page=True)
        tom_page.goto(link_in_last_mail("tom@example.org"))
        assert tom_page.locator("text=no longer valid").is_visible()  # one time only
        tom_page.context.close()

        # What was set up, as rows.
        practice.refresh_from_db()
        olga = StaffMember.objects.get(user__email="olga@example.org")
        assert practice.online_booking and practice.phone == "+49 431 123456"
        assert [r.name for r in Room.objects.filter(practice=practice)] == ["Room 1", "Room 2"]
        massage = SessionType.objects.get(practice=practice)
        assert (massage.duration_minutes, massage.buffer_minutes) == (50, 10)
        assert WorkingHours.objects.filter(therapist=olga).count() == 2
        assert Break.objects.filter(therapist=olga).count() == 1
        assert TimeOff.objects.get(therapist=olga).reason == "Training"
        tom = StaffMember.objects.get(user__email="tom@example.org")
        assert tom.role == "therapist" and tom.user.has_usable_password()

        # And a client can now book online: Monday 7 December offers times with Olga.
        page.goto(f"{live_server.url}/book/studio-nord/")
        page.click("text=Back massage")
        page.click("a.bk-choice:has-text('Olga Nord')")
        page.wait_for_selector("a.bk-time")
        assert admin_requests == []
