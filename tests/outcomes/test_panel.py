"""One coherent panel: every figure from one computation, inside its interval, with its
unit, agreeing with its chart, and the same on every page that shows it."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from backcourse.measures.models import MeasureDefinition
from backcourse.outcomes.panels import measure_panel
from backcourse.outcomes.selectors import course_rows, measure_effect
from backcourse.portal.models import FollowUp
from tests import factories as f
from tests.outcomes.helpers import add_session, measured_course

pytestmark = pytest.mark.django_db

NOW = "2027-03-01 12:00:00+00:00"  # after every session the helpers create
IMPROVING = [(8, 5), (7, 4), (6, 4), (6, 3), (5, 3), (5, 2)]
NON_RESPONDER = [(7, 5), (7, 5), (7, 6), (6, 5), (7, 5), (7, 6)]
RELAPSE = [(8, 5), (6, 3), (5, 2), (4, 2), (4, 2), (5, 3), (6, 4), (7, 4)]
MAINTENANCE = [(7, 4), (5, 3), (4, 2), (3, 1), (3, 1), (3, 1), (4, 1), (3, 1)]


def _course(client_a, therapist_a, **kw):
    return f.CourseFactory(client=client_a, therapist=therapist_a, **kw)


def _effect(course, code="pain"):
    measure = MeasureDefinition.objects.get(code=code)
    return measure_effect(course, measure, course_rows(course))


def _panel_html(course, staff, query=""):
    request = RequestFactory().get("/courses/x/" + query)
    request.staff = staff
    tpl = Template("{% load outcomes_tags %}{% course_effect_panel course %}")
    return tpl.render(Context({"course": course, "request": request}))


def _rom_course(client_a, therapist_a):
    from backcourse.records.models import Measurement, SessionRecord

    ftf = MeasureDefinition.objects.get(code="fingertip_floor")
    course = _course(client_a, therapist_a, goal_measure=ftf, goal_value=5, planned_sessions=10)
    for k, (b, a) in enumerate([(26, 21), (22, 18), (19, 15), (17, 13), (15, 12), (14, 11)]):
        s = add_session(course, 7 * k)
        r = SessionRecord.objects.create(session=s)
        Measurement.objects.create(record=r, measure=ftf, moment="before", value=b)
        Measurement.objects.create(record=r, measure=ftf, moment="after", value=a)
    return course, "fingertip_floor"


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("kind", ["improving", "non_responder", "relapse", "maintenance", "rom"])
def test_every_figure_lies_inside_its_interval(client_a, therapist_a, kind):
    if kind == "rom":
        course, code = _rom_course(client_a, therapist_a)
    else:
        pains = {
            "improving": IMPROVING,
            "non_responder": NON_RESPONDER,
            "relapse": RELAPSE,
            "maintenance": MAINTENANCE,
        }[kind]
        course = _course(client_a, therapist_a, planned_sessions=10)
        measured_course(course, pains)
        code = "pain"

    result = _effect(course, code)

    shown = [fig for fig in result.figures if fig.value is not None]
    assert len(shown) >= 3
    for fig in shown:
        assert fig.low is not None, fig
        assert fig.low <= fig.value, fig
        assert fig.open_high or fig.value <= fig.high, fig


@time_machine.travel(NOW, tick=False)
def test_level_at_the_planned_last_session_is_the_charts_curve_there(client_a, therapist_a):
    course = _course(client_a, therapist_a, planned_sessions=8)
    measured_course(course, IMPROVING)

    result = _effect(course)
    fig = result.figure("level_at_planned")
    curve = result.effect.curve

    # Session 8 lies on the drawn curve (6 sessions + 5 ahead): the marker sits on it.
    assert fig.value == pytest.approx(curve.fitted[7], abs=0.05)
    assert fig.low == pytest.approx(min(curve.band_low[7], curve.band_high[7]), abs=0.05)
    plateau = result.figure("plateau")
    assert plateau.value is not None and plateau.key != fig.key
    panel = measure_panel(course, result.measure, course_rows(course))
    assert "planned last session, 80 % range" in panel.chart
    assert "levels off" in panel.chart


@time_machine.travel(NOW, tick=False)
def test_labels_say_what_each_figure_is_with_units(client_a, therapist_a):
    course = _course(client_a, therapist_a, planned_sessions=10)
    measured_course(course, IMPROVING)

    html = _panel_html(course, therapist_a)

    assert "Expected level at the planned last session (session 10)" in html
    assert "Where the course levels off" in html
    assert "points per day" in html
    assert re.search(
        r'data-figure="immediate_relief">.*?80 % range [\d.]+ to [\d.]+ points', html, re.S
    )
    # the sessions behind the mean are listed as such, not as a "from … to …" range
    assert "mean of the latest 5 sessions: 3 · 2 · 3 · 2 · 3" in html
    assert "from 2 to 2" not in html


@time_machine.travel(NOW, tick=False)
def test_two_sessions_say_too_few_instead_of_an_interval(client_a, therapist_a):
    course = _course(client_a, therapist_a)
    measured_course(course, IMPROVING[:2])

    html = _panel_html(course, therapist_a)

    for key in ("immediate_relief", "lasting_relief", "relapse_per_day"):
        card = html.split(f'data-figure="{key}">')[1].split('class="effect-figure"')[0]
        assert "Too few sessions yet: this needs values from at least 3." in card
        assert "80 % range" not in card


@time_machine.travel(NOW, tick=False)
def test_a_course_that_relapses_is_not_going_as_modelled_and_has_no_forecast(client_a, therapist_a):
    course = _course(client_a, therapist_a, planned_sessions=10)
    measured_course(course, RELAPSE)

    result = _effect(course)
    html = _panel_html(course, therapist_a)

    assert result.status == "not_as_modelled"
    for key in ("sessions_to_goal", "level_at_planned", "plateau", "maintenance_interval"):
        assert result.figure(key).value is None
    assert "Not going as modelled" in html
    assert re.search(r'data-figure="sessions_to_goal">.*?class="reason">No forecast', html, re.S)
    # no forecast on the chart either: no dashed curve ahead, no planned-session marker
    assert 'stroke-dasharray="5 4"' not in html
    assert "planned last session, 80 % range" not in html


@time_machine.travel(NOW, tick=False)
def test_a_relapsing_courses_chart_draws_the_curve_only_where_it_fits(client_a, therapist_a):
    """Lasting relief follows the latest value; the drawn curve must not run on through
    the worsening to a level the figure does not use."""
    course = _course(client_a, therapist_a, planned_sessions=10)
    measured_course(course, RELAPSE)

    result = _effect(course)
    panel = measure_panel(course, result.measure, course_rows(course))
    html = _panel_html(course, therapist_a)

    assert result.status == "not_as_modelled"
    # the latest three before values (6, 7, 8) rise: the curve fits sessions 1-5
    assert result.effect.curve_fits_until == 5
    chart = panel.chart
    # session numbers on the x axis give the x of each session
    ticks = {
        int(k): float(xv)
        for xv, k in re.findall(
            r'<text x="([\d.]+)" y="[\d.]+" text-anchor="middle"[^>]*>(\d+)</text>', chart
        )
    }
    curve = re.search(r'<polyline points="([^"]+)" fill="none" stroke="#c2571b"', chart)
    assert curve is not None
    curve_x = [float(p.split(",")[0]) for p in curve.group(1).split()]
    assert max(curve_x) == pytest.approx(ticks[5], abs=0.1)  # not on to session 8
    band = re.search(r'<polygon points="([^"]+)" fill="#c2571b"', chart)
    assert band is not None
    assert max(float(p.split(",")[0]) for p in band.group(1).split()) <= ticks[5] + 0.1
    # the break is marked and named, on the chart and in the panel's words
    assert 'data-break="6"' in chart
    assert "breaks from the curve" in chart
    assert "not going as modelled from session 6: no forecast" in chart
    assert "from session 6 the before values rise above the fitted curve" in html
    assert "from the start of the fitted curve to the latest before value" in html


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("language", ["en", "de"])
def test_a_range_of_one_value_reads_as_that_value_never_x_to_x(client_a, therapist_a, language):
    from django.utils import translation

    course = _course(client_a, therapist_a, planned_sessions=10, goal_value=2)
    steady = [(8, 6), (7.2, 5.2), (6.4, 4.4), (5.6, 3.6), (4.8, 2.8), (4, 2), (3.2, 1.2)]
    measured_course(course, steady)

    stg = _effect(course).figure("sessions_to_goal")
    assert (stg.value, stg.low, stg.high) == (2, 2, 2)
    with translation.override(language):
        html = _panel_html(course, therapist_a)
        panel = measure_panel(course, _effect(course).measure, course_rows(course))

    card = html.split('data-figure="sessions_to_goal">')[1].split('class="effect-figure"')[0]
    assert re.search(r'class="range">80 % range 2 sessions<', card) or language == "de"
    # no range anywhere on the panel or in the chart's description reads "X to X"
    for text in (html, panel.chart):
        for lo, hi in re.findall(r"([−\-]?[\d.,]+) (?:to|bis) ([−\-]?[\d.,]+)", text):
            assert lo != hi, f"{lo} to {hi}"
    assert not re.search(r"\b2 (to|bis) 2\b", html)


@time_machine.travel(NOW, tick=False)
def test_more_sessions_needed_than_planned_says_so_in_one_sentence(client_a, therapist_a):
    course = _course(client_a, therapist_a, planned_sessions=6, goal_value=2)
    measured_course(course, [(8, 5), (7, 4), (6, 3), (5, 3), (4, 2)])

    result = _effect(course)
    html = _panel_html(course, therapist_a)

    needed = result.figure("sessions_to_goal").value
    assert needed is not None and needed > 1
    assert (
        f"The data suggest about {int(needed)} more sessions to reach the goal, but the plan "
        "has 1 session left: consider extending the plan."
    ) in html


@time_machine.travel(NOW, tick=False)
def test_a_goal_out_of_reach_suggests_revising_the_plan(client_a, therapist_a):
    course = _course(client_a, therapist_a, planned_sessions=10)
    measured_course(course, NON_RESPONDER)

    html = _panel_html(course, therapist_a)

    assert "the course levels off before the goal: consider revising the goal" in html


@time_machine.travel(NOW, tick=False)
def test_maintenance_interval_only_when_it_keeps_a_reached_goal(client_a, therapist_a):
    intensive = _course(client_a, therapist_a, planned_sessions=10)
    measured_course(intensive, IMPROVING)  # before values still above the goal of 3
    assert 'data-figure="maintenance_interval"' not in _panel_html(intensive, therapist_a)

    keeping = f.CourseFactory(
        client=f.ClientFactory(practice=client_a.practice),
        therapist=f.StaffFactory(practice=client_a.practice),
        planned_sessions=12,
        phase="maintenance",
        maintenance_interval_days=90,
    )
    for day, pain in zip([0, 7, 14, 21, 28, 49, 70, 91], MAINTENANCE, strict=True):
        add_session(keeping, day, pain=pain)
    result = _effect(keeping)
    html = _panel_html(keeping, therapist_a)

    mi = result.figure("maintenance_interval")
    assert mi.value is not None and mi.high < 90
    assert 'data-figure="maintenance_interval"' in html
    assert "but the plan says every 90 days: consider adjusting the maintenance interval" in html


@time_machine.travel(NOW, tick=False)
def test_tension_chart_starts_at_zero_and_speaks_of_no_relief(client_a, therapist_a):
    course = _course(client_a, therapist_a)
    levels = [{"trapezius_upper_l": 3, "rhomboids_r": 3}, {"trapezius_upper_l": 2}, {}]
    for k, t in enumerate(levels):
        add_session(course, 7 * k, pain=(6, 4), tension=t or {"trapezius_upper_l": 1})

    html = _panel_html(course, therapist_a, "?effect_measure=tension_sum")
    chart = html.split('class="chart course-chart"')[1].split("</svg>")[0]

    ticks = [
        float(t)
        for t in re.findall(r'text-anchor="end" fill="#5b6b76" font-size="11">([\d.]+)<', chart)
    ]
    assert min(ticks) == 0
    assert "after session" not in chart and "immediate relief" not in chart
    assert "value at the session" in chart
    # no relief within a session for a measure taken once per session
    assert 'data-figure="immediate_relief"' not in html
    assert 'data-figure="lasting_relief"' in html


@time_machine.travel(NOW, tick=False)
def test_next_day_follow_ups_feed_the_relapse_estimate(client_a, therapist_a):
    course = _course(client_a, therapist_a)
    sessions = measured_course(course, IMPROVING)
    without = _effect(course).effect.relapse_points_per_day
    for s, (_, after) in zip(sessions[:-1], IMPROVING, strict=False):
        FollowUp.objects.create(
            session=s, value=after + 2, answered_at=s.starts_at + timedelta(days=1)
        )

    result = _effect(course)

    assert [p.next_day for p in result.points] == [7, 6, 6, 5, 5, None]
    assert result.effect.relapse_points_per_day != without


@time_machine.travel(NOW, tick=False)
def test_the_api_and_the_panel_give_the_same_figures(client, therapist_a, course_a):
    from backcourse.api.services import api_token_create

    measured_course(course_a, IMPROVING)
    _, token = api_token_create(staff=therapist_a, name="Test")
    result = _effect(course_a)

    response = client.get(
        f"/api/v1/courses/{course_a.pk}/effect?measure=pain",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )

    data = response.json()["effect"]
    assert data["level_at_planned_last_session"]["median"] == pytest.approx(
        result.figure("level_at_planned").value
    )
    assert data["immediate_relief_recent"]["median"] == pytest.approx(
        result.figure("immediate_relief").value
    )
    assert data["relapse_points_per_day"]["low"] == pytest.approx(
        result.figure("relapse_per_day").low
    )


@time_machine.travel(NOW, tick=False)
def test_the_clients_own_page_numbers_figures_like_the_staff_page(
    client, client_a, therapist_a, course_a
):
    from backcourse.clients.consent import consent_texts_default
    from backcourse.portal.services import consent_agree

    measured_course(course_a, IMPROVING)
    client_a.user = f.UserFactory(email=client_a.email)
    client_a.save(update_fields=["user"])
    consent_agree(
        client=client_a, text_ids=[t.pk for t in consent_texts_default(client_a.practice)]
    )
    client.force_login(client_a.user)

    html = client.get(reverse("portal:course", args=[course_a.pk])).content.decode()
    staff = _panel_html(course_a, therapist_a)

    staff_numbers = re.findall(r'class="number">(\d+)\.<', staff)
    client_numbers = re.findall(r'<li value="(\d+)">', html)
    assert client_numbers == staff_numbers
    assert "Right after a session you were on average" in html  # second person
    assert "What they are not: a diagnosis" in html
    # course_a plans 8 sessions: the client's chart stops there (no session 9 on the axis)
    chart = html.split('class="chart course-chart"')[1].split("</svg>")[0]
    assert re.search(r">8</text>", chart) and not re.search(r">9</text>", chart)


def test_sessions_in_the_future_are_not_held(course_a):
    with time_machine.travel(datetime(2026, 11, 10, tzinfo=UTC), tick=False):
        measured_course(course_a, IMPROVING)  # 2 Nov to 7 Dec: two have started
        assert len(_effect(course_a).points) == 2


@time_machine.travel(NOW, tick=False)
def test_one_session_numbering_everywhere_with_a_no_show(client, client_a, therapist_a):
    """A missed session gets no number; the held ones are 1..n on the course page's
    table, the chart, the PDF's table, the client's own page and the day view."""
    from backcourse.outcomes.panels import session_table
    from backcourse.outcomes.selectors import held_rows
    from backcourse.portal.progress import course_progress

    course = _course(client_a, therapist_a, planned_sessions=8)
    pains = [(8, 5), (7, 4), None, (6, 4), (6, 3)]
    sessions = []
    for k, pain in enumerate(pains):
        status = "no_show" if pain is None else "completed"
        sessions.append(add_session(course, 7 * k, pain=pain, status=status))

    rows = course_rows(course)
    assert [r.number for r in rows] == [1, 2, None, 3, 4]
    assert [s.number_in_course for s in sessions] == [1, 2, None, 3, 4]
    effect = _effect(course)
    assert len(effect.points) == 4  # the chart's sessions 1..4
    measures = [MeasureDefinition.objects.get(code="pain")]
    assert [r["number"] for r in session_table(held_rows(rows), measures)["rows"]] == [1, 2, 3, 4]
    assert [r.number for r in course_progress(course).rows] == [1, 2, 3, 4]

    client.force_login(therapist_a.user)
    html = client.get(reverse("courses:detail", args=[course.pk])).content.decode()
    table = html.split('<table class="measures">')[1].split("</table>")[0]
    assert re.findall(r'<tr class="status-\w+">\s*<td>([^<]*)</td>', table) == [
        "1",
        "2",
        "–",
        "3",
        "4",
    ]
    # the chart's latest held session is number 4, where the table's last row is
    chart = html.split('class="chart course-chart"')[1].split("</svg>")[0]
    assert "Session 4" in chart or re.search(r">4</text>", chart)


def _ranges(html):
    return re.findall(r"80 % range (−?-?[\d.,]+) to (−?-?[\d.,]+)", html)


@time_machine.travel(NOW, tick=False)
def test_no_range_collapses_at_the_floor_of_a_rom_measure_or_the_tension_sum(client_a, therapist_a):
    """Fingertip-to-floor falling to its floor (-30 cm) and a tension sum falling to 0:
    the levels pile up at the bound, and no range may read "-30 to -30" or "0 to 0"."""
    from backcourse.records.models import Measurement, SessionRecord

    ftf = MeasureDefinition.objects.get(code="fingertip_floor")
    course = _course(client_a, therapist_a, goal_measure=ftf, goal_value=-20, planned_sessions=9)
    for k, (b, a) in enumerate([(10, 4), (1, -5), (-8, -14), (-16, -22), (-23, -28), (-28, -30)]):
        r = SessionRecord.objects.create(session=add_session(course, 7 * k))
        Measurement.objects.create(record=r, measure=ftf, moment="before", value=b)
        Measurement.objects.create(record=r, measure=ftf, moment="after", value=a)
    tension_course = _course(client_a, therapist_a, planned_sessions=9)
    a, b, c = "trapezius_upper_l", "rhomboids_r", "rhomboids_l"
    sums = [{a: 3, b: 3, c: 2}, {a: 3, b: 3}, {a: 2, b: 2}, {a: 1, b: 1}, {a: 1}, {a: 1}]
    for k, t in enumerate(sums):  # 8, 6, 4, 2, 1, 1
        add_session(tension_course, 7 * k, pain=(6, 4), tension=t, hour=14)

    for c, code in ((course, "fingertip_floor"), (tension_course, "tension_sum")):
        result = _effect(c, code)
        shown = [fig for fig in result.figures if fig.value is not None and fig.high is not None]
        assert any(fig.key in ("plateau", "level_at_planned") for fig in shown), code
        for fig in shown:
            if fig.key == "sessions_to_goal" and fig.value == 0:
                continue  # "0 - goal reached", shown without a range
            assert fig.low < fig.high, (code, fig)
        curve = result.effect.curve
        assert all(h > lo for lo, h in zip(curve.band_low, curve.band_high, strict=True))
        html = _panel_html(c, therapist_a, f"?effect_measure={code}")
        ranges = _ranges(html)
        assert ranges, code
        assert all(lo != hi for lo, hi in ranges), (code, ranges)
