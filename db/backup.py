"""Copies of the database: before a schema upgrade, and on demand (``litref backup``).

A copy is made with ``VACUUM INTO``: SQLite writes one consistent, compact
file from a read snapshot, so it works while Datasette or a fetch has the
database open (WAL) and it includes what still sits in the ``-wal`` file.
"""

import sqlite3
from pathlib import Path


class BackupError(Exception):
    """The copy could not be made; ``str()`` says where and what to do."""


class BadBackupTarget(BackupError):
    """The backup file cannot be written there: nothing was attempted."""


def backup_name(db_path, migration_name, now):
    """``citations.db.2026-03-01T033000Z.before-m007_x.bak``: next to the
    database, sorting by time, naming the upgrade it was taken before."""
    db_path = Path(db_path)
    stamp = now.strftime("%Y-%m-%dT%H%M%SZ")
    return db_path.with_name(f"{db_path.name}.{stamp}.before-{migration_name}.bak")


def needs_backup(db, pending):
    """An existing database (it has tables) about to be changed by a migration.
    A brand-new, empty file has nothing to lose."""
    return bool(pending) and bool(db.table_names())


def copy_database(db, target):
    """Write a consistent copy of ``db`` to ``target``, a file that must not exist yet."""
    target = Path(target)
    problem = _target_problem(target)
    if problem:
        raise BadBackupTarget(f"Cannot write a backup to {target}: {problem}")
    try:
        db.execute("VACUUM INTO ?", [str(target)])
    except sqlite3.Error as error:
        # A copy cut short (disk full) must not pass for a good backup.
        target.unlink(missing_ok=True)
        raise BackupError(f"Cannot write a backup to {target}: {error}.") from error
    return target


def _target_problem(target):
    if target.is_dir():
        return f"that is a folder. Give a file name, such as {target / 'citations-backup.db'}."
    if target.exists():
        return "that file already exists (a backup is never overwritten). Choose a new name."
    if not target.parent.is_dir():
        return f"the folder {target.parent} does not exist. Create it first or choose another."
    return None
