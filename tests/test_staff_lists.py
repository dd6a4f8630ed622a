"""The lists staff work from (/claims, /changes, /fetches) and what "What changed"
reads: each claim's status over time (db/status_history.py), written after a
fetch, an import and a claims load, and by the curation triggers."""

import re
from datetime import date, datetime, timezone

import pytest
import sqlite_utils

from litref.clock import utc_now
from litref.db.database import open_db
from litref.db.status_history import record_status_changes
from litref.pipeline import import_file
from litref.web import fetch_summary
from tests.eutils_server import synthetic_article
from tests.web_fetches import BROKEN_SEARCH, NEW_PMIDS, SEARCH, build_fetched_site_db
from tests.web_site import (
    CDC_META_ANALYSIS, CONTRADICTED_CLAIM, build_site_db, copy_site,
)

UNCURATED = "lupus-malar-rash"


@pytest.fixture(scope="module")
def site_db(tmp_path_factory):
    return build_fetched_site_db(tmp_path_factory.mktemp("lists") / "demo.db")


@pytest.fixture
def private_site(site_db, tmp_path):
    site = copy_site(site_db, tmp_path)
    yield site
    site.close()


def history(db_path, claim_id):
    return [(row["status"], row["previous_status"], row["cause"], row["detail"])
            for row in sqlite_utils.Database(db_path).query(
                "SELECT * FROM claim_status_history WHERE claim_id = ? ORDER BY id", [claim_id])]


