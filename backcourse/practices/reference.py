"""Practice-wide reference data kept in each process's memory: the consent texts, the
course-effect priors and the measures, which nearly every client, course and day page
reads and which change a few times a year (a new consent version, a measure edited in
the admin) or when a course completes (a refit).

Every change of them bumps `Practice.reference_revision` in the same transaction
(`reference_changed`, called from the models' signals), and every request loads its
practice row anyway (middleware), so a process knows without a query whether what it
keeps is current: an entry is used only under the revision it was read with.

Written here rather than with Django's cache framework: the key is the practice row
the request already holds, and a value is read from the database only outside a
transaction, so nothing a transaction later rolls back is ever kept.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import TypeVar

from django.db import connection
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")

# practice id -> (revision the values were read under, {name: value})
_entries: dict[int, tuple[int, dict[str, object]]] = {}


def practice_reference(practice, name: str, load: Callable[[], T]) -> T:
    """`load()`'s value for `practice`, read once per revision of its reference data.

    Inside a transaction (a service that may just have changed the data, or may roll
    back) it is read afresh and not kept."""
    if connection.in_atomic_block:
        return load()
    revision = practice.reference_revision
    entry = _entries.get(practice.pk)
    if entry is None or entry[0] != revision:
        entry = _entries[practice.pk] = (revision, {})
    values = entry[1]
    if name not in values:
        values[name] = load()
    return values[name]  # type: ignore[return-value]


def reference_changed(practice_id: int) -> None:
    """Call in the transaction that changes a practice's reference data: the next
    request of every process reads it again. The new revision is random, so a revision
    that a rolled-back transaction wrote is never seen again."""
    from backcourse.practices.models import Practice

    Practice.objects.filter(pk=practice_id).update(reference_revision=secrets.randbits(62))
    _entries.pop(practice_id, None)


def reference_forget_all() -> None:
    """Drop what this process keeps (tests: ids are reused after a rollback on SQLite)."""
    _entries.clear()


def reference_changed_everywhere() -> None:
    """A shared vocabulary changed (the measures): every practice reads it again."""
    from backcourse.practices.models import Practice

    Practice.objects.update(reference_revision=secrets.randbits(62))
    _entries.clear()


def _changed(sender, instance, **kwargs) -> None:
    practice_id = getattr(instance, "practice_id", None)
    if practice_id is None:  # a vocabulary row, shared by all practices
        reference_changed_everywhere()
    else:
        reference_changed(practice_id)


def watch(*models) -> None:
    """Bump the practice's revision (every practice's, for a model without a practice)
    whenever a row of `models` is saved or deleted
    (the admin, services, `update_or_create`, a queryset's `delete()`). A queryset's
    `update()` sends no signal: call `reference_changed` after one."""
    for model in models:
        uid = f"practice_reference_{model._meta.label_lower}"
        post_save.connect(_changed, sender=model, dispatch_uid=uid + "_save")
        post_delete.connect(_changed, sender=model, dispatch_uid=uid + "_delete")
