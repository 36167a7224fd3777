"""The day grid in Chromium: click a free time to book, drag to move, refused drops.

Run on SQLite by default and on PostgreSQL with DATABASE_URL (the same test)."""

import os

import pytest

from backcourse.clients.models import Intake, ScreeningAnswer
from backcourse.scheduling.models import Session
from tests.calendar.conftest import DAY, berlin, log_in

SHOTS = os.environ.get("BACKCOURSE_SHOTS", "")
GRID_STARTS = 7  # the axis starts an hour before the earliest working hours (08:00)


def slot_point(page, column: int, hour: int, minute: int = 0) -> tuple[float, float]:
    """Screen point inside the grid cell of `column` (0-based) at hour:minute (scrolled
    into view first: the mouse works in the viewport)."""
    cell = page.locator(".ec-body .ec-grid .ec-day").nth(column)
    box = cell.bounding_box()
    offset = (hour - GRID_STARTS) * 96
    page.evaluate(f"window.scrollBy(0, {box['y'] + offset} - 300)")
    box = cell.bounding_box()
    slot = float(
        page.evaluate(
            "parseFloat(getComputedStyle(document.querySelector('.ec-main'))"
            ".getPropertyValue('--ec-slot-height'))"
        )
    )
    minutes = (hour - GRID_STARTS) * 60 + minute
    return box["x"] + box["width"] / 2, box["y"] + minutes / 15 * slot + slot / 2


def settled(page) -> None:
    """Wait until the grid has (re)loaded its events."""
    page.wait_for_selector("#calendar[data-loading='0']", state="attached")


def top_in_grid(page, event_text: str) -> float:
    grid = page.locator(".ec-body").bounding_box()
    return page.locator(".ec-event", has_text=event_text).bounding_box()["y"] - grid["y"]


