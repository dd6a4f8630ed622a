"""Claim status, candidates and the safety of curation, through the real pipeline."""

import datetime as dt
import sqlite3

import pytest
from click.testing import CliRunner

from litref.db.database import open_db
from litref.db.claims import save_claims
from litref.cli import main
from litref.evidence.vocabularies import statuses
from tests.eutils_server import synthetic_article
from tests.helpers import CLAIM, LATER, RCT_HUMANS, T0, article, link, store

def status(database, claim_id="msc-cures"):
    return dict(
        database.execute_returning_dicts(
            "SELECT * FROM claim_status WHERE claim_id = ?", [claim_id]
        )[0]
    )


@pytest.fixture
def database(tmp_path):
    database = open_db(tmp_path / "c.db")
    save_claims(database, [CLAIM], now=T0)
    return database


MA_HUMANS = {"types": ("Meta-Analysis",), "mesh": ("Humans",)}


def test_unreviewed_without_links(database):
    assert status(database)["status"] == "unreviewed"


def test_context_links_alone_leave_it_unreviewed(database):
    store(database, article(99000501, **RCT_HUMANS))
    link(database, 99000501, "context")
    assert status(database)["status"] == "unreviewed"


def test_supported_by_strong_human_evidence(database):
    store(database, article(99000501, **RCT_HUMANS))
    link(database, 99000501, "supports")
    row = status(database)
    assert (row["status"], row["strongest_human_evidence"]) == ("supported", "Randomised controlled trial")


def test_contradicted(database):
    store(database, article(99000501, **MA_HUMANS))
    link(database, 99000501, "contradicts")
    assert status(database)["status"] == "contradicted"


def test_mixed_when_the_best_evidence_disagrees(database):
    store(database, article(99000501, **RCT_HUMANS), article(99000502, **RCT_HUMANS))
    link(database, 99000501, "supports")
    link(database, 99000502, "contradicts")
    assert status(database)["status"] == "mixed"


def test_strongest_human_evidence_decides(database):
    store(database, article(99000501, **MA_HUMANS), article(99000502, types=("Case Reports",), mesh=("Humans",)))
    link(database, 99000501, "contradicts")
    link(database, 99000502, "supports")
    assert status(database)["status"] == "contradicted"


def test_weakly_supported_by_animal_studies_and_case_reports(database):
    store(
        database,
        article(99000501, **{"types": ("Randomized Controlled Trial",), "mesh": ("Animals", "Mice")}),
        article(99000502, types=("Case Reports",), mesh=("Humans",)),
        article(99000503, types=("Review",), mesh=("Humans",)),
    )
    for pmid in (99000501, 99000502, 99000503):
        link(database, pmid, "supports")
    row = status(database)
    assert (row["status"], row["strongest_human_evidence"]) == (
        "weakly-supported", "Case series or case report",
    )


def test_retracted_citation_flags_the_claim_when_it_turns_retracted_on_reimport(database):
    store(database, article(99000501, **RCT_HUMANS))
    link(database, 99000501, "supports")
    assert status(database)["status"] == "supported"
    counts = store(database, article(99000501, **RCT_HUMANS, extra_types=("Retracted Publication",)), now=LATER)
    assert counts["updated"] == 1
    assert status(database)["status"] == "cites-flagged-paper"
    detail = database.execute_returning_dicts("SELECT * FROM claim_evidence_detail")[0]
    assert (detail["is_retracted"], detail["is_flagged"], detail["stance"]) == (1, 1, "supports")


def test_curated_pmid_not_in_database_is_kept_and_shown_missing(database):
    link(database, 99000999, "supports")
    row = status(database)
    assert (row["missing"], row["evidence"]) == (1, 1)
    detail = database.execute_returning_dicts("SELECT pmid, is_missing, title FROM claim_evidence_detail")
    assert detail == [{"pmid": 99000999, "is_missing": 1, "title": None}]


def test_new_evidence_since_last_review(database):
    store(database, article(99000501, **RCT_HUMANS))
    link(database, 99000501, "supports")
    assert status(database)["new_evidence_since_review"] == 0
    store(database, article(99000502, **RCT_HUMANS, title="Synthetic stem cells cure lupus nephritis in a trial"), now=LATER)
    row = status(database)
    assert (row["status"], row["new_evidence_since_review"], row["new_candidates"]) == ("supported", 1, 1)


