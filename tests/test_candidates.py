"""A claim's candidates (db/candidates.py, view claim_candidates): its own PubMed query
evaluated on every stored citation, ranked for reading, kept current by what changed."""

import datetime as dt

import pytest
import sqlite_utils
from click.testing import CliRunner

from litref.cli import main
from litref.db import candidates
from litref.db.candidates import NEAR_MATCHES_KEPT, refresh_claims, refresh_for_citations
from litref.db.claims import save_claims
from litref.db.database import open_db
from litref.db.migrations import migrations
from litref.evidence.claim_queries import query_parts
from litref.evidence.pubmed_query import parse_query
from tests.eutils_server import synthetic_article
from tests.helpers import LATER, T0, article, link, rows, store

# The subject (stem cells) first, then the disease, then the outcome.
CLAIM = {
    "id": "msc-cures", "page": "Synthetic page", "text": "Stem cells cure lupus nephritis", "line": 1,
    "query": '("stem cell*"[tiab] OR "Stem Cells"[Mesh]) AND (lupus[tiab] OR nephritis[tiab]) '
             'AND (remission[tiab] OR cure*[tiab])',
}
OTHER = {"id": "msc-cartilage", "page": "Synthetic page", "text": "Mesenchymal cartilage repair",
         "query": "cartilage[tiab]", "line": 2}


def ranked(database, claim_id="msc-cures"):
    """(pmid, rank, found_by) of the claim's candidates, best first."""
    return [tuple(row) for row in database.execute(
        "SELECT pmid, rank, found_by FROM claim_candidates WHERE claim_id = ? ORDER BY rank", [claim_id])]


def pmids(database, claim_id="msc-cures"):
    return [pmid for pmid, *_ in ranked(database, claim_id)]


@pytest.fixture
def database(tmp_path):
    database = open_db(tmp_path / "c.db")
    save_claims(database, [CLAIM, OTHER], now=T0)
    return database


def test_query_parts_are_the_terms_joined_by_the_top_level_and():
    parts = query_parts(parse_query(CLAIM["query"]))
    assert [len(part["items"]) for part in parts] == [2, 2, 2]
    assert query_parts(parse_query("a[tiab] OR b[tiab]")) == [parse_query("a[tiab] OR b[tiab]")]


def test_the_subject_is_required_and_more_parts_rank_first(database):
    store(database,
          article(99000701, title="Synthetic stem cells in lupus nephritis"),  # 2 of 3 parts
          article(99000702, title="Synthetic stem cells bring remission of lupus nephritis"),  # 3 of 3
          article(99000703, title="Synthetic remission of lupus nephritis without cells"),  # no subject
          article(99000704, title="Synthetic stem cells"))  # the subject alone
    assert pmids(database) == [99000702, 99000701, 99000704]
    best = ranked(database)[0]
    assert best[1] == 1 and best[2] == "matches 3 of 3 parts of the claim's query (3 in the title or MeSH)"


def test_mesh_counts_like_the_title_and_a_record_brought_in_by_anything_counts(database, tmp_path):
    indexed = article(99000705, title="Synthetic remission in nephritis", mesh=("Stem Cells",))
    path = tmp_path / "import.xml"
    path.write_text(f"<PubmedArticleSet>{indexed}</PubmedArticleSet>")
    result = CliRunner().invoke(main, ["import", "--db", str(tmp_path / "c.db"), str(path)])
    assert result.exit_code == 0, result.output
    assert ranked(open_db(tmp_path / "c.db"))[0][:2] == (99000705, 1)


def test_abstract_words_count_after_title_words(database):
    in_title = article(99000706, title="Synthetic stem cells and lupus")
    in_abstract = article(99000707, title="Synthetic stem cells",
                          abstract="Remission of lupus nephritis followed the infusion.")
    store(database, in_abstract, in_title)
    assert pmids(database)[:2] == [99000706, 99000707]  # 2 parts in the title beat 3 parts in all


def test_a_new_batch_costs_the_batch_and_keeps_when_each_was_found(database):
    store(database, article(99000702, title="Synthetic stem cells bring remission of lupus"), now=T0)
    store(database, article(99000708, title="Synthetic stem cells cure nephritis"), now=LATER)
    found = dict(database.execute("SELECT pmid, found_at FROM claim_matches WHERE claim_id = 'msc-cures'"))
    assert found == {99000702: T0, 99000708: LATER}
    refresh_for_citations(database, [99000708], now="2027-01-01T00:00:00+00:00")
    assert dict(database.execute(
        "SELECT pmid, found_at FROM claim_matches WHERE claim_id = 'msc-cures'")) == found


