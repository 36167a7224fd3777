"""axe-core over every staff, client and public page (the demo practice, headless
Chromium): no serious or critical violation of WCAG 2.x A/AA or axe's best practices."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import Client as DjangoClient

from backcourse.accounts.models import User
from backcourse.clients.models import Client
from backcourse.courses.models import Course
from backcourse.demo import build as demo
from backcourse.practices.models import Practice
from backcourse.scheduling.models import Session, SessionType
from tests.a11y.axe import axe_violations, describe

BERLIN = ZoneInfo("Europe/Berlin")
WEDNESDAY_10_30 = datetime(2026, 11, 25, 10, 30, tzinfo=BERLIN)


def _sign_in(context, live_server, user):
    django_client = DjangoClient()
    django_client.force_login(user)
    cookie = django_client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def _check(page, url, found):
    response = page.goto(url)
    assert response.status < 500, (url, response.status)
    violations = axe_violations(page)
    if violations:
        found[url] = violations


def staff_pages(practice) -> list[str]:
    clara = Client.objects.get(user__username="clara")
    course = Course.objects.filter(client=clara).first()
    done = Session.objects.filter(practice=practice, status=Session.Status.COMPLETED).first()
    booked = Session.objects.filter(
        practice=practice, status=Session.Status.BOOKED, course__isnull=False
    ).first()
    return [
        "/today/",
        "/today/?therapist=all",
        "/week/",
        "/clients/",
        "/clients/?q=we",
        "/clients/new/",
        f"/clients/{clara.pk}/",
        f"/clients/{clara.pk}/edit/",
        f"/courses/new/?client={clara.pk}",
        f"/courses/{course.pk}/",
        f"/courses/{course.pk}/edit/",
        "/outcomes/",
        f"/outcomes/course/{course.pk}/",
        f"/records/session/{done.pk}/",
        "/sessions/new/",
        f"/book/staff/series/{course.pk}/",
        f"/book/staff/sessions/{booked.pk}/change/",
        "/cal/feeds/",
        "/accounts/two-factor/",
        "/api/tokens/",
        "/me/staff/erasure-requests/",
    ]


def client_pages() -> list[str]:
    clara = Client.objects.get(user__username="clara")
    course = Course.objects.filter(client=clara).first()
    upcoming = Session.objects.filter(client=clara, status=Session.Status.BOOKED).first()
    pages = [
        "/me/",
        "/me/consent/",
        "/me/intake/",
        f"/me/courses/{course.pk}/",
        f"/me/courses/{course.pk}/questionnaire/rmdq/",
        f"/me/courses/{course.pk}/questionnaire/psfs/",
        f"/me/courses/{course.pk}/questionnaire/pss4/",
        "/me/data/",
        "/me/password/",
    ]
    if upcoming is not None:
        pages += [f"/me/sessions/{upcoming.pk}/check-in/", f"/me/sessions/{upcoming.pk}/move/"]
    return pages


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
# axe-core is injected as an inline script, which the pages' Content-Security-Policy
# refuses: the contexts bypass the CSP for the checker only (the CSP itself is tested in
# tests/security/test_csp_browser.py).
def test_no_serious_or_critical_violations_anywhere(chromium, live_server):
    found: dict[str, list[dict]] = {}
    with time_machine.travel(WEDNESDAY_10_30, tick=True):
        demo.build_demo(now=WEDNESDAY_10_30)
        practice = Practice.objects.get(slug=demo.DEMO_SLUG)
        Practice.objects.filter(pk=practice.pk).update(online_booking=True)
        closed = Practice.objects.create(name="Closed", slug="closed", online_booking=False)

        # Anonymous: sign-in pages and the public booking flow, on a phone.
        context = chromium.new_context(bypass_csp=True, viewport={"width": 390, "height": 844})
        page = context.new_page()
        page.set_default_timeout(15_000)
        base = live_server.url
        for url in ["/accounts/login/", "/me/login/", f"/book/{closed.slug}/"]:
            _check(page, base + url, found)
        kind = SessionType.objects.filter(practice=practice, bookable_online=True).first()
        _check(page, f"{base}/book/demo/", found)
        _check(page, f"{base}/book/demo/?type={kind.pk}", found)
        _check(page, f"{base}/book/demo/?type={kind.pk}&therapist=any", found)
        page.locator("a.bk-daybtn").nth(3).click()  # a few days ahead: still changeable
        _check(page, page.url, found)
        page.locator(".bk-day a.bk-time").first.click()
        page.wait_for_selector("#id_email")
        _check(page, page.url, found)
        page.fill("#id_first_name", "Rita")
        page.fill("#id_last_name", "Roth")
        page.fill("#id_email", "rita@example.org")
        page.click("button.primary")
        page.wait_for_selector("text=Check your email")
        _check(page, page.url, found)
        link = re.search(r"https?://\S+/confirm/\S+/", mail.outbox[-1].body).group(0)
        _check(page, link, found)
        page.click("button.primary")
        page.wait_for_load_state()
        found.update({f"{page.url} (booked)": v for v in [axe_violations(page)] if v})
        manage_url = page.locator(".bk-manage a").last.get_attribute("href")
        for suffix in ("", "?action=cancel", "?action=move"):
            _check(page, base + manage_url + suffix, found)
        page.locator("a.bk-time").first.click()  # a new time: the confirm step
        page.wait_for_selector("dl.bk-move")
        found.update({f"{page.url} (move)": v for v in [axe_violations(page)] if v})
        context.close()

        # The client, on a phone.
        context = chromium.new_context(bypass_csp=True, viewport={"width": 390, "height": 844})
        _sign_in(context, live_server, User.objects.get(username="clara"))
        page = context.new_page()
        page.set_default_timeout(15_000)
        for url in client_pages():
            _check(page, base + url, found)
        context.close()

        # Staff (the owner sees every staff page), on a tablet.
        context = chromium.new_context(bypass_csp=True, viewport={"width": 1024, "height": 768})
        _sign_in(context, live_server, User.objects.get(username="owner"))
        page = context.new_page()
        page.set_default_timeout(15_000)
        for url in staff_pages(practice):
            _check(page, base + url, found)
        context.close()

    assert not found, "\n" + describe(found)
