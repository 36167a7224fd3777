"""Changes and deletions of health data, logged from model signals.

Whatever writes the row — a staff page, a service, the API, the admin — the audit row
is written by the same database connection inside the same transaction (the writers
are atomic: services, the admin's change form), so a change never lands without its
audit row. Only changes made while serving a request are logged here (data loaded by
management commands such as `seed_demo` is not someone reading or changing health
data); who and from where come from that request (audit/context.py).
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save, pre_delete

from backcourse.audit.context import current_request
from backcourse.audit.models import AccessEvent
from backcourse.audit.services import access_event_deleted, access_event_record
from backcourse.practices.models import Practice

# model label -> attribute path from a row to its client
HEALTH_MODELS = {
    "clients.client": "",
    "courses.course": "client",
    "records.sessionrecord": "session.client",
    "records.measurement": "record.session.client",
    "records.tensionreading": "record.session.client",
    "clients.intake": "client",
    "clients.screeninganswer": "intake.client",
    "portal.checkin": "session.client",
    "portal.followup": "session.client",
    "portal.questionnaireresponse": "client",
    "clients.consentrecord": "client",
}


def client_of(instance):
    path = HEALTH_MODELS.get(instance._meta.label_lower)
    if path is None:
        return None
    target = instance
    for part in filter(None, path.split(".")):
        target = getattr(target, part, None)
        if target is None:
            return None
    return target


def _describe(instance, verb: str) -> str:
    return f"{instance._meta.verbose_name} {instance.pk} {verb}"


def _saved(sender, instance, created, raw=False, **kwargs):
    request = current_request.get()
    if request is None or raw:
        return
    client = client_of(instance)
    if client is None or client.pk is None:
        return
    access_event_record(
        request=request,
        client=client,
        what=_describe(instance, "created" if created else "changed"),
        action=AccessEvent.Action.CHANGE,
    )


def _client_ids_before_delete(sender, instance, **kwargs):
    """Remember the client (and practice) before the row (and maybe the client) goes."""
    client = client_of(instance)
    instance._audit_client = (client.pk, client.practice_id) if client is not None else None


def _deleted(sender, instance, origin=None, **kwargs):
    request = current_request.get()
    found = getattr(instance, "_audit_client", None)
    if request is None or found is None or _is_practice(origin):
        return  # not a request, or the whole practice goes (its trail with it)
    client_id, practice_id = found
    access_event_deleted(
        request=request,
        practice_id=practice_id,
        client_id=client_id,
        what=_describe(instance, "deleted"),
    )


def _is_practice(origin) -> bool:
    model = getattr(origin, "model", None) or type(origin)
    return model is Practice


def connect() -> None:
    from django.apps import apps

    for label in HEALTH_MODELS:
        model = apps.get_model(label)
        uid = f"audit:{label}"
        post_save.connect(_saved, sender=model, dispatch_uid=uid)
        pre_delete.connect(_client_ids_before_delete, sender=model, dispatch_uid=uid)
        post_delete.connect(_deleted, sender=model, dispatch_uid=uid)
