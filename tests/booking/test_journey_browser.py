"""The client's journey on a phone (390 px), end to end in Chromium, in English, German
and Lithuanian: book day-first, open the confirmation link twice, fill in the forms a
first booking asks for, manage the booking from the emailed link (move, cancel) and be
refused inside the notice period; staff date fields come up filled in every language.

Each step is saved as a screenshot under var/screenshots/journey/ (or
$BACKCOURSE_SCREENSHOTS) to be looked at."""

import os
import re
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext

from backcourse.booking import manage
from backcourse.booking.models import SessionTypeInfo, TherapistProfile
from backcourse.clients.consent import consent_texts_default
from backcourse.scheduling.models import Session, SessionType, WorkingHours
from tests import factories as f
from tests.a11y.test_axe import _sign_in

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)  # Wednesday 09:00 in Berlin
SHOTS = Path(
    os.environ.get("BACKCOURSE_SCREENSHOTS") or settings.BASE_DIR.parent / "var/screenshots"
)
PHONE = {"width": 390, "height": 844}
# The phone's own locale, as a client in that country has it (date pickers follow it).
BROWSER_LOCALE = {"en": "en-GB", "de": "de-DE", "lt": "lt-LT"}


def shot(page, language: str, name: str) -> None:
    folder = SHOTS / "journey" / language
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def said(language: str, text: str) -> str:
    with translation.override(language):
        return gettext(text)


@pytest.fixture
def studio(practice_a, therapist_a):
    practice_a.address = "Kastanienallee 12\n10435 Berlin"
    practice_a.phone = "+49 30 555 0100"
    practice_a.email = "hello@rueckenwerk.example"
    practice_a.save()
    kind = SessionType.objects.create(practice=practice_a, name="Back massage", duration_minutes=60)
    SessionTypeInfo.objects.create(
        session_type=kind, description="Kneading and stretching of the whole back."
    )
    TherapistProfile.objects.create(staff=therapist_a, bio="Sports massage since 2012.")
    ben = f.StaffFactory(practice=practice_a, display_name="Ben Hoffmann")
    for staff in (therapist_a, ben):
        for wd in range(7):
            WorkingHours.objects.create(
                therapist=staff, weekday=wd, start_time=time(9), end_time=time(19)
            )
    return practice_a


def manage_path_from_mail() -> str:
    url = re.search(r"https?://\S+/booking/\S+/", mail.outbox[-1].body).group(0)
    return "/" + url.split("/", 3)[3]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "de", "lt"])
