"""Phone numbers, checked and written one way (E.164, "+4930123456") with Google's
libphonenumber (`phonenumbers`). No Django here; callers turn ValueError into a message."""

import phonenumbers


def phone_normalise(raw: str, region: str = "DE") -> str:
    """`raw` as E.164; a national number ("030 123456") is read in `region`.
    ValueError("not_a_number" | "invalid") when it is not a valid number."""
    try:
        number = phonenumbers.parse(raw, region or None)
    except phonenumbers.NumberParseException as exc:
        raise ValueError("not_a_number") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
