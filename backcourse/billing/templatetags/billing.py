"""Money in templates: `{{ amount|money:"EUR" }}` and the package and price includes."""

from decimal import Decimal

from django import template
from django.utils import formats

from backcourse.billing import selectors

register = template.Library()


@register.filter
def money(value, currency: str = "") -> str:
    """75 → "75.00 EUR" (German: "75,00 EUR"), in the active language's format."""
    if value in (None, ""):
        return ""
    text = formats.number_format(Decimal(value), 2, use_l10n=True, force_grouping=True)
    return f"{text}\u00a0{currency}".strip()


@register.inclusion_tag("billing/_package_balance.html")
def package_balance(client, compact=False):
    """Sessions used and left of the client's packages (client, course, portal pages)."""
    return {"balances": selectors.package_balances(client), "compact": compact}


@register.simple_tag
def package_notice(session):
    """What booking this session means for the client's package, or ""."""
    return selectors.package_notice(session) or ""


@register.simple_tag
def session_type_price(session_type, currency=""):
    price = selectors.price_for_type(session_type)
    return (
        money(price.amount, currency or selectors.currency_of(session_type.practice))
        if price
        else ""
    )
