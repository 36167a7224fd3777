from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from backcourse.audit.models import AccessEvent
from backcourse.audit.services import access_event_record
from backcourse.outcomes import charts
from backcourse.outcomes.reports import course_report_pdf
from backcourse.outcomes.selectors import (
    practice_outcome_groups,
    practice_outcome_totals,
    practice_outcomes,
)
from backcourse.practices.access import access_course, staff_required
from backcourse.practices.roles import Perm

COMPLAINTS_PER_PAGE = 20


@require_GET
@staff_required(perm=Perm.CLINICAL_READ)
def course_effect(request: HttpRequest, pk: int) -> HttpResponse:
    """The course-effect panel on a page of its own (also linked from the course page)."""
    course = access_course(request, pk, audit_what="course effect")
    return render(request, "outcomes/course_effect.html", {"course": course})


@require_GET
@staff_required(perm=Perm.CLINICAL_READ)
def course_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress report as a PDF to hand to the client or their doctor."""
    course = access_course(request, pk)
    access_event_record(
        request=request,
        client=course.client,
        what="progress report",
        action=AccessEvent.Action.EXPORT,
    )
    pdf = course_report_pdf(course, request=request)
    name = slugify(f"progress {course.client.full_name} {course.started_on:%Y-%m-%d}") or "report"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@staff_required(perm=Perm.CLINICAL_READ)
def practice(request: HttpRequest) -> HttpResponse:
    """Finished courses: how many sessions until pain first improved by 2 points or 30 %.

    Aggregated in SQL from the stored course summaries, 20 complaints a page."""
    paginator = Paginator(practice_outcome_groups(request.practice), COMPLAINTS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    groups = practice_outcomes(request.practice, list(page.object_list))
    max_k = max([k for g in groups for k in g.reached_at] + [6])
    rows = [
        {
            "group": g,
            "svg": charts.sessions_histogram(
                g.reached_at, g.not_reached, title=g.complaint, max_k=max_k
            ),
        }
        for g in groups
    ]
    return render(
        request,
        "outcomes/practice.html",
        {
            "rows": rows,
            "page": page,
            "totals": practice_outcome_totals(request.practice),
            "nav": "outcomes",
        },
    )
