"""metadata.json as staff meet it: tables described and hidden, facets that work,
every canned query answering on the demo database, and a search that any typed
text survives without ever running as markup."""

import json
import shutil
import sqlite3

import pytest

from litref.db.database import open_db
from tests.web_fetches import (
    BROKEN_SEARCH, FLAGGED_LATER, NEW_PMIDS, OTHER_SEARCH, SEARCH, SEEN_BEFORE, WARNED_PHRASE,
    add_fetch_history,
)
from tests.web_site import ATTACK_PMID, CONTRADICTED_CLAIM, UNLINKED_CLAIM, Site, build_site_db
from tests.helpers import HOSTILE
from litref.web.app import METADATA
from litref.web.fts import MARK_END, MARK_START, fts_words, marked_html

SHARED = json.loads(METADATA.read_text())["databases"]["*"]
QUERIES = SHARED["queries"]
READ_QUERIES = sorted(name for name, query in QUERIES.items() if not query.get("write"))
# claim_matches: the stored candidates behind the claim_candidates view; sqlite_stat1:
# what the query planner is told after each import (db/statistics.py).
INTERNAL_TABLES = {"_sqlite_migrations", "citations_fts", "citations_fts_config", "citations_fts_data",
                   "citations_fts_docsize", "citations_fts_idx", "claim_matches", "sqlite_stat1"}
REVIEWED_LONG_AGO = "stem-cell-therapy-stops-organ-damage"  # its candidates are newer than its review
# Values for every parameter a canned query takes, from the demo data.
PARAMETERS = {"claim_id": CONTRADICTED_CLAIM, "q": "mesenchymal stem", "search": SEARCH}


@pytest.fixture(scope="module")
def site_db(tmp_path_factory):
    path = build_site_db(tmp_path_factory.mktemp("metadata") / "demo.db")
    database = open_db(path)
    add_fetch_history(database)
    with database.atomic():
        database.execute("UPDATE claim_evidence SET reviewed_at = '2000-01-01T00:00:00+00:00' "
                         "WHERE claim_id = ?", [REVIEWED_LONG_AGO])
    database.close()
    return path


@pytest.fixture(scope="module")
def site(site_db):
    site = Site(site_db)  # nothing here writes or changes settings: one for the module
    yield site
    site.close()


def rows(site, path):
    response = site.get(path + ("&" if "?" in path else "?") + "_shape=objects")
    assert response.status_code == 200, response.text
    return response.json()["rows"]


def query(site, name, **parameters):
    arguments = "&".join(f"{key}={value}" for key, value in parameters.items())
    return rows(site, f"/demo/{name}.json?{arguments}")


# Tables: hidden, described, faceted


def test_internal_tables_are_hidden_and_every_visible_table_and_view_is_described(site):
    database = site.get("/demo.json").json()
    hidden = {table["name"] for table in database["tables"] if table["hidden"]}
    assert hidden == INTERNAL_TABLES
    visible = [t["name"] for t in database["tables"] if not t["hidden"]] + [v["name"] for v in database["views"]]
    assert {"citations", "claim_status", "claim_candidates", "fetch_runs"} <= set(visible)
    undescribed = [name for name in visible
                   if not (site.ds.table_metadata("demo", name).get("description")
                           or site.ds.table_metadata("demo", name).get("description_html"))]
    assert undescribed == []


def test_column_descriptions_name_real_columns_and_cover_every_citations_column(site_db):
    connection = sqlite3.connect(site_db)
    for table, settings in SHARED["tables"].items():
        columns = {row[1] for row in connection.execute(f"PRAGMA table_info([{table}])")}
        assert set(settings.get("columns", {})) <= columns, table
        for key in ("label_column", "sort", "sort_desc"):
            assert settings.get(key) in columns | {None}, (table, key)
    citations = {row[1] for row in connection.execute("PRAGMA table_info(citations)")}
    assert citations == set(SHARED["tables"]["citations"]["columns"])


