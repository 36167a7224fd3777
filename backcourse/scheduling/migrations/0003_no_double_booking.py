"""The database itself refuses overlapping sessions of one therapist or one room.

A session occupies [starts_at, ends_at) unless it is cancelled; a no-show still
occupied its slot (the therapist was waiting), so it keeps counting.

- PostgreSQL: exclusion constraints with btree_gist over tstzrange(starts_at, ends_at).
- SQLite: BEFORE INSERT / BEFORE UPDATE triggers that RAISE(ABORT) on overlap; SQLite
  reports that as a constraint error, which Django raises as IntegrityError. Datetimes
  are stored as ISO text in UTC, so text comparison is time comparison.
Other vendors: nothing (the booking service's check inside a transaction remains).
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

PG_CREATE = [
    """
    ALTER TABLE scheduling_session ADD CONSTRAINT session_therapist_no_overlap
    EXCLUDE USING gist (therapist_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (status <> 'cancelled')
    """,
    """
    ALTER TABLE scheduling_session ADD CONSTRAINT session_room_no_overlap
    EXCLUDE USING gist (room_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (status <> 'cancelled' AND room_id IS NOT NULL)
    """,
]
PG_DROP = [
    "ALTER TABLE scheduling_session DROP CONSTRAINT IF EXISTS session_therapist_no_overlap",
    "ALTER TABLE scheduling_session DROP CONSTRAINT IF EXISTS session_room_no_overlap",
]


def _sqlite_trigger(name: str, event: str, column: str, *, exclude_self: bool) -> str:
    self_clause = "AND s.id <> NEW.id" if exclude_self else ""
    return f"""
    CREATE TRIGGER {name} BEFORE {event} ON scheduling_session
    FOR EACH ROW WHEN NEW.status <> 'cancelled' AND NEW.{column} IS NOT NULL
    BEGIN
        SELECT RAISE(ABORT, 'session overlaps another session of this {column}')
        WHERE EXISTS (
            SELECT 1 FROM scheduling_session s
            WHERE s.{column} = NEW.{column} AND s.status <> 'cancelled' {self_clause}
              AND s.starts_at < NEW.ends_at AND s.ends_at > NEW.starts_at
        );
    END
    """


SQLITE_TRIGGERS = {
    "session_therapist_no_overlap_insert": ("INSERT", "therapist_id", False),
    "session_therapist_no_overlap_update": ("UPDATE", "therapist_id", True),
    "session_room_no_overlap_insert": ("INSERT", "room_id", False),
    "session_room_no_overlap_update": ("UPDATE", "room_id", True),
}


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for sql in PG_CREATE:
            schema_editor.execute(sql)
    elif vendor == "sqlite":
        for name, (event, column, exclude_self) in SQLITE_TRIGGERS.items():
            schema_editor.execute(_sqlite_trigger(name, event, column, exclude_self=exclude_self))


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for sql in PG_DROP:
            schema_editor.execute(sql)
    elif vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0002_hours_types_series")]

    operations = [
        BtreeGistExtension(),
        migrations.RunPython(forwards, backwards),
    ]
