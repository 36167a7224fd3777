"""Number formatting shared by forms, pages, emails and the API (no Django)."""

from decimal import Decimal


def plain_decimal(value: Decimal | int | float) -> str:
    """7.0 -> "7", 12.5 -> "12.5", 30 -> "30": never "3E+1", never "-0"."""
    text = f"{Decimal(value).normalize():f}"
    return "0" if text in ("-0", "") else text
