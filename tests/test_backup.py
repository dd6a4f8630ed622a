"""Backups: automatic before a schema upgrade, and on demand with `litref backup`."""

import sqlite3
from datetime import datetime, timezone

import sqlite_utils
from click.testing import CliRunner

from litref.db.database import open_db
from litref.db.backup import backup_name
from litref.db.claims import save_claims
from litref.db.migrations import migrations
from litref.db.runs import finish_run, save_searches, start_run
from litref.cli import main
from tests.helpers import CLAIM, RCT_HUMANS, T0, article, link, store

FIRST_MIGRATIONS = ["m001_citations", "m002_searches_and_runs"]


def old_database(path):
    """A database as the first litref versions left it, holding a citation and a run."""
    old = sqlite_utils.Database(path)
    migrations.apply(old, stop_before="m003_evidence_levels")
    old["citations"].insert({"pmid": 99000701, "title": "Synthetic record from the old schema"})
    old["fetch_runs"].insert({"id": 1, "search": "alpha", "status": "ok", "started": T0})
    old.close()


def backups(folder):
    return sorted(folder.glob("*.bak"))


def filled_database(path):
    """A current database written by the real writers: citations, a claim, a link, a run."""
    database = open_db(path)
    store(database, article(99000702, **RCT_HUMANS), article(99000703, **RCT_HUMANS))
    save_claims(database, [CLAIM], now=T0)
    link(database, 99000702, "supports")
    search = {"name": "alpha", "query": "synthetic[tiab]"}
    save_searches(database, [search], now=T0)
    finish_run(database, start_run(database, search, mode="full", since=None, now=T0), status="ok", now=T0)
    return database


def row_counts(database):
    return {table: database[table].count for table in database.table_names()}


def backup(*args):
    result = CliRunner().invoke(main, ["backup", *map(str, args)])
    return result.exit_code, result.output


def test_upgrade_of_an_old_database_first_writes_a_backup_of_the_old_data(tmp_path):
    path = tmp_path / "citations.db"
    old_database(path)
    upgraded = open_db(path)
    assert "claim_evidence" in upgraded.table_names()
    [copy] = backups(tmp_path)
    assert copy.name.startswith("citations.db.") and copy.name.endswith(".before-m003_evidence_levels.bak")
    saved = sqlite_utils.Database(copy)
    assert [r["name"] for r in saved.query("SELECT name FROM _sqlite_migrations")] == FIRST_MIGRATIONS
    assert list(saved.query("SELECT pmid, title FROM citations")) == [
        {"pmid": 99000701, "title": "Synthetic record from the old schema"}
    ]
    assert saved["fetch_runs"].count == 1
    assert "claims" not in saved.table_names()
    assert saved.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_new_and_current_databases_get_no_backup(tmp_path):
    open_db(tmp_path / "citations.db").close()
    open_db(tmp_path / "citations.db").close()
    assert backups(tmp_path) == []


def test_backup_names_sort_by_time_and_name_the_upgrade():
    early = backup_name("/srv/citations.db", "m007_x", datetime(2026, 3, 1, 3, 30, tzinfo=timezone.utc))
    later = backup_name("/srv/citations.db", "m003_y", datetime(2026, 11, 2, 0, 0, tzinfo=timezone.utc))
    assert str(early) == "/srv/citations.db.2026-03-01T033000Z.before-m007_x.bak"
    assert sorted([later, early]) == [early, later]


def test_backup_command_copies_everything_while_a_fetch_is_writing(tmp_path):
    source = tmp_path / "citations.db"
    expected = row_counts(filled_database(source))
    # A fetch in the middle of a batch: its write transaction is open and uncommitted.
    writer = sqlite3.connect(source)
    writer.execute("INSERT INTO citations (pmid, title) VALUES (99000799, 'Synthetic uncommitted')")
    assert writer.in_transaction
    code, output = backup("--db", source, tmp_path / "copy.db")
    writer.rollback()
    assert code == 0
    assert f"Backed up {source} to {tmp_path / 'copy.db'} (" in output
    copy = sqlite_utils.Database(tmp_path / "copy.db")
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert row_counts(copy) == expected
    assert copy["claim_evidence"].get((CLAIM["id"], 99000702))["stance"] == "supports"


def test_backup_command_leaves_the_source_untouched(tmp_path):
    source = tmp_path / "old.db"
    old_database(source)
    assert backup("--db", source, tmp_path / "copy.db")[0] == 0
    # No upgrade (and so no automatic backup) happened to the source.
    assert backups(tmp_path) == []
    names = [r["name"] for r in sqlite_utils.Database(source).query("SELECT name FROM _sqlite_migrations")]
    assert names == FIRST_MIGRATIONS


def test_backup_refuses_to_overwrite_a_file(tmp_path):
    filled_database(tmp_path / "citations.db").close()
    existing = tmp_path / "copy.db"
    existing.write_text("keep me")
    code, output = backup("--db", tmp_path / "citations.db", existing)
    assert code == 2
    assert f"Cannot write a backup to {existing}: that file already exists" in output
    assert existing.read_text() == "keep me"


def test_backup_into_a_missing_folder_or_onto_a_folder_is_refused(tmp_path):
    filled_database(tmp_path / "citations.db").close()
    code, output = backup("--db", tmp_path / "citations.db", tmp_path / "nowhere" / "copy.db")
    assert code == 2
    assert f"the folder {tmp_path / 'nowhere'} does not exist" in output
    code, output = backup("--db", tmp_path / "citations.db", tmp_path)
    assert code == 2
    assert "that is a folder. Give a file name" in output


def test_backup_of_a_missing_database_is_refused_and_creates_nothing(tmp_path):
    code, output = backup("--db", tmp_path / "none.db", tmp_path / "copy.db")
    assert code == 2
    assert f"There is no database at {tmp_path / 'none.db'}" in output
    assert list(tmp_path.iterdir()) == []
