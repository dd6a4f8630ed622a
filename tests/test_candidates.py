"""Stored text matches (db/candidates.py): who refreshes them, and the view they feed."""

import datetime as dt
import io

import pytest
import sqlite_utils
from click.testing import CliRunner

from litref.db.database import open_db
import litref.pipeline
import litref.cli
from litref.db.candidates import refresh_claim_matches
from litref.db.views import TEXT_MATCHES_PER_CLAIM
from litref.db.claims import save_claims
from litref.db.migrations import migrations
from litref.db import citations
from litref.db.citations import save_records
from litref.fetch import pubmed_xml
from litref.evidence.claim_queries import fts_query
from litref.cli import main
from tests.eutils_server import synthetic_article
from tests.test_claim_status import CLAIM, LATER, T0, article, link, store

# CLAIM's words are "stem", "cells", "cure", "nephritis"; OTHER's share none of them.
OTHER = {"id": "msc-cartilage", "page": "Synthetic page", "text": "Mesenchymal cartilage repair",
         "query": "synthetic[tiab]", "line": 2}
BEST = "Synthetic stem cells cure lupus nephritis"
CARTILAGE = "Synthetic mesenchymal cartilage repair"


def matches(database, claim_id="msc-cures"):
    return [tuple(row) for row in database.execute(
        "SELECT pmid, text_rank FROM claim_text_matches WHERE claim_id = ? ORDER BY text_rank",
        [claim_id],
    )]


def parsed(*articles):
    xml = f"<PubmedArticleSet>{''.join(articles)}</PubmedArticleSet>".encode()
    return list(pubmed_xml.parse(io.BytesIO(xml), "test"))


@pytest.fixture
def database(tmp_path):
    database = open_db(tmp_path / "c.db")
    save_claims(database, [CLAIM, OTHER], now=T0)
    return database


@pytest.fixture
def refreshes(monkeypatch):
    """Counts the full refreshes asked for by each module that may ask for one."""
    calls = {}
    for module in (litref.pipeline, litref.cli):
        def counted(database, claim_ids=None, name=module.__name__):
            calls[name] = calls.get(name, 0) + 1
            refresh_claim_matches(database, claim_ids)
        monkeypatch.setattr(module, "refresh_claim_matches", counted)
    return calls


def test_best_match_ranks_first_and_only_the_best_are_kept(database):
    weaker = [article(99000600 + i, title=f"Synthetic record {i} on nephritis") for i in range(30)]
    store(database, *weaker, article(99000700, title=BEST))
    rows = matches(database)
    assert rows[0] == (99000700, 1)
    assert [rank for _, rank in rows] == list(range(1, TEXT_MATCHES_PER_CLAIM + 1))
    assert matches(database, "msc-cartilage") == []


def test_a_batch_stored_without_refresh_waits_for_the_refresh(database):
    save_records(database, parsed(article(99000700, title=BEST)), source="t", now=T0)
    assert matches(database) == []
    refresh_claim_matches(database)
    assert matches(database) == [(99000700, 1)]


def test_loading_claims_refreshes_only_the_claims_whose_words_changed(database):
    store(database, article(99000700, title=BEST), article(99000701, title=CARTILAGE))
    with database.atomic():  # a mark that a refresh of this claim would wipe out
        database.execute("UPDATE claim_text_matches SET text_rank = 99 WHERE claim_id = 'msc-cartilage'")
    save_claims(database, [{**CLAIM, "text": "Cartilage repair"}, OTHER], now=LATER)
    assert matches(database) == [(99000701, 1)]
    assert matches(database, "msc-cartilage") == [(99000701, 99)]


def test_a_removed_claim_loses_its_matches(database):
    store(database, article(99000701, title=CARTILAGE))
    save_claims(database, [CLAIM], now=LATER)
    assert matches(database, "msc-cartilage") == []


