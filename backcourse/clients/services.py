"""Writes to clients. Callers pass validated data (a ClientForm's cleaned_data)."""

from django.db import transaction

from backcourse.clients.models import Client

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