def test_the_journey_on_a_phone(chromium, live_server, studio, therapist_a, language):
    studio.language = language
    studio.save(update_fields=["language"])
    base = live_server.url
    with time_machine.travel(NOW, tick=True):
        consent_texts_default(studio)  # published "now", so they are current
        context = chromium.new_context(viewport=PHONE, locale=BROWSER_LOCALE[language])
        page = context.new_page()
        page.set_default_timeout(15_000)

        # 1. Book, day first.
        page.goto(f"{base}/book/{studio.slug}/")
        assert "Kneading and stretching" in page.content()
        assert page.locator(".bk-practice-info a[href^='tel:']").is_visible()
        shot(page, language, "01-kinds")
        page.locator("a.bk-choice").first.click()
        assert "Sports massage since 2012." in page.content()
        shot(page, language, "02-therapists")
        page.locator("a.bk-therapist", has_text="Anna Berg").click()
        page.wait_for_selector(".bk-days")
        shot(page, language, "03-day-strip")
        # Pick Monday 30 November from the strip; its times come by part of the day.
        page.locator("a.bk-daybtn").nth(5).click()
        page.wait_for_selector(".bk-part")
        assert page.locator(".bk-part").count() >= 2
        assert page.locator("a.bk-daybtn[aria-current=date]").count() == 1
        shot(page, language, "04-times-of-the-day")
        page.locator("a.bk-time", has_text=re.compile("^10:00$")).click()
        page.fill("#id_first_name", "Rita")
        page.fill("#id_last_name", "Roth")
        page.fill("#id_email", "rita@example.org")
        shot(page, language, "05-details")
        page.click("button.primary")
        page.wait_for_selector("h1")
        assert said(language, "Check your email") in page.content()
        assert not Session.objects.exists()

        # 2. The confirmation link, opened twice.
        link = re.search(r"https?://\S+/confirm/\S+/", mail.outbox[-1].body).group(0)
        confirm_path = "/" + link.split("/", 3)[3]
        page.goto(base + confirm_path)
        shot(page, language, "06-confirm")
        page.click("button.primary")
        page.wait_for_selector(".bk-confirmed")
        session = Session.objects.get()
        assert session.starts_at == datetime(2026, 11, 30, 9, tzinfo=UTC)
        # A first booking asks for the forms before the visit.
        assert page.locator(".bk-forms").is_visible()
        shot(page, language, "07-booked-forms-requested")
        page.goto(base + confirm_path)
        assert page.locator("h1").inner_text() == said(language, "Your booking is confirmed")
        assert page.locator(".bk-confirmed").is_visible()
        shot(page, language, "08-confirmation-link-again")

        # 3. The forms, on the phone: the button signs the client in, consent comes first.
        with page.expect_navigation():
            page.click(".bk-forms button")
        with page.expect_navigation():
            page.click("main button[type=submit]")
        assert page.url.endswith("/me/")
        assert said(language, "I agree") in page.content()  # consent first …
        shot(page, language, "09-forms-consent")
        for box in page.locator("input[type=checkbox]").all():
            box.check()
        with page.expect_navigation():
            page.click("main button.primary")
        shot(page, language, "10-forms-intake-asked")
        with page.expect_navigation():
            page.click(f"text={said(language, 'Fill in the questions')}")
        assert page.url.endswith("/me/intake/")  # … then the intake
        shot(page, language, "11-forms-intake")

        # 4. Manage from the emailed link: move …
        manage_path = manage_path_from_mail()
        token = manage_path.rstrip("/").rsplit("/", 1)[1]
        assert manage.session_from_manage_token(token, practice=studio) == session
        page.goto(base + manage_path)
        shot(page, language, "12-manage")
        page.locator(".bk-actions a").first.click()
        page.wait_for_selector(".bk-times")
        shot(page, language, "13-move-choose")
        page.locator("a.bk-time", has_text=re.compile("^14:00$")).first.click()
        shot(page, language, "14-move-confirm")
        page.click("button.primary")
        page.wait_for_selector(".bk-confirmed")
        session.refresh_from_db()
        assert session.starts_at == datetime(2026, 11, 25, 13, tzinfo=UTC)  # today 14:00
        shot(page, language, "15-moved")

        # … cancel (a second booking, far enough ahead) …
        far = f.SessionFactory(
            course=f.CourseFactory(client=session.client, therapist=therapist_a),
            starts_at=datetime(2026, 12, 3, 9, tzinfo=UTC),
            session_type=session.session_type,
        )
        page.goto(base + manage.manage_path(far))
        page.locator(".bk-actions a").nth(1).click()
        shot(page, language, "16-cancel-confirm")
        page.click("button.primary")
        page.wait_for_selector(".bk-cancelled")
        far.refresh_from_db()
        assert far.status == Session.Status.CANCELLED
        shot(page, language, "17-cancelled")

        # … and inside the notice period: the page says so and shows the phone number.
        page.goto(base + manage_path)  # the moved session, today at 14:00: < 24 h away
        assert page.locator(".bk-notice").is_visible()
        assert page.locator(".bk-notice a[href='tel:+49305550100']").is_visible()
        assert page.locator(".bk-actions").count() == 0
        shot(page, language, "18-inside-notice")
        context.close()
    session.refresh_from_db()
    assert session.status == Session.Status.BOOKED


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["de", "lt", "en"])
def test_date_fields_come_up_filled_in_every_language(
    chromium, live_server, studio, therapist_a, course_a, language
):
    """The series and move forms: <input type="date"> shows its value (ISO underneath)."""
    studio.language = language
    studio.save(update_fields=["language"])
    booked = f.SessionFactory(course=course_a, starts_at=NOW + timedelta(days=7))
    with time_machine.travel(NOW, tick=True):
        context = chromium.new_context(viewport=PHONE, locale=BROWSER_LOCALE[language])
        _sign_in(context, live_server, therapist_a.user)
        page = context.new_page()
        page.goto(f"{live_server.url}/book/staff/series/{course_a.pk}/")
        value = page.input_value("input[type=date]")
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", value), value
        assert page.evaluate("() => document.querySelector('input[type=date]').valueAsNumber") > 0
        shot(page, language, "20-series-date-filled")
        page.goto(f"{live_server.url}/book/staff/sessions/{booked.pk}/change/")
        assert page.input_value("input[type=date]") == "2026-12-02"
        shot(page, language, "21-move-date-filled")
        context.close()