def test_facets_are_plain_columns_that_answer(site, site_db):
    connection = sqlite3.connect(site_db)
    for table, settings in SHARED["tables"].items():
        facets = settings.get("facets", [])
        for column in facets:
            values = [row[0] for row in connection.execute(
                f"SELECT DISTINCT [{column}] FROM [{table}] WHERE [{column}] IS NOT NULL LIMIT 50")]
            # Never a facet over a JSON array: those time out at scale and read badly.
            assert not any(isinstance(v, str) and v.startswith("[") and v.endswith("]")
                           and v.strip("[]").startswith('"') for v in values), (table, column)
        if facets:
            page = site.get(f"/demo/{table}.json?_size=1").json()
            assert set(page["facet_results"]) == set(facets), table


def test_default_sorts_have_no_ties_so_paging_loses_no_row(site, site_db):
    """Datasette 0.65 sorts a table's first page without its primary-key tie-breaker,
    so rows tied on the sort column go missing at the page boundary."""
    connection = sqlite3.connect(site_db)
    for table, settings in SHARED["tables"].items():
        column = settings.get("sort") or settings.get("sort_desc")
        if column and table != "evidence_levels":  # 14 fixed rows: always one page
            total, distinct = connection.execute(
                f"SELECT count(*), count(DISTINCT [{column}]) FROM [{table}]").fetchone()
            assert total == distinct, table
    seen, token = [], None
    while True:
        page = site.get("/demo/citations.json?_size=5&_col=pmid" + (f"&_next={token}" if token else "")).json()
        seen += [row[0] for row in page["rows"]]
        token = page.get("next")
        if not token:
            break
    assert sorted(seen) == sorted(r[0] for r in connection.execute("SELECT pmid FROM citations"))
    assert seen == sorted(seen, reverse=True)


def test_mesh_facet_lists_descriptors(site):
    page = site.get("/demo/citation_mesh.json?_size=0").json()
    descriptors = {item["value"] for item in page["facet_results"]["descriptor"]["results"]}
    assert {"Humans", "Animals"} <= descriptors


def test_home_page_names_the_source_and_its_terms(site):
    html = site.get("/").text
    assert "PubMed, U.S. National Library of Medicine" in html
    assert 'href="https://www.nlm.nih.gov/databases/download/terms_and_conditions.html"' in html


# Canned queries


def test_every_canned_query_has_a_title_and_a_description():
    for name, settings in QUERIES.items():
        assert settings.get("title") and len(settings.get("description", "")) > 40, name


@pytest.mark.parametrize("name", READ_QUERIES)
def test_every_canned_query_answers_with_rows_on_the_demo(site, name):
    found = query(site, name, **PARAMETERS)
    assert found, name


@pytest.mark.parametrize("name", sorted(set(QUERIES) - set(READ_QUERIES)))
def test_writable_queries_show_their_form_to_signed_in_staff(site, name):
    staff, _ = site.staff()
    assert site.get(f"/demo/{name}", staff).status_code == 200


def test_claims_overview_lists_every_claim_with_links(site, site_db):
    found = query(site, "claims_overview")
    claims = sqlite3.connect(site_db).execute("SELECT count(*) FROM claims").fetchone()[0]
    assert len(found) == claims
    html = site.get("/demo/claims_overview").text
    assert f'href="/demo/evidence_for_claim?claim_id={CONTRADICTED_CLAIM}"' in html
    assert f'href="/demo/feed_claim.atom?claim_id={CONTRADICTED_CLAIM}"' in html


def test_claims_without_support_and_contradicted_claims(site):
    unsupported = query(site, "claims_without_support")
    assert all(row["status"] in {"unreviewed", "contradicted", "mixed", "cites-flagged-paper"}
               for row in unsupported)
    assert CONTRADICTED_CLAIM in {row["claim_id"] for row in unsupported}
    contradicted = query(site, "contradicted_claims")
    assert contradicted[0]["claim_id"] == CONTRADICTED_CLAIM
    assert contradicted[0]["status"] == "contradicted" and "33474834" in contradicted[0]["contradicted_by"]