def test_a_record_that_no_longer_matches_leaves(database):
    store(database, article(99000709, title="Synthetic stem cells cure lupus"))
    assert pmids(database) == [99000709]
    store(database, article(99000709, title="Synthetic cartilage repair in dogs"), now=LATER)
    assert pmids(database) == [] and pmids(database, "msc-cartilage") == [99000709]


def test_near_matches_are_trimmed_to_the_best(database, monkeypatch):
    monkeypatch.setattr(candidates, "NEAR_MATCHES_KEPT", 3)
    store(database, *[article(99000710 + i, title=f"Synthetic stem cells, part {i}") for i in range(6)],
          article(99000720, title="Synthetic stem cells in lupus"))
    kept = pmids(database)
    assert len(kept) == 3 and kept[0] == 99000720
    assert NEAR_MATCHES_KEPT == 100  # the shipped number, unpatched


def test_editing_a_claim_works_out_that_claim_alone(database):
    store(database, article(99000709, title="Synthetic stem cells cure lupus"),
          article(99000721, title="Synthetic cartilage regrowth"))
    with database.atomic():  # a mark that a refresh of msc-cartilage would wipe out
        database.execute("UPDATE claim_matches SET found_by = 'mark' WHERE claim_id = 'msc-cartilage'")
    save_claims(database, [{**CLAIM, "query": "lupus[tiab]"}, OTHER], now=LATER)
    assert refresh_claims(database, now=LATER) == {}
    assert pmids(database) == [99000709]
    assert [r[0] for r in database.execute(
        "SELECT found_by FROM claim_matches WHERE claim_id = 'msc-cartilage'")] == ["mark"]


def found(database, claim_id="msc-cures"):
    """pmid → (parts, parts_in_title, found_at) of the claim's matches."""
    return {pmid: tuple(rest) for pmid, *rest in database.execute(
        "SELECT pmid, parts, parts_in_title, found_at FROM claim_matches WHERE claim_id = ?", [claim_id])}


def test_an_edited_query_keeps_when_each_was_found_and_drops_what_it_no_longer_finds(database):
    store(database, article(99000730, title="Synthetic stem cells cure lupus"),
          article(99000731, title="Synthetic stem cells in nephritis"), now=T0)
    assert found(database) == {99000730: (3, 3, T0), 99000731: (2, 2, T0)}
    save_claims(database, [{**CLAIM, "query": '"stem cell*"[tiab] AND lupus[tiab]'}, OTHER], now=LATER)
    refresh_claims(database, now=LATER)
    assert found(database) == {99000730: (2, 2, T0), 99000731: (1, 1, T0)}  # still found, since T0
    save_claims(database, [{**CLAIM, "query": "lupus[tiab]"}, OTHER], now=LATER)
    refresh_claims(database, now=LATER)
    assert found(database) == {99000730: (1, 1, T0)}
    assert database.execute("SELECT candidates_query FROM claims WHERE id = 'msc-cures'").fetchone()[0] == "lupus[tiab]"


def test_a_part_the_record_cannot_tell_is_not_matched(database):
    store(database, article(99000732, title="Synthetic stem cells cure lupus"))
    with database.atomic():  # a record without a year: its [dp] part is unknown, not found
        database.execute("UPDATE citations SET year = NULL WHERE pmid = 99000732")
    save_claims(database, [{**CLAIM, "query": '"stem cell*"[tiab] AND 2015:2030[dp]'}, OTHER], now=LATER)
    refresh_claims(database, now=LATER)
    assert found(database) == {99000732: (1, 1, T0)}


def test_a_query_that_cannot_be_read_is_reported_not_raised(database):
    save_claims(database, [{**CLAIM, "query": '"stem cell[tiab]'}, OTHER], now=LATER)
    problems = refresh_claims(database, now=LATER)
    assert list(problems) == ["msc-cures"] and "cannot be read" in problems["msc-cures"]


