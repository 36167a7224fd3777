"""How dates, times and numbers are written in each language (FORMAT_MODULE_PATH).

Django's own locale formats cover the standard names (DATE_FORMAT, SHORT_DATE_FORMAT,
TIME_FORMAT, …). The modules here adjust those where a practice would expect otherwise
(English dates the British way, "en-us" with 12-hour times, Lithuanian genitive months) and add the
named formats Django lacks: a date with its weekday, long (DAY_FORMAT) and short
(SHORT_DAY_FORMAT), and a short day-and-month (SHORT_MONTH_DAY_FORMAT). Templates use the
`dates` filters and Python code `format_local`, never a hand-written pattern, so German
gets "1. Dezember 2026" and an English practice chooses "en" (British) or "en-us" (US).
"""

from datetime import date, datetime

from django.utils import formats, translation
from django.utils.formats import date_format, time_format

# Our own named formats, with their English fallback for a language without a module.
CUSTOM = {
    "DAY_FORMAT": "l j F Y",
    "SHORT_DAY_FORMAT": "D j M",
    "SHORT_MONTH_DAY_FORMAT": "j M",
    "WEEKDAY_MONTH_DAY_FORMAT": "l j F",
}


def local_format(name: str) -> str:
    """The active language's pattern for a standard or custom format name."""
    if name not in CUSTOM:
        return formats.get_format(name)
    for module in formats.get_format_modules(translation.get_language()):
        if hasattr(module, name):
            return getattr(module, name)
    return CUSTOM[name]


def format_local(value: date | datetime, name: str = "DATE_FORMAT") -> str:
    """A date (or the date part of an aware datetime, in the active time zone)."""
    return date_format(value, local_format(name))


def weekday_short(value: date) -> str:
    """The weekday in a few letters ("Mon", "Mo", "Pr") for narrow places."""
    for module in formats.get_format_modules(translation.get_language()):
        names = getattr(module, "WEEKDAY_ABBREVIATIONS", None)
        if names:
            return names[value.weekday()]
    return date_format(value, "D")


def format_day_time(value: datetime, short: bool = False) -> str:
    """'Tuesday 1 December 2026, 14:00' / 'Dienstag, 1. Dezember 2026, 14:00'."""
    day = format_local(value, "SHORT_DAY_FORMAT" if short else "DAY_FORMAT")
    return f"{day}, {time_format(value)}"
