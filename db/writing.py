"""Short write transactions that wait their turn, and say who is in the way.

SQLite lets one connection write at a time. Staff write from Datasette while
litref imports or fetches, so every litref writer:

- takes the write lock at the start, with ``BEGIN IMMEDIATE``: a transaction
  that read first and wrote later would fail outright when someone else wrote
  in between (SQLite cannot wait then), which is how imports used to crash;
- holds it briefly: a batch of records, one claim's text matches (callers keep
  their slow reads outside);
- waits for a busy database instead of failing: SQLite's busy timeout for short
  waits, then tries again with growing pauses, up to ``LITREF_LOCK_WAIT``
  seconds (default 120);
- writes, while it holds the lock, who it is into ``<database>-writer`` beside
  the database, so a writer that gave up can say which process held the lock.
"""

import json
import os
import random
import shlex
import socket
import sqlite3
import sys
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from litref.evidence.settings import positive_number

# SQLite's own wait inside one statement (its polls are fine-grained).
BUSY_TIMEOUT_MS = 2000
# Pages the write-ahead log holds before a commit copies them into the database file (a
# checkpoint). SQLite's default, 1,000 (4 MB), is less than one import step writes, so
# every step was followed by a checkpoint and its two fsyncs, and the index pages that
# step after step rewrite were copied each time: 10,000 (40 MB) made an import about a
# tenth faster (bench/README.md). Datasette's connections wait for twice as many
# (web/app.py: STAFF_CHECKPOINT_PAGES): litref's own commit reaches the figure first and
# does the copying, not the reviewer's save that happens to come next (unless a long
# read kept litref's checkpoint from finishing and the log grew past twice the figure).
CHECKPOINT_PAGES = 10_000
DEFAULT_LOCK_WAIT = 120.0
FIRST_PAUSE = 0.05
LONGEST_PAUSE = 2.0


class DatabaseBusy(sqlite3.OperationalError):
    """The write lock stayed taken for longer than LITREF_LOCK_WAIT; the message names the holder."""


def lock_wait(environ=os.environ):
    """Seconds a writer waits for the write lock before giving up (``LITREF_LOCK_WAIT``)."""
    return positive_number(environ, "LITREF_LOCK_WAIT", DEFAULT_LOCK_WAIT, " of seconds")


def set_busy_timeout(db):
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


@contextmanager
def write_transaction(db):
    """One short write transaction: the write lock taken at once, committed at the end.

    Inside another transaction (a migration, a caller's batch) it simply joins it.
    """
    conn = db.conn
    if conn.in_transaction:
        yield db
        return
    _begin_immediate(db)
    holder = _holder_file(db)
    holder.record()
    try:
        yield db
    except BaseException:
        holder.clear()
        conn.rollback()
        raise
    holder.clear()
    conn.commit()


def _begin_immediate(db):
    deadline = time.monotonic() + lock_wait()
    pause = FIRST_PAUSE
    while True:
        try:
            db.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as error:
            if not is_busy(error):
                raise
            if time.monotonic() + pause > deadline:
                raise DatabaseBusy(busy_message(db)) from error
        # Jitter, so writers that gave way together do not come back together.
        time.sleep(pause * random.uniform(0.5, 1.0))
        pause = min(pause * 2, LONGEST_PAUSE)


def is_busy(error):
    """SQLite's 'database is locked': another connection holds the write lock."""
    return getattr(error, "sqlite_errorname", "").startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or (
        "database is locked" in str(error)
    )


def busy_message(db):
    """What a writer that gave up says: the database, who holds the lock, what to do."""
    path = database_path(db)
    holder = _read_holder(holder_path(path)) if path else None
    if holder and _is_alive(holder):
        who = (f"{describe(holder)} has held it since {holder.get('since')}. It is another "
               "litref command at work: it is safe to let it finish and run this one again")
    else:
        who = ("no litref command holds it, so another program does: a tool with the database "
               "open for writing (sqlite3, DB Browser), or a long change made through Datasette. "
               "Close that program, or wait for it")
    return (f"The database {path or '(in memory)'} stayed busy: another writer kept its write lock "
            f"for more than {lock_wait():g} seconds (LITREF_LOCK_WAIT); {who}. What was stored "
            "before this point is kept.")


def describe(holder):
    """'pid 123 on host x (litref import a.xml)'."""
    return f"pid {holder.get('pid')} on host {holder.get('host')} ({holder.get('command')})"


def database_path(db):
    """The main database file of ``db``, or None in memory."""
    for _, name, file in db.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return file or None
    return None


def holder_path(db_path):
    resolved = Path(db_path).resolve()
    return resolved.with_name(resolved.name + "-writer")


class _Holder:
    """The ``<database>-writer`` file of one database, for one transaction.

    Written and emptied only while this process holds SQLite's write lock, so
    two litref processes never write it at once. Recording is best effort: a
    folder that does not take the file costs the message its detail, nothing more.
    """

    def __init__(self, path):
        self.path = holder_path(path) if path else None

    def record(self):
        me = {"pid": os.getpid(), "host": socket.gethostname(), "command": _command(),
              "since": datetime.now(timezone.utc).isoformat(timespec="microseconds")}
        self._write(json.dumps(me).encode())

    def clear(self):
        self._write(b"")

    def _write(self, data):
        if self.path is None:
            return
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            try:
                os.write(fd, data)
            finally:
                os.close(fd)
        except OSError:
            pass


def _holder_file(db):
    return _Holder(database_path(db))


def _command():
    return shlex.join([Path(sys.argv[0]).name, *sys.argv[1:]])


def _read_holder(path):
    try:
        holder = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return holder if isinstance(holder, dict) else None


def _is_alive(holder):
    """The recorded process still runs (only knowable on this host; elsewhere assume it does)."""
    if holder.get("host") != socket.gethostname():
        return True
    try:
        os.kill(int(holder.get("pid")), 0)
    except (OSError, TypeError, ValueError):
        return False
    return True