def test_new_candidates_are_counted_up_to_a_hundred_and_then_read_more_than_a_hundred(database):
    store(database, article(99000501, **RCT_HUMANS))
    link(database, 99000501, "supports")
    titles = (f"Synthetic stem cells cure lupus nephritis, trial {n}" for n in range(102))
    store(database, *(article(99000600 + n, **RCT_HUMANS, title=t) for n, t in enumerate(titles)), now=LATER)
    row = status(database)
    assert (row["new_evidence_since_review"], row["new_candidates"]) == (1, 101)
    assert statuses.counted(row["new_candidates"]) == "more than 100"
    assert statuses.counted(100) == "100"


def evidence_bytes(path):
    with sqlite3.connect(path) as conn:
        return list(conn.execute("SELECT * FROM claim_evidence ORDER BY claim_id, pmid"))


def test_reimport_and_refetch_leave_curation_unchanged(eutils, tmp_path, monkeypatch):
    monkeypatch.setenv("NCBI_API_KEY", "test-key")
    path = tmp_path / "c.db"
    claims = tmp_path / "claims.yml"
    claims.write_text(
        "claims:\n  - id: msc-cures\n    page: stem-cell-therapy-for-lupus\n    text: Synthetic stem cells cure lupus\n"
        "    query: synthetic query\n"
    )
    searches = tmp_path / "searches.yml"
    searches.write_text("searches:\n  - name: s\n    query: synthetic query\n")
    runner = CliRunner()
    assert runner.invoke(main, ["claims", str(claims), "--db", str(path)]).exit_code == 0
    fixture = "tests/fixtures/edge-cases.xml"
    assert runner.invoke(main, ["import", "--db", str(path), fixture]).exit_code == 0
    database = open_db(path)
    link(database, 99000010, "supports")
    link(database, 99000002, "context")
    database.close()
    before = evidence_bytes(path)
    eutils.add_articles([synthetic_article(99000700, edat=dt.date(2020, 1, 1))])
    eutils.set_query("synthetic query", [99000700])
    args = ["fetch", "--db", str(path), "--searches", str(searches), "--claims", str(claims)]
    fetched = runner.invoke(main, args)
    assert fetched.exit_code == 0, fetched.output
    assert "claim-msc-cures: ok (full)" in fetched.output
    assert runner.invoke(main, ["import", "--db", str(path), fixture, "tests/fixtures/update-with-delete.xml"]).exit_code == 0
    assert runner.invoke(main, args + ["--full"]).exit_code == 0
    assert evidence_bytes(path) == before


def test_missing_curated_citation_is_fetched_on_the_next_run(eutils, tmp_path, monkeypatch):
    path = tmp_path / "c.db"
    database = open_db(path)
    save_claims(database, [CLAIM], now=T0)
    link(database, 99000800, "supports")
    database.close()
    eutils.add_articles([synthetic_article(99000800, edat=dt.date(2020, 1, 1))])
    (tmp_path / "s.yml").write_text("searches: []\n")
    (tmp_path / "c.yml").write_text(
        "claims:\n  - id: msc-cures\n    page: stem-cell-therapy-for-lupus\n    text: t\n    query: q\n"
    )
    eutils.set_query("q", [99000800])
    result = CliRunner().invoke(
        main, ["fetch", "--db", str(path), "--searches", str(tmp_path / "s.yml"), "--claims", str(tmp_path / "c.yml")]
    )
    assert result.exit_code == 0, result.output
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT is_missing FROM claim_evidence_detail").fetchall() == [(0,)]


def test_rejected_claim_query_is_reported_against_the_claim(eutils, tmp_path):
    (tmp_path / "s.yml").write_text("searches: []\n")
    (tmp_path / "c.yml").write_text(
        "claims:\n  - id: msc-cures\n    page: stem-cell-therapy-for-lupus\n    text: t\n    query: synthetic rejected\n"
    )
    eutils.reject_query("synthetic rejected", "Search Backend failed: Invalid query")
    result = CliRunner().invoke(
        main, ["fetch", "--db", str(tmp_path / "c.db"), "--searches", str(tmp_path / "s.yml"),
               "--claims", str(tmp_path / "c.yml")]
    )
    assert result.exit_code == 1
    assert "search 'claim-msc-cures': PubMed rejected the query: Search Backend failed" in result.output
