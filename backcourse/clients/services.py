"""Writes to clients (callers pass validated data, e.g. a ClientForm's cleaned_data),
and `practice_create`: a new practice with the clients app's safety rows."""

from django.db import transaction

from backcourse.clients.consent import consent_texts_default
from backcourse.clients.models import Client
from backcourse.clients.screening import screening_questions_default
from backcourse.practices.models import Practice

CLIENT_FIELDS = ("first_name", "last_name", "email", "phone", "date_of_birth", "notes")


@transaction.atomic
def client_create(*, practice, data: dict) -> Client:
    client = Client(practice=practice, **{k: data[k] for k in CLIENT_FIELDS if k in data})
    client.full_clean()
    client.save()
    return client


@transaction.atomic
def client_update(*, client: Client, data: dict) -> Client:
    fields = [k for k in CLIENT_FIELDS if k in data]
    for k in fields:
        setattr(client, k, data[k])
    client.full_clean()
    client.save(update_fields=fields)
    return client


# --- A new practice ----------------------------------------------------------------


@transaction.atomic
def practice_create(*, practice: Practice) -> Practice:
    """Save a new practice together with its safety rows, so it is safe from the first
    minute: the default red-flag screening questions and version 1 of the consent texts,
    published (a client's health data is then recorded only after they agree). The
    practice edits both in the admin. The admin, `manage.py create_practice` and the
    demo all create practices here. It lives in clients, not practices, because the
    rows it adds are the clients app's (practices sits below clients).

    `practice` is an unsaved Practice (e.g. from the admin form)."""
    practice.save()
    screening_questions_default(practice)
    consent_texts_default(practice)
    return practice
