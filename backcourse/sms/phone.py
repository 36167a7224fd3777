"""Phone numbers for forms: lib.phone's check with a message people can read."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from backcourse.lib import phone

MESSAGES = {
    "not_a_number": _("This is not a phone number."),
    "invalid": _("This phone number is not valid."),
}


def phone_normalise(raw: str, region: str = "DE") -> str:
    try:
        return phone.phone_normalise(raw, region)
    except ValueError as exc:
        raise ValidationError(MESSAGES[str(exc)]) from exc
