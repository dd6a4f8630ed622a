"""Claim status, candidates and the safety of curation, through the real pipeline."""

import datetime as dt
import io
import sqlite3

import pytest
from click.testing import CliRunner

from litref.db.database import open_db
from litref.db.claims import save_claims
from litref.db.candidates import refresh_claim_matches
from litref.db.citations import save_records
from litref.fetch import pubmed_xml
from litref.cli import main
from tests.eutils_server import synthetic_article

T0 = "2026-01-01T00:00:00+00:00"
REVIEWED = "2026-02-01T00:00:00+00:00"
LATER = "2026-03-01T00:00:00+00:00"
CLAIM = {
    "id": "msc-cures", "page": "Synthetic page", "text": "Stem cells cure lupus nephritis",
    "query": "synthetic[tiab]", "line": 1,
}


def article(pmid, *, types=("Journal Article",), mesh=(), title=None, extra_types=()):
    """A synthetic PubMed article with chosen publication types and MeSH descriptors."""
    type_xml = "".join(f"<PublicationType>{t}</PublicationType>" for t in (*types, *extra_types))
    mesh_xml = "".join(
        f'<MeshHeading><DescriptorName MajorTopicYN="N">{m}</DescriptorName></MeshHeading>' for m in mesh
    )
    title = title or f"Synthetic record {pmid} about stem cells"
    return f"""<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">{pmid}</PMID>
<Article PubModel="Print"><Journal><JournalIssue CitedMedium="Print"><PubDate><Year>2020</Year></PubDate>
</JournalIssue><Title>Synthetic Journal</Title></Journal><ArticleTitle>{title}</ArticleTitle>
<Language>eng</Language><PublicationTypeList>{type_xml}</PublicationTypeList></Article>
<MeshHeadingList>{mesh_xml}</MeshHeadingList></MedlineCitation></PubmedArticle>"""


def store(database, *articles, now=T0):
    xml = f"<PubmedArticleSet>{''.join(articles)}</PubmedArticleSet>".encode()
    counts = save_records(database, list(pubmed_xml.parse(io.BytesIO(xml), "test")), source="test", now=now)
    refresh_claim_matches(database)  # as the import and the fetch do after their last batch
    return counts


def link(database, pmid, stance, claim_id="msc-cures", reviewed_at=REVIEWED):
    with database.atomic():
        database.execute(
            "INSERT INTO claim_evidence (claim_id, pmid, stance, note, reviewer, reviewed_at) "
            "VALUES (?, ?, ?, 'test note', 'staff@example.org', ?)",
            [claim_id, pmid, stance, reviewed_at],
        )


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


RCT_HUMANS = {"types": ("Randomized Controlled Trial",), "mesh": ("Humans",)}
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


def test_candidates_exclude_curated_and_rank_strongest_designs_first(database):
    store(
        database,
        article(99000501, types=("Case Reports",), mesh=("Humans",), title="Synthetic stem cells cure lupus nephritis case"),
        article(99000502, **MA_HUMANS, title="Synthetic meta-analysis: stem cells in lupus nephritis"),
        article(99000503, **RCT_HUMANS, title="Synthetic trial of stem cells for lupus nephritis"),
        article(99000504, types=("Retraction of Publication",), title="Synthetic retraction: stem cells cure lupus nephritis"),
        article(99000505, title="Synthetic record unrelated to anything"),
    )
    link(database, 99000503, "supports")
    candidates = database.execute_returning_dicts(
        "SELECT pmid, found_by FROM claim_candidates WHERE claim_id = 'msc-cures'"
    )
    assert [c["pmid"] for c in candidates] == [99000502, 99000501]
    assert {c["found_by"] for c in candidates} == {"text match"}


def test_claim_query_hits_are_candidates(database):
    store(database, article(99000505, title="Synthetic record unrelated to anything"))
    with database.atomic():
        database.execute("INSERT INTO searches (name, query) VALUES ('claim-msc-cures', 'x')")
        database.execute(
            "INSERT INTO search_hits VALUES ('claim-msc-cures', 99000505, ?, ?)", [LATER, LATER]
        )
    candidates = database.execute_returning_dicts("SELECT pmid, found_by, arrived FROM claim_candidates")
    assert candidates == [{"pmid": 99000505, "found_by": "claim query", "arrived": LATER}]


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
        "claims:\n  - id: msc-cures\n    page: stem-cell-therapy-for-lupus\n    text: t\n    query: bad[[query\n"
    )
    eutils.reject_query("bad[[query", "Unbalanced brackets")
    result = CliRunner().invoke(
        main, ["fetch", "--db", str(tmp_path / "c.db"), "--searches", str(tmp_path / "s.yml"),
               "--claims", str(tmp_path / "c.yml")]
    )
    assert result.exit_code == 1
    assert "search 'claim-msc-cures': PubMed rejected the query: Unbalanced brackets" in result.output
