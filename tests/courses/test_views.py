"""Course page (plan + measures table) and course form."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from backcourse.audit.models import AccessEvent
from backcourse.courses.models import Course
from backcourse.measures.models import MeasureDefinition, MuscleRegion, Technique
from backcourse.records.models import Measurement, SessionRecord, TensionReading
from tests import factories as f

pytestmark = pytest.mark.django_db


def _measured_session(course, day, values, tension=(), techniques=()):
    s = f.SessionFactory(course=course, starts_at=datetime(2026, 11, day, 9, tzinfo=UTC))
    record = SessionRecord.objects.create(session=s)
    for (code, moment), value in values.items():
        Measurement.objects.create(
            record=record,
            measure=MeasureDefinition.objects.get(code=code),
            moment=moment,
            value=Decimal(str(value)),
        )
    for code, level in tension:
        TensionReading.objects.create(
            record=record, region=MuscleRegion.objects.get(code=code), level=level
        )
    record.techniques.set(Technique.objects.filter(code__in=techniques))
    return s


def test_course_page_shows_plan_and_measures(as_therapist_a, course_a):
    course_a.target_muscles.set(MuscleRegion.objects.filter(code="quadratus_lumborum_l"))
    _measured_session(
        course_a,
        2,
        {
            ("pain", "before"): 7,
            ("pain", "after"): 4,
            ("stress", "before"): 6,
            ("stress", "after"): 3,
            ("fingertip_floor", "before"): 20,
            ("fingertip_floor", "after"): 15.5,
            ("cervical_rotation_left", "before"): 55,
            ("cervical_rotation_right", "after"): 70,
        },
        tension=[("trapezius_upper_l", 2), ("trapezius_upper_r", 3)],
        techniques=["petrissage", "stretching"],
    )
    _measured_session(course_a, 9, {("pain", "before"): 5})
    r = as_therapist_a.get(reverse("courses:detail", args=[course_a.pk]))
    assert r.status_code == 200
    html = r.content.decode()
    assert "Chronic low back pain" in html
    assert "Pain ≤ 3" in html
    assert "Quadratus lumborum L" in html
    assert "7 → 4" in html and "6 → 3" in html and "20 → 15.5" in html
    assert "55 → –" in html and "– → 70" in html
    assert "5 → –" in html
    assert ">5<" in html  # tension sum 2 + 3
    assert "Kneading (petrissage), Stretching" in html
    assert 'id="course-effect"' in html or "course_effect" in r.templates[0].source


def test_course_page_is_audited(as_therapist_a, course_a, client_a):
    as_therapist_a.get(reverse("courses:detail", args=[course_a.pk]))
    assert AccessEvent.objects.filter(client=client_a, what="course page").count() == 1


def test_course_table_queries_do_not_grow_with_sessions(
    as_therapist_a, course_a, django_assert_num_queries
):
    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            as_therapist_a.get(reverse("courses:detail", args=[course_a.pk]))
        return len(ctx)

    _measured_session(course_a, 2, {("pain", "before"): 7}, tension=[("rhomboids_l", 1)])
    few = count()
    for day in range(3, 12):
        _measured_session(
            course_a,
            day,
            {("pain", "before"): 6},
            tension=[("rhomboids_l", 1)],
            techniques=["friction"],
        )
    assert count() == few


def _course_data(therapist, **over):
    data = {
        "complaint": "Neck pain",
        "therapist": therapist.pk,
        "goal_measure": MeasureDefinition.objects.get(code="pain").pk,
        "goal_kind": "target",
        "goal_value": "3",
        "planned_sessions": "6",
        "intensive_interval_days": "7",
        "maintenance_interval_days": "28",
        "phase": "intensive",
        "status": "active",
        "started_on": "2026-11-02",
        "target_muscles": [MuscleRegion.objects.get(code="trapezius_upper_l").pk],
    }
    data.update(over)
    return data


def test_create_course(as_therapist_a, client_a, therapist_a):
    url = reverse("courses:create") + f"?client={client_a.pk}"
    assert as_therapist_a.get(url).status_code == 200
    r = as_therapist_a.post(url, _course_data(therapist_a))
    course = Course.objects.get(complaint="Neck pain")
    assert r["Location"] == reverse("courses:detail", args=[course.pk])
    assert course.client == client_a and course.practice == client_a.practice
    assert [m.code for m in course.target_muscles.all()] == ["trapezius_upper_l"]


def test_create_course_needs_a_client(as_therapist_a):
    assert as_therapist_a.get(reverse("courses:create")).status_code == 404


def test_open_ended_course(as_therapist_a, client_a, therapist_a):
    url = reverse("courses:create") + f"?client={client_a.pk}"
    as_therapist_a.post(url, _course_data(therapist_a, planned_sessions=""))
    assert Course.objects.get().planned_sessions is None


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"goal_value": "12"}, "goal_value", "must lie on the Pain"),
        ({"goal_value": "10"}, "goal_value", "worst value"),
        ({"goal_kind": "percent", "goal_value": "150"}, "goal_value", "between 1 and 100"),
        ({"goal_value": "abc"}, "goal_value", "Enter a number"),
        ({"planned_sessions": "0"}, "planned_sessions", "greater than or equal to 1"),
        ({"planned_sessions": "101"}, "planned_sessions", "less than or equal to 100"),
        ({"complaint": ""}, "complaint", "required"),
        ({"started_on": "2026-02-31"}, "started_on", "valid date"),
    ],
)
def test_course_form_rejects_bad_input(as_therapist_a, client_a, therapist_a, over, field, message):
    url = reverse("courses:create") + f"?client={client_a.pk}"
    r = as_therapist_a.post(url, _course_data(therapist_a, **over))
    assert r.status_code == 400
    assert message in " ".join(r.context["form"].errors[field])
    assert Course.objects.count() == 0
    html = r.content.decode()
    # The message sits next to its field, and what was typed is kept.
    field_html = html[html.index(f'id="field-{field}"') :]
    field_html = (
        field_html[: field_html.index('<div class="field', 10)]
        if '<div class="field' in field_html[10:]
        else field_html
    )
    assert 'class="errorlist"' in field_html
    if over.get("complaint", None) != "":
        assert 'value="Neck pain"' in html


def test_course_form_refuses_therapist_of_another_practice(as_therapist_a, client_a, therapist_b):
    url = reverse("courses:create") + f"?client={client_a.pk}"
    r = as_therapist_a.post(url, _course_data(therapist_b))
    assert r.status_code == 400
    assert "therapist" in r.context["form"].errors
    assert Course.objects.count() == 0


def test_edit_course(as_therapist_a, course_a, therapist_a):
    url = reverse("courses:edit", args=[course_a.pk])
    assert as_therapist_a.get(url).status_code == 200
    r = as_therapist_a.post(url, _course_data(therapist_a, phase="maintenance", goal_value="2"))
    assert r.status_code == 302
    course_a.refresh_from_db()
    assert course_a.phase == "maintenance" and course_a.goal_value == Decimal("2")
    assert course_a.complaint == "Neck pain"


def test_edit_course_with_error_saves_nothing(as_therapist_a, course_a, therapist_a):
    url = reverse("courses:edit", args=[course_a.pk])
    r = as_therapist_a.post(url, _course_data(therapist_a, goal_value="11"))
    assert r.status_code == 400
    course_a.refresh_from_db()
    assert course_a.complaint == "Chronic low back pain"
    assert course_a.goal_value == Decimal("3")


# The measures table's rows as the template wrote them before they were written in
# Python (courses.views._measure_rows): the page must show the same bytes.
MEASURE_ROWS_TEMPLATE = """{% load i18n %}{% for t in measure_table %}
      <tr class="status-{{ t.row.session.status }}">
        <td>{{ t.row.number|default_if_none:"–" }}</td>
        <td class="nowrap">{{ t.row.date|date }}{% if t.row.session.status != 'completed' %}<br><span class="badge badge-{{ t.row.session.status }}">{{ t.row.session.get_status_display }}</span>{% endif %}</td>
        {% for c in t.cells %}<td class="num nowrap">{% if c.single %}{{ c.value|default_if_none:"–" }}{% elif c.before is None and c.after is None %}<span class="muted">–</span>{% else %}{{ c.before|floatformat|default:"–" }} → {{ c.after|floatformat|default:"–" }}{% endif %}</td>{% endfor %}
        <td class="small">{% for tq in t.row.techniques %}{{ tq }}{% if not forloop.last %}, {% endif %}{% empty %}<span class="muted">–</span>{% endfor %}</td>
        <td class="nowrap">{% if t.row.session.record_open %}<a href="{% url 'records:edit' t.row.session.pk %}">{% if t.row.record %}{% translate "Edit record" %}{% else %}{% translate "Record" %}{% endif %}</a>{% endif %}</td>
      </tr>
    {% endfor %}"""  # noqa: E501


@time_machine.travel(datetime(2026, 11, 18, 12, tzinfo=UTC), tick=False)
@pytest.mark.parametrize("language", ["en", "de", "lt"])
def test_course_page_measure_rows_are_the_templates_and_escaped(
    as_therapist_a, course_a, practice_a, language
):
    from django.template import Context, Template
    from django.utils import timezone, translation

    practice_a.language = language
    practice_a.save()
    Technique.objects.filter(code="petrissage").update(name="<b>Kneading</b> & co")
    done = _measured_session(
        course_a,
        2,
        {
            ("pain", "before"): 7.5,
            ("pain", "after"): 4,
            ("fingertip_floor", "before"): 1234.25,
            ("cervical_rotation_right", "after"): 70,
        },
        tension=[("trapezius_upper_l", 2), ("trapezius_upper_r", 3)],
        techniques=["petrissage", "stretching"],
    )
    done.status = "completed"
    done.save()
    _measured_session(course_a, 9, {("pain", "before"): 5})
    for day, status in ((12, "no_show"), (16, "booked"), (20, "cancelled"), (3, "checked_in")):
        s = f.SessionFactory(course=course_a, starts_at=datetime(2026, 11, day, 9, tzinfo=UTC))
        s.status = status
        s.save()
    # The request leaves the practice's language active in this thread: give the next
    # tests back the one they had.
    with translation.override(translation.get_language()):
        r = as_therapist_a.get(reverse("courses:detail", args=[course_a.pk]))
    assert r.status_code == 200
    html = r.content.decode()
    table = r.context["measure_table"]
    with timezone.override(practice_a.zone), translation.override(language):
        expected = Template(MEASURE_ROWS_TEMPLATE).render(Context({"measure_table": table}))
    assert len(table) >= 5
    assert {t["row"].session.status for t in table} >= {"completed", "no_show", "booked"}
    assert "<tbody>\n    " + expected + "\n    </tbody>" in html
    assert "badge badge-no_show" in expected and "badge badge-checked_in" in expected
    assert "Kneading" in expected and "</a>" in expected and " → " in expected
    assert "<b>Kneading" not in html and "&lt;b&gt;Kneading&lt;/b&gt; &amp; co" in html
