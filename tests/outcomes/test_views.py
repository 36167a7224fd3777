import re
import shutil
import subprocess

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from backcourse.audit.models import AccessEvent
from backcourse.outcomes.services import practice_outcomes_refresh
from tests import factories as f
from tests.outcomes.helpers import measured_course

pytestmark = pytest.mark.django_db
HONEST = "own measurements, with its uncertainty — not a diagnosis or a promise"

TENSION = [
    {"trapezius_upper_l": 3, "trapezius_upper_r": 3, "erector_spinae_lumbar_l": 2},
    {"trapezius_upper_l": 2, "trapezius_upper_r": 2, "erector_spinae_lumbar_l": 1},
    {"trapezius_upper_l": 1, "trapezius_upper_r": 1},
]


@pytest.fixture
def measured_a(course_a):
    # Sessions with values count whatever today's date is (no clock needed).
    measured_course(
        course_a,
        [(8, 5), (7, 4), (6, 3)],
        stress=[(6, 3), (5, 3), (4, 2)],
        tension=TENSION,
    )
    return course_a


def _render_panel(course, user_staff, query=""):
    request = RequestFactory().get("/courses/x/" + query)
    request.staff = user_staff
    tpl = Template("{% load outcomes_tags %}{% course_effect_panel course %}")
    return tpl.render(Context({"course": course, "request": request}))


def test_panel_shows_figures_with_ranges_basis_and_honest_wording(measured_a, therapist_a):
    html = _render_panel(measured_a, therapist_a)

    assert HONEST in html
    assert "Immediate relief" in html
    assert 'data-figure="immediate_relief"' in html
    # mean relief of the last three sessions: (3 + 3 + 3) / 3
    assert re.search(r'data-figure="immediate_relief">.*?class="value">3 points<', html, re.S)
    assert "based on 3 sessions" in html
    assert "Sessions still needed to reach the goal" in html
    assert "<svg" in html and "<title" in html and "<desc" in html
    assert html.count('class="chart body-chart"') == 2  # first beside latest
    assert reverse("outcomes:course_report", args=[measured_a.pk]) in html


def test_panel_switches_measure_and_explains_what_cannot_be_estimated(measured_a, therapist_a):
    html = _render_panel(measured_a, therapist_a, "?effect_measure=stress")

    assert 'aria-current="true">Stress<' in html
    assert "The course goal is set on another measure" in html


def test_panel_with_one_session_says_why_there_is_no_curve(course_a, therapist_a):
    measured_course(course_a, [(7, 4)])
    html = _render_panel(course_a, therapist_a)
    assert "Too few sessions yet: this needs values from at least 3." in html


def test_panel_without_measurements_says_so(course_a, therapist_a):
    html = _render_panel(course_a, therapist_a)
    assert "No measurements recorded in this course yet" in html


def test_course_chart_tag_renders_a_chart_with_caption(measured_a):
    html = Template("{% load outcomes_tags %}{% course_chart course %}").render(
        Context({"course": measured_a})
    )
    assert "<svg" in html and HONEST in html


def test_course_effect_page_is_audited(as_therapist_a, measured_a):
    response = as_therapist_a.get(reverse("outcomes:course", args=[measured_a.pk]))
    assert response.status_code == 200
    assert AccessEvent.objects.filter(client=measured_a.client, what="course effect").exists()


def _pages(pdf: bytes, tmp_path) -> int | None:
    """Page count via poppler's pdfinfo (WeasyPrint compresses its page objects)."""
    if not shutil.which("pdfinfo"):
        return None
    path = tmp_path / "p.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", out.stdout, re.M).group(1))


def _pdf_text(pdf: bytes, tmp_path) -> str | None:
    if not shutil.which("pdftotext"):
        return None
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_report_is_a_pdf_with_the_client_and_is_audited_as_export(
    as_therapist_a, measured_a, tmp_path
):
    response = as_therapist_a.get(reverse("outcomes:course_report", args=[measured_a.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    assert pdf.rstrip().endswith(b"%%EOF")
    pages = _pages(pdf, tmp_path)
    assert pages is None or 1 <= pages <= 4
    text = _pdf_text(pdf, tmp_path)
    if text is not None:
        assert "Clara Adler" in text
        assert "Rückenwerk Berlin" in text
        assert "not a diagnosis or a promise" in text
    event = AccessEvent.objects.get(client=measured_a.client, what="progress report")
    assert event.action == AccessEvent.Action.EXPORT


def test_report_is_in_the_practice_language(as_therapist_a, measured_a, tmp_path):
    practice = measured_a.practice
    practice.language = "de"
    practice.save()
    from backcourse.outcomes.reports import course_report_html

    html = course_report_html(measured_a)
    assert '<html lang="de">' in html
    assert "02.11.2026" in html  # German date format for the first session
    response = as_therapist_a.get(reverse("outcomes:course_report", args=[measured_a.pk]))
    assert response.content.startswith(b"%PDF")


def test_other_practice_gets_404_on_every_outcomes_view(as_therapist_b, course_a):
    for name in ("outcomes:course", "outcomes:course_report"):
        assert as_therapist_b.get(reverse(name, args=[course_a.pk])).status_code == 404
    assert not AccessEvent.objects.filter(client=course_a.client).exists()


def test_outcomes_page_needs_login(client):
    response = client.get(reverse("outcomes:practice"))
    assert response.status_code == 302


def test_outcomes_page_is_scoped_to_the_practice(as_therapist_b, course_a):
    course_a.status = "completed"
    course_a.save()
    response = as_therapist_b.get(reverse("outcomes:practice"))
    assert response.status_code == 200
    assert "Chronic low back pain" not in response.content.decode()


def test_outcomes_page_counts_sessions_to_clinically_important_change(as_therapist_a, practice_a):
    def course(complaint, pains, status="completed", hour=8):
        c = f.CourseFactory(
            client=f.ClientFactory(practice=practice_a),
            therapist=f.StaffFactory(practice=practice_a),
            complaint=complaint,
            status=status,
        )
        measured_course(c, [(p, None) for p in pains], hour=hour)

    course("Low back pain", [8, 7, 6, 5])  # -2 at session 3
    course("Low back pain", [8, 6, 6])  # -2 at session 2
    course("low back  pain", [5, 3.5, 3])  # -30 % (-1.5) at session 2; same complaint
    course("Low back pain", [6, 6, 5, 6])  # never
    course("Neck tension", [5, 4, 3])  # -2 at session 3
    course("Neck tension", [5])  # too few values
    course("Low back pain", [9, 2], status="active")  # not finished: ignored
    practice_outcomes_refresh(practice=practice_a)

    response = as_therapist_a.get(reverse("outcomes:practice"))
    groups = {g["group"].complaint: g["group"] for g in response.context["rows"]}

    back = groups["Low back pain"]
    assert back.reached_at == {2: 2, 3: 1}
    assert (back.not_reached, back.not_measured, back.total) == (1, 0, 4)
    neck = groups["Neck tension"]
    assert neck.reached_at == {3: 1}
    assert (neck.not_reached, neck.not_measured) == (0, 1)
    html = response.content.decode()
    assert html.count('class="chart histogram"') == 2
