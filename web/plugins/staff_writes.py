"""Staff writes wait their turn instead of failing while litref writes.

Datasette opens SQLite with Python's default 5-second busy timeout; litref's
writers hold the write lock for well under a second at a time (db/writing.py),
but one after another, so a reviewer's change may have to wait a few turns.
Every Datasette connection waits up to ``STAFF_WRITE_WAIT_MS`` (web/app.py).
If a write still finds the database locked (another program kept it far
longer), the claim page says so in words (web/pages.py: ``plain_message``).
Its connections leave checkpoints of the write-ahead log to litref (web/app.py).
"""

from datasette import hookimpl

from litref.web import app


@hookimpl
def prepare_connection(conn):
    conn.execute(f"PRAGMA busy_timeout = {int(app.STAFF_WRITE_WAIT_MS)}")
    conn.execute(f"PRAGMA wal_autocheckpoint = {int(app.STAFF_CHECKPOINT_PAGES)}")
