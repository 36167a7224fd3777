"""Date filters in the active language's formats (see backcourse/formats).

{{ value|day }} "Tuesday, December 1, 2026"; {{ value|day_short }} "Tue, Dec 1";
{{ value|day_time }} and {{ value|day_short_time }} add the time; {{ value|month_day_short }}
"Dec 1". For the rest use Django's own: {{ value|date }}, {{ value|date:"SHORT_DATE_FORMAT" }},
{{ value|time }}. Like |date, aware datetimes are shown in the active time zone (or the
one a |timezone filter before them chose).
"""

from django import template

from backcourse.formats import format_day_time, format_local, weekday_short

register = template.Library()


@register.filter(expects_localtime=True)
def day(value):
    return format_local(value, "DAY_FORMAT") if value else ""


@register.filter(expects_localtime=True)
def day_short(value):
    return format_local(value, "SHORT_DAY_FORMAT") if value else ""


@register.filter(expects_localtime=True)
def month_day_short(value):
    return format_local(value, "SHORT_MONTH_DAY_FORMAT") if value else ""


@register.filter(expects_localtime=True)
def day_time(value):
    return format_day_time(value) if value else ""


@register.filter(expects_localtime=True)
def day_short_time(value):
    return format_day_time(value, short=True) if value else ""


@register.filter(expects_localtime=True)
def weekday(value):
    """A few letters of the weekday, unambiguous in every language."""
    return weekday_short(value) if value else ""
