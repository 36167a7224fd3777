"""The one validator of a measured value: the form, the API and the check-in ask it."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from backcourse.lib.numbers import plain_decimal
from backcourse.measures.models import MeasureDefinition

# Values are stored with one decimal place (Measurement.value).
STORED_PLACES = Decimal("0.1")


def measure_value_error(measure: MeasureDefinition, value: Decimal) -> str | None:
    """Why `value` is not a valid reading of `measure` (a sentence), or None."""
    if not measure.is_active:
        return _("This measure is not in use.")
    if not value.is_finite():
        return _("Enter a number.")
    unit = f" {measure.unit}" if measure.unit and measure.unit != "°" else measure.unit
    if value < measure.min_value or value > measure.max_value:
        return _("%(name)s must be between %(low)s and %(high)s%(unit)s.") % {
            "name": measure.label,
            "low": plain_decimal(measure.min_value),
            "high": plain_decimal(measure.max_value),
            "unit": unit,
        }
    if measure.step and (value - measure.min_value) % measure.step != 0:
        return _("%(name)s is measured in steps of %(step)s%(unit)s.") % {
            "name": measure.label,
            "step": plain_decimal(measure.step),
            "unit": unit,
        }
    try:
        value.quantize(STORED_PLACES)
    except InvalidOperation:
        return _("Enter a number.")
    return None


def measure_value_stored(value: Decimal) -> Decimal:
    """The value as stored (one decimal place); call after `measure_value_error`."""
    return value.quantize(STORED_PLACES)
