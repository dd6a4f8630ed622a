"""litref's writers and a busy database (db/writing.py): they wait their turn, take
the lock at the start of a transaction, and name whoever kept it too long."""

import asyncio
import contextlib
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
from click.testing import CliRunner

from litref.cli import main
from litref.db.database import open_db
from litref.db.writing import holder_path, write_transaction
from tests.helpers import PROJECT, rows

CLAIMS = "claims:\n  - id: a\n    page: stem-cell-therapy-for-lupus\n    text: A synthetic claim.\n    query: lupus[tiab]\n"
HOLD = """
import sys, time
from litref.db.database import open_db
from litref.db.writing import write_transaction
db = open_db(sys.argv[1])
with write_transaction(db):
    print("holding", flush=True)
    time.sleep(60)
"""


@pytest.fixture
def files(tmp_path):
    db_path = tmp_path / "citations.db"
    open_db(db_path).close()
    claims = tmp_path / "claims.yml"
    claims.write_text(CLAIMS)
    return db_path, claims


def load_claims(db_path, claims):
    return CliRunner().invoke(main, ["claims", str(claims), "--db", str(db_path)])


@contextlib.contextmanager
def held_by_another_sqlite_program(db_path, seconds=None):
    """A plain SQLite connection (a tool such as sqlite3) holding the write lock."""
    conn = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    conn.execute("BEGIN IMMEDIATE")
    timer = threading.Timer(seconds, conn.rollback) if seconds else None
    if timer:
        timer.start()
    try:
        yield
    finally:
        if timer:
            timer.join()
        else:
            conn.rollback()
        conn.close()


def test_a_writer_waits_for_a_lock_held_longer_than_sqlites_default_wait(files):
    """Python's SQLite gives up after 5 s; litref waits (LITREF_LOCK_WAIT, 120 s by default)."""
    db_path, claims = files
    with held_by_another_sqlite_program(db_path, seconds=6):
        started = time.monotonic()
        result = load_claims(db_path, claims)
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started >= 5.5
    assert rows(db_path, "SELECT id FROM claims") == [{"id": "a"}]


def test_giving_up_names_the_litref_command_that_holds_the_lock(files, monkeypatch):
    db_path, claims = files
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(db_path)], cwd=PROJECT,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        assert str(holder.pid) in holder_path(db_path).read_text()
        monkeypatch.setenv("LITREF_LOCK_WAIT", "1")
        result = load_claims(db_path, claims)
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 2
    assert f"The database {db_path} stayed busy" in result.output
    assert f"pid {holder.pid} on host " in result.output and "has held it since" in result.output
    assert "LITREF_LOCK_WAIT" in result.output


def test_giving_up_says_when_no_litref_command_holds_the_lock(files, monkeypatch):
    db_path, claims = files
    monkeypatch.setenv("LITREF_LOCK_WAIT", "1")
    with held_by_another_sqlite_program(db_path):
        result = load_claims(db_path, claims)
    assert result.exit_code == 2
    assert "no litref command holds it, so another program does" in result.output
    assert "Traceback" not in result.output


def test_a_wrong_lock_wait_is_a_configuration_error(files, monkeypatch):
    monkeypatch.setenv("LITREF_LOCK_WAIT", "soon")
    result = load_claims(*files)
    assert result.exit_code == 2
    assert "LITREF_LOCK_WAIT='soon' is not a positive number of seconds" in result.output


def test_a_transaction_takes_the_write_lock_at_once_and_records_its_holder(files):
    """BEGIN IMMEDIATE: nobody can write between a writer's first read and its first write."""
    db_path, _ = files
    db = open_db(db_path)
    other = sqlite3.connect(db_path, timeout=0)
    with write_transaction(db):
        assert "pid" in holder_path(db_path).read_text()
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("INSERT INTO searches (name, query) VALUES ('x', 'y')")
    assert holder_path(db_path).read_text() == ""
    other.close()
    db.close()


def test_a_staff_write_that_still_finds_the_database_locked_says_so_in_words(site_db, tmp_path,
                                                                            monkeypatch):
    """Staff writes wait STAFF_WRITE_WAIT_MS (30 s) for the lock; should another program keep
    it longer, the claim page says so in plain words, not SQLite's."""
    from litref.web import app
    from litref.web.pages import BUSY_MESSAGE
    from tests.web_site import CONTRADICTED_CLAIM, copy_site

    monkeypatch.setattr(app, "STAFF_WRITE_WAIT_MS", 200)  # instead of 30 s
    site = copy_site(site_db, tmp_path)
    try:
        cookies, token = site.staff()
        with held_by_another_sqlite_program(site.db_path):
            posted = site.post(f"/{site.name}/link_citation?claim_id={CONTRADICTED_CLAIM}", {
                "claim_id": CONTRADICTED_CLAIM, "pmid": "18947373", "stance": "context",
                "note": "", "study_design": "", "subjects": "", "csrftoken": token}, cookies)
        cookies = {**cookies, "ds_messages": posted.cookies["ds_messages"]}
        landed = site.get(posted.headers["location"], cookies)  # /claim?claim_id=...
        page = site.get(landed.headers["location"], cookies).text
    finally:
        site.close()
    assert BUSY_MESSAGE in page and "database is locked" not in page


def test_litref_checkpoints_the_write_ahead_log_before_datasette_would(tmp_path):
    """An import step writes more pages than SQLite's default checkpoint size (1,000): litref
    raised it, and Datasette's connections wait for more, so that litref's own commit does
    the copying, not the reviewer's save that comes next (db/writing.py)."""
    from litref.db.writing import CHECKPOINT_PAGES
    from litref.web.app import datasette_for

    db_path = tmp_path / "citations.db"
    litref = open_db(db_path).execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    staff = datasette_for(db_path).get_database()
    staff_writes = asyncio.run(staff.execute_write("PRAGMA wal_autocheckpoint")).fetchone()[0]
    staff_reads = asyncio.run(staff.execute("PRAGMA wal_autocheckpoint")).first()[0]
    assert 1000 < litref == CHECKPOINT_PAGES < staff_writes == staff_reads
