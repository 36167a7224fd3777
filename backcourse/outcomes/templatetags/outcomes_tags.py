"""`{% load outcomes_tags %}` then `{% course_effect_panel course %}` on the course page
or `{% course_chart course %}` on the client page and the client portal.

The tags do no access checks: the page that includes them has already fetched the
course through `practices/access.py` (staff) or the portal's own-data check.
"""

from django import template

from backcourse.outcomes.panels import course_chart_context, course_effect_context

register = template.Library()


def _selected_measure(context) -> str | None:
    request = context.get("request")
    return request.GET.get("effect_measure") if request is not None else None


@register.inclusion_tag("outcomes/_course_effect.html", takes_context=True)
def course_effect_panel(context, course):
    """Chart, headline figures with ranges, body charts first vs latest, report link."""
    request = context.get("request")
    ctx = course_effect_context(course, request=request, measure_code=_selected_measure(context))
    ctx["request"] = request
    return ctx


@register.inclusion_tag("outcomes/_course_chart.html", takes_context=True)
def course_chart(context, course, rows=None, followups=None):
    """The chart of one course (goal measure, or `?effect_measure=`), with its honest caption.
    `rows` and `followups`: the course's measure rows and next-day answers if the page
    has loaded them (see `course_chart_context`)."""
    request = context.get("request")
    ctx = course_chart_context(
        course,
        request=request,
        measure_code=_selected_measure(context),
        rows=rows if isinstance(rows, list) else None,
        followups=followups if isinstance(followups, dict) else None,
    )
    ctx["request"] = request
    return ctx
