"""The PDF progress report of a course (WeasyPrint), in the practice's language."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone, translation

from backcourse.courses.models import Course
from backcourse.outcomes.panels import course_effect_context


def course_report_html(course: Course, *, request=None) -> str:
    practice = course.practice
    with translation.override(practice.language), timezone.override(practice.zone):
        ctx = course_effect_context(course, request=request, all_measures=True)
        ctx.update(
            practice=practice,
            client=course.client,
            generated_at=timezone.localtime(timezone.now(), practice.zone),
            language=practice.language,
        )
        return render_to_string("outcomes/report.html", ctx)


def course_report_pdf(course: Course, *, request=None) -> bytes:
    from weasyprint import HTML  # imported late: heavy, and only this view needs it

    return HTML(string=course_report_html(course, request=request)).write_pdf()