def text_of(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# The status history


def test_curation_records_where_a_claim_came_from_and_where_it_went(private_site):
    # The imports that built the site recorded every claim as it stood.
    assert history(private_site.db_path, UNCURATED) == [("unreviewed", None, "import", "edge-cases.xml")]
    with sqlite_utils.Database(private_site.db_path).conn as conn:  # as if before this history
        conn.execute("DELETE FROM claim_status_history WHERE claim_id = ?", [UNCURATED])
    assert private_site.curate("link_citation", {"claim_id": UNCURATED, "pmid": CDC_META_ANALYSIS,
                                                 "stance": "contradicts", "note": "", "study_design": "", "subjects": ""})["ok"]
    assert history(private_site.db_path, UNCURATED) == [
        ("unreviewed", None, "curation", None),  # what it was, first recorded by the change
        ("contradicted", "unreviewed", "curation", "alice"),
    ]
    assert private_site.curate("change_stance", {"claim_id": UNCURATED, "pmid": CDC_META_ANALYSIS,
                                                 "stance": "context", "note": ""}, name="bob")["ok"]
    assert private_site.curate("remove_link", {"claim_id": UNCURATED, "pmid": CDC_META_ANALYSIS, "note": ""})["ok"]
    assert history(private_site.db_path, UNCURATED)[2:] == [
        ("unreviewed", "contradicted", "curation", "bob"),
    ]  # context alone leaves it unreviewed, and the removal changed nothing: no row


def test_the_writer_records_only_claims_whose_status_changed(tmp_path):
    path = build_site_db(tmp_path / "demo.db")
    database = open_db(path)
    assert record_status_changes(database, now=utc_now(), cause="fetch") == 0  # nothing new
    with database.atomic():
        database.execute("UPDATE citations SET is_retracted = 1 WHERE pmid = ?", [CDC_META_ANALYSIS])
    assert record_status_changes(database, now=utc_now(), cause="fetch") == len(
        [row for row in database.execute(
            "SELECT DISTINCT claim_id FROM claim_evidence WHERE pmid = ?", [CDC_META_ANALYSIS])])
    assert history(path, CONTRADICTED_CLAIM)[-1] == ("cites-flagged-paper", "contradicted", "fetch", None)
    with pytest.raises(ValueError):
        record_status_changes(database, now=utc_now(), cause="whim")


def test_an_import_that_retracts_evidence_records_the_change_and_the_file(tmp_path):
    path = build_site_db(tmp_path / "demo.db")
    database = open_db(path)
    record = synthetic_article(99000990, edat=date(2024, 1, 2), title="Synthetic record to be retracted.")
    first, retracted = tmp_path / "first.xml", tmp_path / "update-retracted.xml"
    first.write_text(f"<PubmedArticleSet>{record.xml}</PubmedArticleSet>")
    retracted.write_text("<PubmedArticleSet>" + record.xml.replace(
        "</PublicationTypeList>",
        '<PublicationType UI="D016441">Retracted Publication</PublicationType></PublicationTypeList>')
        + "</PubmedArticleSet>")
    import_file(database, first, now=utc_now())
    with database.atomic():
        database.execute("INSERT INTO claim_evidence (claim_id, pmid, stance, reviewer, reviewed_at) "
                         "VALUES (?, 99000990, 'supports', 'tester', ?)", [UNCURATED, utc_now()])
    import_file(database, retracted, now=utc_now())
    assert history(path, UNCURATED) == [
        ("unreviewed", None, "import", "edge-cases.xml"),  # building the site
        ("weakly-supported", "unreviewed", "curation", "tester"),
        ("cites-flagged-paper", "weakly-supported", "import", "update-retracted.xml"),
    ]


# The pages


def test_the_claims_list_filters_counts_and_sorts(site):
    html = site.get("/claims").text
    assert html.count('class="claim-row ') == 46
    assert '<option value="contradicted">Contradicted (2)</option>' in html
    assert 'value="epidemiology">epidemiology (' in html
    only = site.get("/claims?status=contradicted").text
    assert only.count('class="claim-row ') == 2 and f'href="/claim/{CONTRADICTED_CLAIM}"' in only
    worst_first = re.findall(r'class="badge status status-([a-z-]+)"', html)
    assert worst_first[0] == "cites-flagged-paper" and worst_first[-1] == "supported"
    in_page_order = re.findall(r'href="/claim/([^"]+)"', site.get("/claims?sort=page").text)
    positions = {row[0]: row[1] for row in sqlite_utils.Database(site.db_path).execute(
        "SELECT id, position FROM claims")}
    assert [positions[c] for c in in_page_order] == sorted(positions[c] for c in in_page_order)
    assert "No claim has all of these" in site.get("/claims?status=contradicted&topic=hsct").text


def test_what_changed_per_claim_with_papers_flagged_and_new_candidates(private_site):
    assert private_site.curate("link_citation", {"claim_id": UNCURATED, "pmid": CDC_META_ANALYSIS,
                                                 "stance": "contradicts", "note": "", "study_design": "", "subjects": ""})["ok"]
    html = private_site.get("/changes").text
    words = text_of(html)
    entry = html[html.index('class="status-changes"'):]
    entry = entry[:entry.index("</li>")] if UNCURATED in entry[:entry.index("</li>")] else entry
    assert "Unreviewed → Contradicted" in text_of(entry)
    assert "when alice changed its evidence" in words
    assert "New papers that arrived already flagged" in words  # the fixtures were imported today
    found = int(re.search(r"<strong>(\d+)</strong> for <a href=\"/claim/" + CONTRADICTED_CLAIM, html).group(1))
    expected = sqlite_utils.Database(private_site.db_path).execute(
        "SELECT count(*) FROM claim_candidates WHERE claim_id = ? AND arrived >= ?",
        [CONTRADICTED_CLAIM, "2000-01-01"]).fetchone()[0]
    assert found == expected  # all arrived this week, as the demo was built today
    home = text_of(private_site.get("/").text)
    assert re.search(r"In the last 7 days .*\d+ claims? changed status", home)


def test_more_than_a_hundred_new_candidates_read_so_on_every_list(private_site):
    """As after a first import into a large database: thousands of new candidates for a
    reviewed claim, counted up to a hundred."""
    store = sqlite_utils.Database(private_site.db_path)
    template = next(store.query("SELECT * FROM citations WHERE pmid = ?", [CDC_META_ANALYSIS]))
    now = utc_now()
    store["citations"].insert_all(
        {**template, "pmid": 99100000 + n, "title": f"Synthetic candidate {n}", "doi": None, "pmcid": None}
        for n in range(150))
    store["claim_matches"].insert_all(
        {"claim_id": CONTRADICTED_CLAIM, "pmid": 99100000 + n, "parts": 1, "parts_in_title": 1,
         "found_by": "test", "found_at": now} for n in range(150))
    assert re.search(r"<strong>more than 100</strong> for <a href=\"/claim/" + CONTRADICTED_CLAIM,
                     private_site.get("/changes").text)
    claims = text_of(private_site.get("/claims").text)
    assert "more than 100 new since review" in claims
    overview = private_site.get(f"/{private_site.name}/claims_with_new_evidence").text
    assert "more than 100" in text_of(overview)


def test_what_changed_counts_a_searchs_new_citations_in_the_window(site):
    words = text_of(site.get("/changes?days=366").text)  # the fetch history is dated 2098-2099
    assert "New citations per search" in words
    html = site.get("/changes?days=366").text
    row = html[html.index(f"<tr><td>{SEARCH}"):].split("</tr>")[0]
    assert re.search(r'class="number">\s*5\s*<', row)  # NEW_PMIDS, SEEN_BEFORE, FLAGGED_LATER, attack


def test_fetches_are_grouped_and_said_in_words(site):
    now = datetime(2099, 1, 2, 9, tzinfo=timezone.utc)
    runs = [dict(row) for row in sqlite_utils.Database(site.db_path).query(
        "SELECT * FROM fetch_runs ORDER BY started, id")]
    fetches = fetch_summary.group_fetches(runs)
    assert [f["searches"] for f in fetches] == [3, 1, 2]  # newest first
    latest = fetches[0]
    assert fetch_summary.in_words(latest) == (
        f"3 searches, {len(NEW_PMIDS)} new citations, 1 citation updated, 1 did not succeed")
    assert [run["search"] for run in latest["problems"]] == [BROKEN_SEARCH]
    assert fetch_summary.when_words(latest["started"], now) == "Yesterday, 03:00 UTC"
    html = site.get("/fetches?days=366").text
    assert "Needs a look (1)" in text_of(html) and BROKEN_SEARCH in html
    assert f'href="/demo/feed_search.atom?search={SEARCH}"' in html


def test_what_changed_reads_flags_by_when_they_were_first_seen(private_site):
    """A newer copy of a paper retracted long ago moves its updated_at, not its flag: no
    news. A paper stored long ago and flagged today is newly flagged."""
    store = sqlite_utils.Database(private_site.db_path)
    long_ago, now = "2001-01-01T00:00:00+00:00", utc_now()
    old_news, news = [row["pmid"] for row in store.query(
        "SELECT pmid FROM citations WHERE is_retracted = 1 ORDER BY pmid LIMIT 2")]
    with store.conn:
        store.execute("UPDATE citations SET added_at = ?, flagged_at = ?, updated_at = ? WHERE pmid = ?",
                      [long_ago, long_ago, now, old_news])
        store.execute("UPDATE citations SET added_at = ?, flagged_at = ?, updated_at = ? WHERE pmid = ?",
                      [long_ago, now, now, news])
    html = private_site.get("/changes").text
    newly = html[html.index("newly flagged"):]
    assert f"/citation/{news}" in newly
    assert f"/citation/{old_news}" not in html
