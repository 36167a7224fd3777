"""Back up, restore into a fresh database, and find every table's rows and every
constraint the same (SQLite: online backup API; PostgreSQL: pg_dump / pg_restore)."""

import os
import sqlite3

import pytest
from django.core.management import call_command
from django.db import connection

from tests import factories as f
from tests.security.world import world_build


def _world():
    world_build(f.PracticeFactory(name="Alpha Studio", slug="alpha"), "Alpha")
    world_build(f.PracticeFactory(name="Zebra Studio", slug="zebra"), "Zebra")


def _rows(cursor, table, quote):
    cursor.execute(f"SELECT * FROM {quote(table)}")
    return sorted(map(repr, cursor.fetchall()))


def _sqlite_rows(cursor, table):
    """Every row as SQL literals (quote()), so no type conversion differs."""
    cursor.execute(f'PRAGMA table_info("{table}")')
    columns = [row[1] for row in cursor.fetchall()]
    select = ", ".join(f'quote("{c}")' for c in columns)
    cursor.execute(f'SELECT {select} FROM "{table}"')
    return sorted(map(repr, cursor.fetchall()))


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_give_the_same_database(tmp_path):
    _world()
    backup_file = tmp_path / "backcourse.backup"
    call_command("backup_db", str(backup_file))
    assert backup_file.stat().st_size > 0
    if connection.vendor == "sqlite":
        _check_sqlite(backup_file, tmp_path)
    else:
        _check_postgresql(backup_file)


def _check_sqlite(backup_file, tmp_path):
    restored = tmp_path / "restored.sqlite3"
    call_command("restore_db", str(backup_file), "--database-url", f"sqlite:///{restored}")
    live = connection.connection.cursor()
    fresh = sqlite3.connect(restored).cursor()
    schema = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
    live.execute(schema)
    fresh.execute(schema)
    live_schema, fresh_schema = live.fetchall(), fresh.fetchall()
    assert live_schema == fresh_schema  # tables, indexes, triggers (the booking guards)
    tables = [name for kind, name, _, _ in live_schema if kind == "table"]
    assert "scheduling_session" in tables and "audit_accessevent" in tables
    total = 0
    for table in tables:
        a = _sqlite_rows(live, table)
        b = _sqlite_rows(fresh, table)
        assert a == b, table
        total += len(a)
    assert total > 100
    print(f"\nSQLite: {len(tables)} tables, {total} rows, {len(live_schema)} schema objects equal")


def _check_postgresql(backup_file):
    import psycopg

    settings_dict = connection.settings_dict
    fresh_name = f"{settings_dict['NAME']}_restore_{os.getpid()}"
    params = {
        "host": settings_dict.get("HOST") or None,
        "port": settings_dict.get("PORT") or None,
        "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{fresh_name}"')
        admin.execute(f'CREATE DATABASE "{fresh_name}"')
    try:
        url = "postgres://{user}@{host}:{port}/{name}".format(
            user=params["user"] or "postgres",
            host=params["host"] or "127.0.0.1",
            port=params["port"] or 5432,
            name=fresh_name,
        )
        call_command("restore_db", str(backup_file), "--database-url", url)
        with (
            psycopg.connect(dbname=settings_dict["NAME"], **params) as live,
            psycopg.connect(dbname=fresh_name, **params) as fresh,
        ):
            queries = {
                "constraints": "SELECT conrelid::regclass::text, conname, "
                "pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2",
                "indexes": "SELECT indexname, indexdef FROM pg_indexes "
                "WHERE schemaname = 'public' ORDER BY 1",
                "triggers": "SELECT tgrelid::regclass::text, tgname FROM pg_trigger "
                "WHERE NOT tgisinternal ORDER BY 1, 2",
                "tables": "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' ORDER BY 1",
            }
            found = {}
            for what, sql in queries.items():
                a = live.execute(sql).fetchall()
                b = fresh.execute(sql).fetchall()
                assert a == b, what
                found[what] = a
            assert any("EXCLUDE" in row[2] for row in found["constraints"])  # booking guard
            total = 0
            for (table,) in found["tables"]:
                a = _rows(live.cursor(), table, lambda t: f'"{t}"')
                b = _rows(fresh.cursor(), table, lambda t: f'"{t}"')
                assert a == b, table
                total += len(a)
            assert total > 100
            print(
                f"\nPostgreSQL: {len(found['tables'])} tables, {total} rows, "
                f"{len(found['constraints'])} constraints, {len(found['indexes'])} indexes equal"
            )
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{fresh_name}"')
