"""The course chart's labels do not overlap, and on a phone the chart fits the screen."""

import re

import pytest
import time_machine

from backcourse.measures.models import MeasureDefinition
from backcourse.outcomes.panels import measure_panel
from backcourse.outcomes.selectors import course_rows
from tests import factories as f
from tests.factories import PASSWORD
from tests.outcomes.helpers import measured_course

NOW = "2027-03-01 12:00:00+00:00"
# levels off near 2, at the planned last session near 2, goal 3: three labels close together
IMPROVING = [(6, 3), (4, 2), (3, 1), (3, 1), (2, 0), (2, 0)]


def _label_boxes(svg: str) -> list[tuple[float, float, float, float, str]]:
    """Boxes of the labels drawn on the plot (bold or coloured text with a white halo
    copy underneath), by the chart's own width estimate."""
    boxes = []
    for m in re.finditer(r'<text x="([\d.-]+)" y="([\d.-]+)" ([^>]*)>([^<]+)</text>', svg):
        x, y, attrs, label = float(m[1]), float(m[2]), m[3], m[4]
        if 'fill="#fff"' in attrs or "stroke" in attrs:
            continue
        if "font-weight" not in attrs:
            continue  # axis ticks and legend
        w = 0.56 * 11 * len(label) + 2
        anchor = re.search(r'text-anchor="(\w+)"', attrs)
        a = anchor[1] if anchor else "start"
        x1 = x - w if a == "end" else x - w / 2 if a == "middle" else x
        boxes.append((x1, y - 10, x1 + w, y + 3, label))
    return boxes


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_goal_plateau_and_planned_level_labels_do_not_overlap(client_a, therapist_a):
    course = f.CourseFactory(client=client_a, therapist=therapist_a, planned_sessions=9)
    measured_course(course, IMPROVING)
    panel = measure_panel(course, MeasureDefinition.objects.get(code="pain"), course_rows(course))
    for svg in (panel.chart, panel.chart_narrow):
        boxes = _label_boxes(svg)
        names = " ".join(b[4] for b in boxes)
        assert "goal" in names and re.search(r"\d", names), names
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                apart = a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
                assert apart, (a, b)
        # the plateau's value is always in the legend, even when its label had no room
        assert "levels off: " in svg
    assert 'viewBox="0 0 360 ' in panel.chart_narrow


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@time_machine.travel(NOW, tick=False)
def test_the_course_chart_fits_a_375_px_phone(page, live_server, client_a, therapist_a):
    course = f.CourseFactory(client=client_a, therapist=therapist_a, planned_sessions=9)
    measured_course(course, IMPROVING)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", therapist_a.user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}/outcomes/course/{course.pk}/")

    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    narrow = page.locator(".chart-narrow svg")
    assert narrow.is_visible() and not page.locator(".chart-wide svg").is_visible()
    box = narrow.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_client_page_draws_the_course_chart_for_a_phone_too(client, client_a, therapist_a):
    """The client page's chart of an active course has its phone-sized copy (shown below
    the wide one's breakpoint), not an empty box."""
    course = f.CourseFactory(client=client_a, therapist=therapist_a, planned_sessions=9)
    measured_course(course, IMPROVING)
    client.force_login(therapist_a.user)
    html = client.get(f"/clients/{client_a.pk}/").content.decode()
    wide = re.search(r'class="effect-chart chart-wide">\s*<svg[^>]*viewBox="0 0 (\d+) ', html)
    narrow = re.search(r'class="effect-chart chart-narrow">\s*<svg[^>]*viewBox="0 0 (\d+) ', html)
    assert wide and narrow, "both charts drawn"
    assert int(narrow[1]) == 360 < int(wide[1])
