from django import template

from backcourse.clients.consent import consent_missing_texts
from backcourse.clients.screening import client_flags, newest_intake
from backcourse.portal.models import QuestionnaireResponse
from backcourse.portal.questionnaires import INSTRUMENTS

register = template.Library()


@register.simple_tag
def portal_flags(client, preloaded=None):
    """{% portal_flags client [preloaded] as flags %} — positive screening answers, red flags
    first. Pages listing many clients pass flags loaded at once (`flags_by_client`)."""
    if isinstance(preloaded, list):
        return preloaded
    return client_flags(client) if client else []


@register.simple_tag
def portal_questionnaire_scores(course):
    """{% portal_questionnaire_scores course as rows %} — [(instrument, [responses])]."""
    if not course:
        return []
    responses = QuestionnaireResponse.objects.filter(course=course).order_by("completed_at")
    by_code: dict = {}
    for r in responses:
        by_code.setdefault(r.instrument, []).append(r)
    return [(INSTRUMENTS[c], by_code[c]) for c in INSTRUMENTS if c in by_code]


@register.simple_tag
def portal_consent_missing(client):
    return consent_missing_texts(client) if client else []


@register.simple_tag
def portal_intake(client, preloaded=None):
    """{% portal_intake client [preloaded] as intake %} — the client's newest intake, or
    None. A page that has loaded it (`newest_intake`) passes it, or False for none."""
    if preloaded is not None and preloaded != "":
        return preloaded or None
    if not client:
        return None
    return newest_intake(client)
