"""The SQLite store: opening the database, the schema and every write."""

import os
from pathlib import Path

import sqlite_utils

from db.migrations import migrations

DEFAULT_PATH = Path(__file__).resolve().parent / "citations.db"


def default_path():
    """``LITREF_DB`` if set, else ``db/citations.db`` in the project."""
    return Path(os.environ.get("LITREF_DB") or DEFAULT_PATH)


def open_db(path):
    """Open (creating if needed) the database and bring its schema up to date."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    # WAL lets Datasette read while a fetch writes; NORMAL is still crash-safe in WAL mode.
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")
    migrations.apply(db)
    return db