def test_pubmeds_own_hits_are_whole_matches(database):
    store(database, article(99000722, title="Synthetic record PubMed found through a narrower heading"))
    with database.atomic():
        database.execute("INSERT INTO searches (name, query) VALUES ('claim-msc-cures', 'q')")
        database.execute("INSERT INTO search_hits VALUES ('claim-msc-cures', 99000722, ?, ?)", [T0, T0])
    refresh_for_citations(database, [99000722], now=T0)
    assert ranked(database) == [
        (99000722, 1, "is among what PubMed finds for the claim's query")]


def test_curated_dismissed_and_notice_records_are_not_candidates(database):
    store(database, article(99000723, title="Synthetic stem cells cure lupus"),
          article(99000724, title="Synthetic stem cells in lupus"),
          article(99000725, title="Synthetic stem cells, a retraction", types=("Retraction of Publication",)))
    link(database, 99000723, "supports")
    with database.atomic():
        database.execute("INSERT INTO candidate_decisions VALUES ('msc-cures', 99000724, 'not-relevant', "
                         "NULL, 'alice', ?)", [T0])
    assert pmids(database) == []


def test_a_reviewers_design_decides_whether_a_candidate_is_a_notice_everywhere(database):
    store(database, article(99000726, title="Synthetic stem cells cure lupus"),
          article(99000727, title="Synthetic stem cells cure lupus, retracted",
                  types=("Retraction of Publication",)))
    with database.atomic():  # a reviewer read the first as a notice, the second as a trial
        for pmid, design in ((99000726, "notice"), (99000727, "rct")):
            database.execute("INSERT INTO citation_assessments (pmid, study_design, reviewer, assessed_at) "
                             "VALUES (?, ?, 'alice', ?)", [pmid, design, T0])
    arrivals = [pmid for (pmid,) in database.execute(
        "SELECT pmid FROM claim_candidate_arrivals WHERE claim_id = 'msc-cures'")]
    assert pmids(database) == arrivals == [99000727]


def test_fetch_keeps_candidates_current_batch_by_batch(eutils, tmp_path, monkeypatch):
    monkeypatch.setenv("NCBI_API_KEY", "test-key")
    (tmp_path / "s.yml").write_text("searches:\n  - name: s\n    query: q1\n")
    (tmp_path / "c.yml").write_text(
        f"claims:\n  - id: msc-cures\n    page: stem-cell-therapy-for-lupus\n    text: {CLAIM['text']}\n"
        f"    query: '{CLAIM['query']}'\n"
    )
    eutils.add_articles([synthetic_article(99000726, edat=dt.date(2020, 1, 1),
                                           title="Synthetic stem cells cure lupus")])
    eutils.set_query("q1", [99000726])
    eutils.set_query(CLAIM["query"], [])
    path = tmp_path / "c.db"
    CliRunner().invoke(main, ["fetch", "--db", str(path), "--searches", str(tmp_path / "s.yml"),
                              "--claims", str(tmp_path / "c.yml")])
    # Found by the saved search s, not by the claim's own: a candidate all the same.
    assert pmids(open_db(path)) == [99000726]


def test_an_upgrade_keeps_every_curated_link_and_works_candidates_out(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    migrations.apply(old, stop_before="m015_assessments_and_screening")
    old["claims"].insert({**{k: v for k, v in CLAIM.items() if k != "line"}, "position": 1})
    old.execute("INSERT INTO citations (pmid, title) VALUES (99000727, 'Synthetic stem cells cure lupus')")
    # Views as an earlier litref made them, reading the table this upgrade drops.
    old.execute("CREATE VIEW claim_candidates AS SELECT * FROM claim_text_matches")
    with old.atomic():
        old.execute("INSERT INTO curation_log (action, claim_id, pmid, stance, note, reviewer, logged_at) "
                    "VALUES ('link', 'msc-cures', 99000727, 'supports', 'kept', 'alice', ?)", [T0])
    before = rows(path, "SELECT claim_id, pmid, stance, note, reviewer, reviewed_at FROM claim_evidence")
    old.close()
    upgraded = open_db(path)
    assert rows(path, "SELECT claim_id, pmid, stance, note, reviewer, reviewed_at FROM claim_evidence") == before
    assert [r["action"] for r in rows(path, "SELECT action FROM curation_log")] == ["link"]
    refresh_claims(upgraded, now=LATER)
    assert rows(path, "SELECT candidates_query IS NOT NULL AS done FROM claims") == [{"done": 1}]