def drag(page, event_text: str, to: tuple[float, float]) -> None:
    box = page.locator(".ec-event", has_text=event_text).bounding_box()
    # Grab the event near its top, so the drop point is (about) its new start.
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 6)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 30, steps=4)
    page.mouse.move(to[0], to[1] - 6, steps=12)
    page.mouse.up()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_book_by_clicking_move_by_dragging_and_refused_drop(
    page, live_server, clock, team, day_sessions
):
    anna, ben, carla = team
    # Lena (Ben, 09:30) has checked in and answered a red-flag question with yes.
    lena = day_sessions[2]
    Session.objects.filter(pk=lena.pk).update(status=Session.Status.CHECKED_IN)
    intake = Intake.objects.create(client=lena.client, complaint="Back pain")
    ScreeningAnswer.objects.create(
        intake=intake, kind="red_flag", question_text="Numbness?", answer=True
    )
    log_in(page, live_server, anna, f"/calendar/?date={DAY.isoformat()}")
    page.wait_for_selector(".ec-event:has-text('Clara Meier')")
    settled(page)
    lena_event = page.locator(".ec-event", has_text="Lena Schulz")
    assert "ev-checked_in" in lena_event.get_attribute("class")
    assert lena_event.locator(".ev-badge-red_flag").get_attribute("title") == "Numbness?"

    # 1. Click Ben's free 12:00: the form opens with Ben, the day and the time.
    x, y = slot_point(page, 1, 12)
    with page.expect_navigation():
        page.mouse.click(x, y)
    assert page.locator("#id_therapist").input_value() == str(ben.pk)
    assert page.locator("#id_date").input_value() == DAY.isoformat()
    assert page.locator("#id_time").input_value() == "12:00"
    # Pick the client by typing; their active course is preselected.
    page.fill("#id_client", "jona")
    page.click("[role=option]:has-text('Jonas Weber')")
    jonas_course = day_sessions[1].course
    page.wait_for_selector(f"#id_course option[value='{jonas_course.pk}']", state="attached")
    assert page.locator("#id_course").input_value() == str(jonas_course.pk)
    with page.expect_navigation():
        page.click("button[type=submit]:has-text('Book')")
    page.wait_for_selector(".messages >> text=Booked: Jonas Weber")
    new = Session.objects.get(therapist=ben, starts_at=berlin(12))
    assert new.client == jonas_course.client and new.course == jonas_course
    page.wait_for_selector(".ec-event:has-text('Jonas Weber') >> nth=1")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/day-3-therapists-1024.png", full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=f"{SHOTS}/day-3-therapists-390.png", full_page=True)
        page.set_viewport_size({"width": 1024, "height": 768})
        settled(page)

    # 2. Drag Carla's 14:00 session to 16:00: moved, and said so.
    paul = day_sessions[3]
    slot_point(page, 2, 15, 30)  # scrolls the 14:00 session into view as well
    drag(page, "Paul Fischer", slot_point(page, 2, 16))
    page.wait_for_selector("#calendar-status.ok")
    assert "Paul Fischer moved to 2026-12-02 16:00" in page.inner_text("#calendar-status")
    paul.refresh_from_db()
    assert paul.starts_at == berlin(16)
    page.wait_for_selector(".ec-event:has-text('Paul Fischer'):has-text('16:00')")
    settled(page)

    # 3. Drop Anna's 09:00 session onto her taken 11:00: refused with the service's
    # message, nothing changes, the session goes back to 09:00 on the grid.
    clara = day_sessions[0]
    before = top_in_grid(page, "Clara Meier")
    drag(page, "Clara Meier", slot_point(page, 0, 11))
    page.wait_for_selector("#calendar-status.refused")
    text = page.inner_text("#calendar-status")
    assert "Not moved:" in text and "already taken" in text
    clara.refresh_from_db()
    assert clara.starts_at == berlin(9)
    assert abs(top_in_grid(page, "Clara Meier") - before) < 2


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_week_grid_of_one_therapist(page, live_server, clock, team, day_sessions):
    anna = team[0]
    log_in(page, live_server, anna, f"/calendar/?view=week&date={DAY.isoformat()}")
    page.wait_for_selector(".ec-event:has-text('Jonas Weber')")
    settled(page)
    # Anna's week: her two sessions, not Ben's or Carla's.
    titles = page.locator(".ec-event .ev-title").all_inner_texts()
    assert sorted(titles) == ["Clara Meier", "Jonas Weber"]
    assert page.locator(".ec-col-head").count() == 7
    if SHOTS:
        for width, height in ((1024, 768), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=f"{SHOTS}/week-{width}.png", full_page=True)
    # Another therapist's week through the picker.
    with page.expect_navigation():
        page.select_option("#week-therapist", str(team[2].pk))
    page.wait_for_selector(".ec-event:has-text('Paul Fischer')")
    assert page.locator(".ec-event").count() == 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_keyboard_moves_a_session_and_a_tap_opens_the_booking_form(
    chromium, live_server, clock, team, day_sessions
):
    context = chromium.new_context(viewport={"width": 1024, "height": 768}, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    anna = team[0]
    log_in(page, live_server, anna, f"/calendar/?date={DAY.isoformat()}")
    page.wait_for_selector(".ec-event:has-text('Clara Meier')")
    settled(page)

    # Keyboard: Tab to Clara's session, Enter opens the dialog, type a new time.
    page.locator(".ec-event", has_text="Clara Meier").focus()
    page.keyboard.press("Enter")
    dialog = page.locator("#session-dialog")
    dialog.wait_for()
    page.fill("#session-dialog input[name=time]", "11:00")  # taken by Jonas
    page.click("#session-dialog button:has-text('Move')")
    page.wait_for_selector("#session-dialog [data-d=message]:has-text('already taken')")
    page.fill("#session-dialog input[name=time]", "13:00")
    page.click("#session-dialog button:has-text('Move')")
    page.wait_for_selector("#calendar-status.ok")
    clara = day_sessions[0]
    clara.refresh_from_db()
    assert clara.starts_at == berlin(13)

    # Touch: a tap on a free time opens the booking form for that column and time.
    settled(page)
    x, y = slot_point(page, 2, 10)
    with page.expect_navigation():
        page.touchscreen.tap(x, y)
    assert page.locator("#id_therapist").input_value() == str(team[2].pk)
    assert page.locator("#id_time").input_value() == "10:00"
    context.close()
