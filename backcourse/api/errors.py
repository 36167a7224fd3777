"""The error body every API operation may answer with, the statuses that carry it,
and the strict input types that make bad input such an error.

`detail` is a sentence for most errors, and for invalid input (422) a list of the
problems found, each `{type, loc, msg}` (where `loc` names the part and the field)."""

import re
from datetime import date
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import BeforeValidator

from backcourse.security.limits import FIRST_DATE, LAST_DATE, date_is_plausible


class ErrorOut(Schema):
    detail: str | list[dict[str, Any]] = Field(
        description="A message; for invalid input (422), a list of {type, loc, msg}."
    )


# Every operation may answer: a body that is no JSON (400), not signed in (401), role
# without the permission (403), not found or another practice's (404), invalid input
# (422).
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _iso_date(value: Any) -> Any:
    """Only an ISO date (YYYY-MM-DD) is a date here: pydantic alone would also take a
    number as a Unix time (`?issued_until=0` as 1970-01-01)."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
        raise ValueError("Give a date as YYYY-MM-DD.")
    day = date.fromisoformat(value)
    if not date_is_plausible(day):
        raise ValueError(f"Give a date between {FIRST_DATE} and {LAST_DATE}.")
    return day


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# A date in a query parameter or a JSON body: YYYY-MM-DD, within the plausible range.
IsoDate = Annotated[date, BeforeValidator(_iso_date)]
