"""Money in templates: `{{ amount|money:"EUR" }}` and the package and price includes."""

from decimal import Decimal

from django import template
from django.utils import formats
from django.utils.safestring import mark_safe

from backcourse.billing import selectors

register = template.Library()


@register.filter
def money(value, currency: str = "") -> str:
    """75 → "75.00 EUR" (German: "75,00 EUR"), in the active language's format."""
    if value in (None, ""):
        return ""
    text = formats.number_format(Decimal(value), 2, use_l10n=True, force_grouping=True)
    return f"{text}\u00a0{currency}".strip()


@register.filter
def oneline(text: str) -> str:
    """An address on one line ("Street 1, 10435 Berlin"), e.g. the sender line."""
    return ", ".join(part.strip() for part in str(text or "").splitlines() if part.strip())


@register.filter
def css_string(text: str) -> str:
    """Text safe inside a CSS string in a <style> element (a page footer's `content`):
    everything but letters, digits, spaces and harmless punctuation becomes a CSS escape
    (HTML entities are not decoded inside <style>)."""
    safe = set(" .,·-_()/:")
    out = "".join(c if c.isalnum() or c in safe else f"\\{ord(c):x} " for c in str(text))
    return mark_safe(out)  # every other character is escaped above


@register.inclusion_tag("billing/_package_balance.html")
def package_balance(client, compact=False, course=None, courses=None):
    """Sessions used and left of the client's packages (client, course, portal pages);
    with `course`, only those sold for it or for no course. `courses`: the client's
    courses if the page has them (the compact list names no course: none needed)."""
    if course is not None:
        known = {course.pk: course}
    elif courses is not None:
        known = {c.pk: c for c in courses}
    else:
        known = {} if compact else None
    balances = selectors.package_balances(client, courses=known)
    if course is not None:
        balances = [b for b in balances if b.package.course_id in (None, course.pk)]
    return {"balances": balances, "compact": compact}


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


@register.inclusion_tag("billing/_client_invoices.html")
def client_invoices(client):
    """The client's own invoices, credit notes and payments (portal)."""
    invoices = selectors.invoices_with_balance(client.invoices.all()).order_by("-number")[:50]
    return {"invoices": invoices}
