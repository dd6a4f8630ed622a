"""Opening the database: creating it, upgrading its schema in place, or reading it as it is."""

import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from litref.db.backup import backup_name, copy_database, needs_backup
from litref.db.migrations import migrations
from litref.db.views import drop_views, ensure_views
from litref.db.writing import CHECKPOINT_PAGES, set_busy_timeout

DEFAULT_PATH = Path(__file__).resolve().parent / "citations.db"
IN_MEMORY = ":memory:"


class DatabaseMissing(FileNotFoundError):
    """A command that only reads was pointed at a database that does not exist."""


def default_path():
    """``LITREF_DB`` if set, else ``db/citations.db`` in the project."""
    return Path(os.environ.get("LITREF_DB") or DEFAULT_PATH)


def open_db(path, *, create=True):
    """Open (creating if needed) the database and bring its schema up to date.

    With ``create=False`` a missing file is an error (DatabaseMissing), for
    commands that report on a database rather than fill one. Before a
    migration changes an existing database, a copy is written next to it (see
    db/backup.py), so an upgrade that goes wrong loses nothing.
    """
    if str(path) == IN_MEMORY:  # for tests: nothing to create, back up or share
        db = sqlite_utils.Database(memory=True)
    else:
        db = _open_file(Path(path), create)
    # Wait for a busy database rather than fail (db/writing.py); WAL lets Datasette
    # read while litref writes; NORMAL is still crash-safe in WAL mode.
    set_busy_timeout(db)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(f"PRAGMA wal_autocheckpoint = {CHECKPOINT_PAGES}")  # see db/writing.py
    db.execute("PRAGMA foreign_keys=ON")
    pending = migrations.pending(db)
    if needs_backup(db, pending):
        copy_database(db, backup_name(path, pending[0].name, datetime.now(timezone.utc)))
    if pending:
        drop_views(db)  # a view of a table a migration changes would stop it; made again below
    migrations.apply(db)
    ensure_views(db)
    return db


def _open_file(path, create):
    if not create:
        _require_file(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return sqlite_utils.Database(path)


def open_existing_read_only(path):
    """An existing database as it is: never created, upgraded or written."""
    path = Path(path)
    _require_file(path)
    # A URI with mode=ro: SQLite refuses every write, and cannot create the file.
    return sqlite_utils.Database(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True))


def _require_file(path):
    if not path.is_file():
        raise DatabaseMissing(
            f"There is no database at {path}. Check --db or LITREF_DB; "
            "`litref fetch` creates the database on its first run."
        )