def test_claims_citing_flagged_papers_names_the_retracted_one_and_its_notice(site):
    found = query(site, "claims_citing_flagged_papers")
    assert [(r["claim_id"], r["pmid"], r["warning"], r["notice_pmids"]) for r in found] == [
        (UNLINKED_CLAIM, 99000010, "RETRACTED", "99000011")]


def test_claims_with_new_evidence_are_reviewed_claims_with_newer_candidates(site):
    found = query(site, "claims_with_new_evidence")
    assert REVIEWED_LONG_AGO in [row["claim_id"] for row in found]
    counts = [row["new_candidates"] for row in found]
    assert min(counts) > 0 and counts == sorted(counts, reverse=True)
    assert all(row["last_reviewed"] for row in found)


def test_evidence_for_claim_puts_strongest_human_evidence_first(site):
    found = query(site, "evidence_for_claim", claim_id="stem-cell-therapy-stops-organ-damage")
    keys = [(row["subjects"] != "humans", row["study_design"]) for row in found]
    assert keys[0] == (False, "meta-analysis")
    ranks = {"meta-analysis": 1, "rct": 2, "clinical-trial": 3, "observational": 4, "guideline": 5,
             "case-report": 6, "review": 7, "opinion": 8, "other": 9}
    assert keys == sorted(keys, key=lambda key: (key[0], ranks[key[1]]))
    assert query(site, "evidence_for_claim", claim_id="no-such-claim") == []


def test_msc_trials_and_meta_analyses(site):
    found = {row["pmid"]: row for row in query(site, "msc_trials_and_meta_analyses")}
    assert {28478399, 32322279} <= set(found)  # the MSC trial and the MSC meta-analysis
    assert found[28478399]["trial_registrations"] == "NCT01539902"
    assert {row["study_design"] for row in found.values()} <= {"meta-analysis", "rct", "clinical-trial"}
    assert 31548842 not in found  # a meta-analysis of haematopoietic, not mesenchymal, cells


def test_citations_since_last_fetch_are_the_latest_fetchs_new_and_newly_flagged(site):
    found = {row["pmid"]: row for row in query(site, "citations_since_last_fetch")}
    assert set(found) == {*NEW_PMIDS, FLAGGED_LATER}
    assert found[FLAGGED_LATER]["change"] == "now flagged" and found[FLAGGED_LATER]["warning"] == "RETRACTED"
    assert found[NEW_PMIDS[0]]["change"] == "new" and found[NEW_PMIDS[0]]["found_by"] == SEARCH
    assert SEEN_BEFORE not in found  # found again, but brought in by the earlier fetch


def test_citations_since_last_fetch_leave_out_a_paper_flagged_before_it(site_db, tmp_path):
    """Found again by the latest fetch in a newer copy, but retracted before it: no news."""
    path = tmp_path / "demo.db"
    shutil.copy(site_db, path)
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE citations SET flagged_at = '2098-06-01T00:00:00+00:00' WHERE pmid = ?",
                           [FLAGGED_LATER])
    private = Site(path)
    try:
        found = {row["pmid"] for row in query(private, "citations_since_last_fetch")}
    finally:
        private.close()
    assert found == set(NEW_PMIDS)


def test_fetch_history_puts_failures_not_put_right_first(site):
    found = query(site, "fetch_history")
    assert (found[0]["search"], found[0]["status"], found[0]["unresolved"]) == (BROKEN_SEARCH, "failed", 1)
    assert found[0]["error"].startswith("PubMed did not know a phrase")
    resolved = [row for row in found if row["search"] == OTHER_SEARCH and row["status"] == "failed"]
    assert resolved[0]["unresolved"] == 0
    starts = [row["started"] for row in found[2:]]
    assert starts == sorted(starts, reverse=True)


