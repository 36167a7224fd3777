"""The public booking flow on a phone-sized screen, end to end in Chromium."""

import re

import pytest
from django.core import mail

from backcourse.scheduling.models import Session


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_client_books_on_a_phone(page, live_server, practice_a, therapist_a, massage, hours_a):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/book/{practice_a.slug}/")
    page.click("text=Back massage")
    page.locator("a.bk-time").nth(2).click()  # one therapist: straight to the times
    page.fill("#id_first_name", "Rita")
    page.fill("#id_last_name", "Roth")
    page.fill("#id_email", "rita@example.org")
    page.click("button.primary")
    page.wait_for_selector("text=Check your email")
    assert not Session.objects.exists()
    link = re.search(r"https?://\S+/confirm/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.click("text=Confirm booking")
    page.wait_for_selector("text=You are booked")
    assert Session.objects.get().client.email == "rita@example.org"
    page.goto(link)  # opened again: the booking shows as confirmed, nothing new is booked
    assert page.locator("text=Your booking is confirmed").is_visible()
    assert Session.objects.count() == 1
