"""The course page (plan + every session's measures) and the course form."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backcourse.courses.forms import CourseForm
from backcourse.courses.services import course_create, course_update
from backcourse.measures.models import MeasureDefinition
from backcourse.measures.selectors import measure_definitions
from backcourse.outcomes.panels import course_effect_context
from backcourse.outcomes.selectors import FOLLOW_UP_RELATION, follow_ups_of
from backcourse.practices.access import access_client, access_course, staff_required
from backcourse.practices.roles import Perm
from backcourse.records.selectors import course_measure_table_and_cancelled
from backcourse.scheduling.models import Session

# The course-effect panel of the outcomes app.
COURSE_EFFECT_TEMPLATE = "outcomes/_course_effect.html"


def _course_effect_html(
    request: HttpRequest, course, rows=None, definitions=None, followups=None
) -> str:
    """The outcomes app's course-effect panel, rendered with its own context so that
    its names cannot clash with this page's. `rows`: the page's measure table, if loaded;
    `definitions`: every MeasureDefinition in admin order, and `followups`, the next-day
    answers, if loaded."""
    context = course_effect_context(
        course,
        request=request,
        measure_code=request.GET.get("effect_measure"),
        rows=rows,
        definitions=definitions,
        followups=followups,
    )
    return render_to_string(COURSE_EFFECT_TEMPLATE, context, request=request)


def _measure_rows(table: list) -> str:
    """The measures table's rows, as `courses/detail.html` wrote them with ~15 template
    tags per row and cell (~0.25 ms a row on the course page): the same filters (date,
    floatformat, localize) called directly, every value escaped as autoescaping does.
    Returns safe HTML."""
    labels = {value: conditional_escape(str(label)) for value, label in Session.Status.choices}
    record_words = (conditional_escape(_("Record")), conditional_escape(_("Edit record")))
    none = '<span class="muted">–</span>'
    out = []
    for t in table:
        row = t["row"]
        session = row.session
        status = conditional_escape(session.status)
        number = "–" if row.number is None else conditional_escape(formats.localize(row.number))
        day = conditional_escape(date_filter(row.date))
        if session.status != Session.Status.COMPLETED:
            label = labels.get(session.status, status)
            day += f'<br><span class="badge badge-{status}">{label}</span>'
        cells = []
        for c in t["cells"]:
            if c["single"]:
                v = c["value"]
                text = "–" if v is None else conditional_escape(formats.localize(v))
            elif c["before"] is None and c["after"] is None:
                text = none
            else:
                before = conditional_escape(floatformat(c["before"]) or "–")
                after = conditional_escape(floatformat(c["after"]) or "–")
                text = f"{before} → {after}"
            cells.append(f'<td class="num nowrap">{text}</td>')
        techniques = ", ".join(str(conditional_escape(tq)) for tq in row.techniques) or none
        record = ""
        if session.record_open:
            url = conditional_escape(reverse("records:edit", args=[session.pk]))
            record = f'<a href="{url}">{record_words[bool(row.record)]}</a>'
        out.append(
            f'\n      <tr class="status-{status}">'
            f"\n        <td>{number}</td>"
            f'\n        <td class="nowrap">{day}</td>'
            f"\n        {''.join(cells)}"
            f'\n        <td class="small">{techniques}</td>'
            f'\n        <td class="nowrap">{record}</td>'
            "\n      </tr>\n    "
        )
    return mark_safe("".join(out))  # every value escaped above


@staff_required(perm=Perm.CLINICAL_READ)
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    course = access_course(request, pk, audit_what="course page")
    # Every measure (a short admin vocabulary, kept in memory per process): the active
    # ones are the table's columns, in their admin order (data, not code); the effect
    # panel picks those with data from the same list.
    definitions = measure_definitions(request.practice)
    columns = [m for m in definitions if m.is_active]
    # The sessions with their next-day follow-ups (the effect panel's relapse estimate)
    rows, cancelled = course_measure_table_and_cancelled(course, related=(FOLLOW_UP_RELATION,))
    table = []
    for row in rows:
        cells = []
        for m in columns:
            if m.kind == MeasureDefinition.Kind.TENSION_SUM:
                cells.append({"single": True, "value": row.tension_sum})
            else:
                before, after = row.measures.get(m.code, (None, None))
                cells.append({"single": False, "before": before, "after": after})
        table.append({"row": row, "cells": cells})
    done = sum(1 for r in rows if r.session.status == Session.Status.COMPLETED)
    return render(
        request,
        "courses/detail.html",
        {
            "nav": "clients",
            "course": course,
            "client": course.client,
            "target_muscles": list(course.target_muscles.all()),
            "columns": columns,
            "measure_table": table,
            "measure_rows": _measure_rows(table),
            "done": done,
            "cancelled": cancelled,
            "course_effect_html": _course_effect_html(
                request, course, rows, definitions, follow_ups_of(rows)
            ),
        },
    )


@staff_required(perm=Perm.CLINICAL_WRITE)
@require_http_methods(["GET", "POST"])
def course_new(request: HttpRequest) -> HttpResponse:
    if not request.GET.get("client"):
        raise Http404("A course is planned from a client's page.")
    client = access_client(
        request, request.GET["client"], audit_what="new course form", perm=Perm.CLINICAL_WRITE
    )
    initial = {
        "therapist": request.staff if request.staff.takes_sessions else None,
        "goal_measure": MeasureDefinition.objects.filter(code="pain").first(),
        "goal_value": 3,
        "started_on": _today(request),
        "planned_sessions": 6,
    }
    form = CourseForm(
        request.POST if request.method == "POST" else None,
        practice=request.practice,
        client=client,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        course = course_create(practice=request.practice, client=client, data=form.cleaned_data)
        messages.success(request, _("Course planned."))
        return redirect("courses:detail", course.pk)
    return render(
        request,
        "courses/form.html",
        {"nav": "clients", "form": form, "client": client, "course": None},
        status=400 if form.is_bound else 200,
    )


@staff_required(perm=Perm.CLINICAL_WRITE)
@require_http_methods(["GET", "POST"])
def course_edit(request: HttpRequest, pk: int) -> HttpResponse:
    course = access_course(request, pk, audit_what="course edit form", perm=Perm.CLINICAL_WRITE)
    client = course.client
    form = CourseForm(
        request.POST if request.method == "POST" else None,
        instance=course,
        practice=request.practice,
        client=client,
    )
    if request.method == "POST" and form.is_valid():
        course_update(course=course, data=form.cleaned_data)
        messages.success(request, _("Changes saved."))
        return redirect("courses:detail", course.pk)
    if form.is_bound:
        course = access_course(request, pk)  # the stored plan, for the page heading
    return render(
        request,
        "courses/form.html",
        {"nav": "clients", "form": form, "client": client, "course": course},
        status=400 if form.is_bound else 200,
    )


def _today(request):
    from django.utils import timezone

    return timezone.now().astimezone(request.practice.zone).date()