def test_fetch_history_shows_pubmeds_reading_and_warnings(site):
    found = query(site, "fetch_history")
    warned = found[1]  # unresolved too, but started before the broken run
    assert (warned["search"], warned["status"], warned["unresolved"]) == (OTHER_SEARCH, "warning", 1)
    assert warned["pubmed_warnings"] == f"QuotedPhraseNotFound: {WARNED_PHRASE}"
    assert warned["pubmed_errors"] is None
    assert warned["query_translation"] == f'"{OTHER_SEARCH}"[Title/Abstract]'


def test_a_searchs_page_shows_how_pubmed_read_its_query(site):
    page = site.get(f"/demo/searches/{OTHER_SEARCH}").text
    assert (f"Newest run 1 Jan 2099, 03:01 UTC: warning. PubMed read it as: "
            f"<code>&#34;{OTHER_SEARCH}&#34;[Title/Abstract]</code>") in page
    assert "PubMed&#39;s warnings: QuotedPhraseNotFound: &#34;synthetic other phrase&#34;" in page
    table = site.get("/demo/searches").text  # the same under every query of the table
    assert table.count('<div class="pubmed-word">Newest run ') == 3


# Searching: the table's search box and the ranked literature search


@pytest.mark.parametrize("text", HOSTILE)
def test_any_text_in_the_search_box_or_the_ranked_search_is_answered(site, text):
    for path in ("/demo/citations", "/demo/citations.json", "/demo/literature_search",
                 "/demo/literature_search.json"):
        key = "_search" if "citations" in path else "q"
        response = site.loop.run_until_complete(site.ds.client.get(path, params={key: text}))
        assert response.status_code == 200, (path, text, response.text[:300])


def test_search_box_and_ranked_search_find_the_same_citations(site):
    for text in ("mesenchymal stem", '"lupus', "stem-cell", "mesenchym*", "MSCs"):
        box = {row["pmid"] for row in rows(site, f"/demo/citations.json?_search={text}&_size=max")}
        ranked = {row["pmid"] for row in query(site, "literature_search", q=text)}
        assert box == ranked and box, text


def test_ranked_search_orders_by_relevance_and_understands_or_and_not(site):
    found = query(site, "literature_search", q="mesenchymal stem")
    assert MARK_START in found[0]["title"]  # a title match outranks an abstract-only one
    lupus = {row["pmid"] for row in query(site, "literature_search", q="lupus")}
    without_mice = {row["pmid"] for row in query(site, "literature_search", q="lupus NOT mice")}
    either = {row["pmid"] for row in query(site, "literature_search", q="lupus OR stromal")}
    assert without_mice < lupus < either
    assert query(site, "literature_search", q="") == []


def test_highlights_are_marked_and_record_markup_stays_text(site):
    html = site.get("/demo/literature_search?q=script+onerror").text
    assert f"/citation/{ATTACK_PMID}" in html
    assert "&lt;<mark>script</mark>&gt;alert(1)" in html
    assert "<script>alert" not in html and "<img src=x" not in html
    assert MARK_START not in html and MARK_END not in html
    box = site.get("/demo/citations?_search=onerror").text
    assert "Synthetic record &lt;script&gt;" in box and "<img src=x" not in box


def test_fts_words_quotes_every_term_and_keeps_or_not_phrases_and_prefixes():
    assert fts_words('stem-cell "lupus nephritis" mesenchym* OR sle NOT mice') == (
        '"stem-cell" "lupus nephritis" "mesenchym"* OR "sle" NOT "mice"')
    assert fts_words('NEAR(a) title:x "unbalanced') == '"NEAR(a)" "title:x" "unbalanced"'
    assert fts_words("OR lupus AND NOT") == '"lupus"'
    for nothing in ("", None, '"', "( ) * -", "\x00", "🙂"):
        assert fts_words(nothing) == '""'


def test_marked_html_escapes_before_marking():
    text = f"<b>{MARK_START}cells{MARK_END}</b> & {MARK_START}unclosed"
    assert marked_html(text) == "&lt;b&gt;<mark>cells</mark>&lt;/b&gt; &amp; unclosed"
