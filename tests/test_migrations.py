"""The schema is built by migrations, and an existing database upgrades in place."""

import sqlite_utils

from litref.db.database import open_db
from litref.db.migrations import migrations
from litref.db.views import VIEWS, ensure_views


def test_new_database_has_every_table_and_fts_triggers(tmp_path):
    database = open_db(tmp_path / "c.db")
    assert {
        "citations", "citation_authors", "citation_mesh", "citation_publication_types",
        "citation_keywords", "citation_grants", "citation_databanks", "citation_links",
        "searches", "search_hits", "fetch_runs", "citations_fts",
    } <= set(database.table_names())
    assert {t.name for t in database["citations"].triggers} == {
        "citations_ai", "citations_ad", "citations_au",
    }
    assert migrations.pending(database) == []


def test_existing_database_upgrades_in_place_keeping_its_rows(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    migrations.apply(old, stop_before="m002_searches_and_runs")
    old["citations"].insert({"pmid": 99000001, "title": "Synthetic record kept across upgrade"})
    old.close()
    upgraded = open_db(path)
    assert "fetch_runs" in upgraded.table_names()
    assert upgraded["citations"].get(99000001)["title"] == "Synthetic record kept across upgrade"


def test_opening_twice_applies_nothing_new(tmp_path):
    open_db(tmp_path / "c.db").close()
    again = open_db(tmp_path / "c.db")
    names = [row["name"] for row in again.query("SELECT name FROM _sqlite_migrations ORDER BY rowid")]
    assert names == [m.name for m in migrations._migrations]


def test_views_are_made_current_and_only_a_changed_one_is_replaced(tmp_path):
    path = tmp_path / "c.db"
    open_db(path).close()
    stale = sqlite_utils.Database(path)
    stale.execute("DROP VIEW claim_status")
    stale.execute("CREATE VIEW claim_status AS SELECT 1 AS stale")
    stale.close()
    database = open_db(path)
    assert ensure_views(database) == []  # open_db already put claim_status right
    assert "stale" not in database["claim_status"].columns_dict
    stored = dict(database.execute("SELECT name, sql FROM sqlite_master WHERE type = 'view'").fetchall())
    assert stored == {name: sql.strip() for name, sql in VIEWS.items()}