def test_an_archived_claim_brought_back_gets_its_matches_again(database):
    store(database, article(99000701, title=CARTILAGE))
    link(database, 99000701, "context", claim_id="msc-cartilage")
    save_claims(database, [CLAIM], now=LATER, prune=True)
    refresh_claim_matches(database)
    assert matches(database, "msc-cartilage") == []
    save_claims(database, [CLAIM, OTHER], now=LATER)
    assert matches(database, "msc-cartilage") == [(99000701, 1)]


def test_import_refreshes_once_per_file_not_per_batch(database, tmp_path, refreshes):
    path = tmp_path / "a.xml"
    path.write_text(f"<PubmedArticleSet>{article(99000700, title=BEST)}</PubmedArticleSet>")
    litref.pipeline.import_file(database, path, now=T0)
    assert refreshes == {"litref.pipeline": 1}
    assert matches(database) == [(99000700, 1)]


def test_fetch_refreshes_once_after_all_its_searches(eutils, tmp_path, monkeypatch, refreshes):
    monkeypatch.setenv("NCBI_API_KEY", "test-key")
    (tmp_path / "s.yml").write_text("searches:\n  - name: s\n    query: q1\n")
    (tmp_path / "c.yml").write_text(
        f"claims:\n  - id: msc-cures\n    page: Synthetic page\n    text: {CLAIM['text']}\n    query: q2\n"
    )
    eutils.add_articles([synthetic_article(99000700, edat=dt.date(2020, 1, 1), title=BEST),
                         synthetic_article(99000701, edat=dt.date(2020, 1, 1), title=CARTILAGE)])
    eutils.set_query("q1", [99000701])
    eutils.set_query("q2", [99000700])
    path = tmp_path / "c.db"
    result = CliRunner().invoke(main, ["fetch", "--db", str(path), "--searches", str(tmp_path / "s.yml"),
                                       "--claims", str(tmp_path / "c.yml")])
    assert result.exit_code == 0, result.output
    assert refreshes == {"litref.cli": 1}
    assert matches(open_db(path)) == [(99000700, 1)]


def test_upgrade_keeps_every_row_of_the_claim_views(tmp_path, monkeypatch):
    """m008 reads candidates from stored matches and recent hits: the views must not change."""
    # The writer as it was then: citation_authors.name_key came with m012.
    monkeypatch.setattr(citations, "DERIVED_CHILD_COLUMNS", {})
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    migrations.apply(old, stop_before="m008_stored_text_matches")
    for position, claim in enumerate([CLAIM, OTHER], start=1):
        old["claims"].insert({**claim, "fts_query": fts_query(claim["text"]), "position": position})
    titles = [BEST, CARTILAGE, "Synthetic nephritis record", "Synthetic record about nothing"]
    save_records(old, parsed(*[article(99000700 + i, title=t) for i, t in enumerate(titles)]),
                 source="t", now=T0)
    save_records(old, parsed(article(99000710, title="Synthetic stem cells in nephritis")),
                 source="t", now=LATER)
    link(old, 99000702, "supports")
    with old.atomic():
        old.execute("INSERT INTO searches (name, query) VALUES ('claim-msc-cures', 'q')")
        old.conn.executemany("INSERT INTO search_hits VALUES ('claim-msc-cures', ?, ?, ?)",
                             [(99000703, T0, T0), (99000700, LATER, LATER), (99000701, LATER, LATER)])
    queries = ["SELECT * FROM claim_candidates ORDER BY claim_id, pmid", "SELECT * FROM claim_status"]
    before = [old.execute(q).fetchall() for q in queries]
    old.close()
    upgraded = open_db(path)
    assert [upgraded.execute(q).fetchall() for q in queries] == before
    found = {(row[0], row[1]): row[3] for row in before[0]}
    assert found == {
        ("msc-cartilage", 99000701): "text match", ("msc-cures", 99000700): "claim query,text match",
        ("msc-cures", 99000701): "claim query", ("msc-cures", 99000703): "claim query",
        ("msc-cures", 99000710): "text match",
    }
    assert [(row[0], row[6]) for row in before[1]] == [("msc-cures", 2), ("msc-cartilage", 0)]
