"""Limits on what people type: free-text length and plausible dates.

One place for the numbers, so that every form (pages, portal, admin) refuses the same
things with the same clear message and nothing reaches the database that would crash
a page later (a year-1 date cannot be shifted a day back; a 1 MB note makes a PDF
export take many seconds).
"""

from datetime import date, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

# Characters in one free-text field: a SOAP section, notes, a history. About three
# printed pages; far more than anyone writes by hand for one session.
TEXT_MAX = 5000
# Dates people may enter (birthdays, sessions, courses, feeds, time off).
FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2199, 12, 31)


def date_is_plausible(value: date | datetime | None) -> bool:
    if value is None:
        return True
    day = value.date() if isinstance(value, datetime) else value
    return FIRST_DATE <= day <= LAST_DATE


def validate_plausible_date(value) -> None:
    if not date_is_plausible(value):
        raise ValidationError(
            _("Enter a date between %(first)s and %(last)s."),
            code="implausible_date",
            params={"first": FIRST_DATE.isoformat(), "last": LAST_DATE.isoformat()},
        )


class PlausibleDateField(forms.DateField):
    default_validators = [validate_plausible_date]


def text_max_validator() -> MaxLengthValidator:
    return MaxLengthValidator(TEXT_MAX)


def limit_form_field(field: forms.Field | None) -> forms.Field | None:
    """Give a form field built from a model field the limits above (used by the admin
    and ModelForms): free text gets TEXT_MAX, dates the plausible range."""
    if field is None:
        return field
    if isinstance(field, forms.CharField) and field.max_length is None:
        field.max_length = TEXT_MAX
        field.validators.append(text_max_validator())
        field.widget.attrs.setdefault("maxlength", str(TEXT_MAX))
    if isinstance(field, forms.DateField | forms.DateTimeField | forms.SplitDateTimeField):
        field.validators.append(validate_plausible_date)
    return field


def limited_formfield(db_field, **kwargs):
    """`Meta.formfield_callback` for ModelForms: the model's form field, limited."""
    return limit_form_field(db_field.formfield(**kwargs))
