"""Backup and restore of the whole database, consistent while the app runs.

- PostgreSQL: `pg_dump --format=custom` (one consistent snapshot) and `pg_restore`
  into an empty database.
- SQLite: the online backup API (`sqlite3.Connection.backup`), which copies a
  consistent snapshot page by page while others keep writing.

Used by `manage.py backup_db FILE` and `manage.py restore_db FILE` (README "Backup and
restore"); the test restores into a fresh database and compares every table.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

from django.db import connections


def _pg_args(settings_dict: dict) -> tuple[list[str], dict]:
    args = []
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def backup(path: str | Path, *, using: str = "default") -> Path:
    path = Path(path)
    connection = connections[using]
    if connection.vendor == "postgresql":
        args, env = _pg_args(connection.settings_dict)
        name = connection.settings_dict["NAME"]
        subprocess.run(
            ["pg_dump", *args, "--format=custom", "--no-owner", "--file", str(path), name],
            env=env,
            check=True,
        )
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    else:
        raise NotImplementedError(connection.vendor)
    return path


def restore(path: str | Path, *, settings_dict: dict) -> None:
    """Restore a backup into the (empty) database described by `settings_dict`."""
    path = Path(path)
    engine = settings_dict["ENGINE"]
    if engine.endswith("postgresql"):
        args, env = _pg_args(settings_dict)
        subprocess.run(
            [
                "pg_restore",
                *args,
                "--no-owner",
                "--exit-on-error",
                "--dbname",
                settings_dict["NAME"],
                str(path),
            ],
            env=env,
            check=True,
        )
    elif engine.endswith("sqlite3"):
        source = sqlite3.connect(path)
        target = sqlite3.connect(settings_dict["NAME"])
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
    else:
        raise NotImplementedError(engine)
