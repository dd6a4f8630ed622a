"""The pages about the clinic's website, on the demo database in Datasette as `litref serve`
runs it: the home page page by page, a page's view, claims changed from the browser
(through claim_log), the evidence map, the printable report, and the export back to
claims.yml."""

import datetime as dt
import re

import pytest
from click.testing import CliRunner

from litref.cli import main
from litref.config import read_claims, read_pages
from litref.db.database import open_db
from litref.db.pages import record_reading, refresh_page_findings
from litref.demo import DEFAULT_CLAIMS, DEFAULT_PAGES
from litref.fetch.site_pages import PageReader
from litref.page_watch import load_site, watch_pages
from litref.web import evidence_map
from tests.eutils_server import synthetic_article
from tests.helpers import rows
from tests.web_site import CDC_META_ANALYSIS, CONTRADICTED_CLAIM, UNLINKED_CLAIM, copy_site, text_of

BOON = "stem-cell-boon-for-lupus"
THERAPY = "stem-cell-therapy-for-lupus"
TRANSFUSION = "Stem cell therapy involves transfusing the cells into the systems of people with lupus."
BIOGRAPHY = ("Dr. Hansen is one of the most well respected Naturopathic Physicians in the country "
             "and a Diplomat of the World Society of Anti-Aging Medicine.")
RETRACTED = 99000010  # linked to UNLINKED_CLAIM (on BOON) by tests/web_site.py
NEW_CLAIM = {"action": "add", "claim_id": "stem-cell-transfusion", "text": TRANSFUSION,
             "section": "What is stem cell therapy?",
             "query": '"Stem Cells"[Mesh] AND "Lupus Erythematosus, Systemic"[Mesh]'}


@pytest.fixture
def writable(site_db, tmp_path):
    site = copy_site(site_db, tmp_path)
    yield site
    site.close()


def page_html(site, path, cookies=None):
    response = site.get(path, cookies)
    assert response.status_code == 200, path
    return response.text


def change(site, page_id, fields, name="alice"):
    """POST a form of the page view as a signed-in reviewer (or anonymously: name None)."""
    cookies, token = site.staff(name or "alice")
    return site.post(f"/page/{page_id}/claims", {**fields, "csrftoken": token},
                     cookies if name else {"ds_csrftoken": cookies["ds_csrftoken"]})


def claim_ids_in_order(html):
    return re.findall(r'<li class="page-claim [^"]*" id="claim-([^"]+)"', html)


# ------------------------------------------------------------ home page and page view


def test_home_page_groups_claims_by_website_page(site):
    html = page_html(site, "/")
    words = text_of(html)
    boon, therapy = (html[html.index(f'id="page-{p}"'):] for p in (BOON, THERAPY))
    boon = boon[:boon.index("</section>")]
    assert "Stem Cell Therapy: Why It&#39;s a Boon" in boon
    assert "No address known: litref reads the saved copy" in text_of(boon)
    assert "Last checked" in text_of(boon) and "First copy kept" in text_of(boon)
    assert re.search(r"Contradicted\s*</span>\s*<span class=\"count\">2</span> claims<", boon)
    assert f'href="/claim/{CONTRADICTED_CLAIM}"' in boon
    assert f'href="/page/{BOON}/report"' in boon and f'href="/page/{BOON}#map"' in boon
    assert "2 statements on the page that no claim quotes" in text_of(boon)
    assert f'href="/claim/{CONTRADICTED_CLAIM}"' not in therapy
    assert "How is our website doing?" in words  # the status cards stay on top


def test_page_view_lists_claims_in_page_order_with_status_evidence_and_reviewer(site):
    html = page_html(site, f"/page/{BOON}")
    claims = claim_ids_in_order(html)
    page = read_pages(DEFAULT_PAGES)[0]["snapshot_path"].read_text(encoding="utf-8")
    shipped = {c["id"]: c["text"] for c in read_claims(DEFAULT_CLAIMS)}
    assert len(claims) == 35
    assert claims == sorted(claims, key=lambda claim_id: page.index(shipped[claim_id]))
    first = html[html.index(f'id="claim-{CONTRADICTED_CLAIM}"'):].split("</li>")[0]
    assert "Contradicted" in first and "On the page" in first
    assert f'href="/citation/{CDC_META_ANALYSIS}"' in first
    assert "reviewed by sample (reference-records.json)" in text_of(first)
    assert TRANSFUSION in html and "Make it a claim" not in html  # forms only when signed in


def test_unknown_page_is_a_404_that_says_where_to_look(site):
    response = site.get("/page/no-such-page")
    assert response.status_code == 404
    assert "There is no page “no-such-page” in pages.yml" in response.text


def test_signed_in_reviewers_see_the_forms(site):
    cookies, _ = site.staff()
    html = page_html(site, f"/page/{BOON}", cookies)
    statement = html[html.index('id="statement-'):]
    assert "Make it a claim" in statement and "Not a claim" in statement
    assert 'name="csrftoken"' in statement
    assert "Archive this claim" not in html  # nothing has left the page


# ------------------------------------------------------------ changes from the browser


def test_a_reviewer_turns_a_statement_into_a_claim(writable):
    response = change(writable, BOON, NEW_CLAIM)
    assert response.status_code == 302
    assert response.headers["location"] == f"/page/{BOON}#claim-stem-cell-transfusion"
    [claim] = rows(writable.db_path, "SELECT * FROM claims WHERE id = 'stem-cell-transfusion'")
    assert claim["source"] == "browser" and claim["page_id"] == BOON
    assert claim["page"].startswith("Stem Cell Therapy: Why") and claim["text"] == TRANSFUSION
    assert claim["position"] == 47 and claim["candidates_query"] is None  # worked out by the next run
    [log] = rows(writable.db_path, "SELECT * FROM claim_log")
    assert (log["action"], log["reviewer"], log["claim_id"]) == ("add", "alice", "stem-cell-transfusion")
    assert log["logged_at"].endswith("+00:00")
    status = rows(writable.db_path, "SELECT page_state FROM claim_page_status "
                                    "WHERE claim_id = 'stem-cell-transfusion'")
    assert status == [{"page_state": "on-page"}]
    assert TRANSFUSION not in [s["text"] for s in rows(writable.db_path, "SELECT text FROM unclaimed_statements")]
    html = page_html(writable, f"/page/{BOON}")
    assert "stem-cell-transfusion" in claim_ids_in_order(html)
    assert "Not yet in claims.yml" in html and "alice" in text_of(html)


@pytest.mark.parametrize(("fields", "message"), [
    ({"claim_id": "Bad Id"}, "Give the claim an id of lower-case letters, digits and hyphens"),
    ({"claim_id": CONTRADICTED_CLAIM}, "That id belongs to another claim"),
    ({"text": "Stem cell therapy cures lupus."}, "The text is not on the page as litref last read it"),
    ({"query": '("Stem Cells"[Mesh] AND lupus'}, 'is never closed. Add a'),
    ({"query": '"Stem Cells[Mesh]'}, "is never closed, so PubMed would read the rest"),
    ({"query": ""}, "Give a PubMed query to start from"),
])
def test_a_refused_claim_says_why_keeps_what_was_typed_and_changes_nothing(writable, fields, message):
    before = rows(writable.db_path, "SELECT count(*) AS n FROM claims")
    [statement] = rows(writable.db_path, "SELECT position FROM unclaimed_statements WHERE text = ?",
                       [TRANSFUSION])
    response = change(writable, BOON, {**NEW_CLAIM, **fields, "position": str(statement["position"])})
    assert response.status_code == 400
    assert message in response.text and "Not saved:" in response.text
    assert f'value="{fields.get("claim_id", NEW_CLAIM["claim_id"])}"' in response.text  # kept
    assert rows(writable.db_path, "SELECT count(*) AS n FROM claims") == before
    assert rows(writable.db_path, "SELECT * FROM claim_log") == []


def test_only_signed_in_reviewers_change_claims(writable):
    response = change(writable, BOON, NEW_CLAIM, name=None)
    assert response.status_code == 400 and "Sign in first" in response.text
    no_token = writable.post(f"/page/{BOON}/claims", NEW_CLAIM, writable.staff()[0])
    assert no_token.status_code == 403  # Datasette's CSRF protection
    assert rows(writable.db_path, "SELECT * FROM claim_log") == []


def test_a_statement_set_aside_is_no_longer_listed(writable):
    response = change(writable, THERAPY, {"action": "not-a-claim", "text": BIOGRAPHY,
                                         "note": "The author's biography"})
    assert response.status_code == 302
    assert BIOGRAPHY not in [s["text"] for s in rows(writable.db_path, "SELECT text FROM unclaimed_statements")]
    [decision] = rows(writable.db_path, "SELECT * FROM statement_decisions")
    assert (decision["reviewer"], decision["note"]) == ("alice", "The author's biography")
    again = change(writable, THERAPY, {"action": "not-a-claim", "text": BIOGRAPHY})
    assert again.status_code == 400 and "That statement is no longer listed" in again.text


def drift(site, page_id, old, new):
    """The page read again with ``old`` replaced: a new copy, claims checked anew."""
    database = open_db(site.db_path)
    text = rows(site.db_path, "SELECT text FROM page_snapshots WHERE page_id = ? ORDER BY id DESC "
                              "LIMIT 1", [page_id])[0]["text"]
    record_reading(database, page_id, now=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                   source="test", text=text.replace(old, new))
    refresh_page_findings(database)
    database.close()


def test_only_a_claim_that_left_the_page_is_archived_and_the_file_keeps_it_archived(writable):
    evidence = rows(writable.db_path, "SELECT * FROM claim_evidence WHERE claim_id = ?",
                    [CONTRADICTED_CLAIM])
    refused = change(writable, BOON, {"action": "archive", "claim_id": CONTRADICTED_CLAIM})
    assert refused.status_code == 400 and "still on its page word for word" in refused.text
    drift(writable, BOON, "1.5 million Americans", "5 million Americans")
    html = page_html(writable, f"/page/{BOON}", writable.staff()[0])
    assert "Changed on the page" in html and "5 million Americans" in html
    assert "Archive this claim" in html
    archived = change(writable, BOON, {"action": "archive", "claim_id": CONTRADICTED_CLAIM,
                                       "note": "The figure was corrected"})
    assert archived.status_code == 302
    [claim] = rows(writable.db_path, "SELECT * FROM claims WHERE id = ?", [CONTRADICTED_CLAIM])
    assert claim["archived_by"] == "alice" and claim["archived_at"]
    assert rows(writable.db_path, "SELECT * FROM claim_evidence WHERE claim_id = ?",
                [CONTRADICTED_CLAIM]) == evidence  # its evidence is kept
    # claims.yml still has it: loading the file leaves it archived and says to export
    database = open_db(writable.db_path)
    pages = read_pages(DEFAULT_PAGES)
    counts = load_site(database, pages, read_claims(DEFAULT_CLAIMS, pages))
    database.close()
    assert counts["not_exported"] == [CONTRADICTED_CLAIM]
    assert rows(writable.db_path, "SELECT archived_by FROM claims WHERE id = ?",
                [CONTRADICTED_CLAIM]) == [{"archived_by": "alice"}]


# ------------------------------------------------------------ back to claims.yml


def export(db_path, path):
    return CliRunner().invoke(main, ["claims", "--export", str(path), "--db", str(db_path)])


def test_export_of_unchanged_claims_rewrites_claims_yml_byte_for_byte(site_db, tmp_path):
    target = tmp_path / "claims.yml"
    target.write_text(DEFAULT_CLAIMS.read_text(encoding="utf-8"))
    result = export(site_db, target)
    assert result.exit_code == 0, result.output
    assert "wrote 46 claims" in result.output
    assert target.read_bytes() == DEFAULT_CLAIMS.read_bytes()


def test_export_writes_browser_changes_and_loading_the_file_takes_them_in(writable, tmp_path):
    change(writable, BOON, NEW_CLAIM)
    drift(writable, BOON, "1.5 million Americans", "5 million Americans")
    change(writable, BOON, {"action": "archive", "claim_id": CONTRADICTED_CLAIM})
    target = tmp_path / "claims.yml"
    target.write_text(DEFAULT_CLAIMS.read_text(encoding="utf-8"))
    assert export(writable.db_path, target).exit_code == 0
    claims = read_claims(target, read_pages(DEFAULT_PAGES))
    assert [c["id"] for c in claims][-1] == "stem-cell-transfusion"
    assert CONTRADICTED_CLAIM not in [c["id"] for c in claims] and len(claims) == 46
    assert claims[-1]["text"] == TRANSFUSION and claims[-1]["query"] == NEW_CLAIM["query"]
    assert target.read_text().startswith("# Claims on the clinic website")  # its introduction kept
    loaded = CliRunner().invoke(main, ["claims", str(target), "--db", str(writable.db_path)])
    assert loaded.exit_code == 0 and "not yet in" not in loaded.output
    assert rows(writable.db_path, "SELECT source FROM claims WHERE id = 'stem-cell-transfusion'") == [
        {"source": "file"}]


def test_export_needs_an_existing_database(tmp_path):
    result = export(tmp_path / "none.db", tmp_path / "claims.yml")
    assert result.exit_code == 2 and "There is no database" in result.output
    assert not (tmp_path / "claims.yml").exists()


def test_the_fetch_runs_the_query_of_a_claim_added_in_the_browser(eutils, tmp_path, monkeypatch):
    monkeypatch.setenv("NCBI_API_KEY", "test-key")
    path = tmp_path / "c.db"
    database = open_db(path)
    pages = read_pages(DEFAULT_PAGES)
    load_site(database, pages, [])
    watch_pages(database, pages, PageReader(), offline=True)
    database.execute("INSERT INTO claim_log (action, claim_id, page_id, text, query, reviewer, logged_at) "
                     "VALUES ('add', 'stem-cell-transfusion', ?, ?, 'synthetic transfusion', 'alice', "
                     "'2026-01-01T00:00:00+00:00')", [BOON, TRANSFUSION])
    database.conn.commit()
    database.close()
    eutils.add_articles([synthetic_article(99000700, edat=dt.date(2020, 1, 1))])
    eutils.set_query("synthetic transfusion", [99000700])
    (tmp_path / "s.yml").write_text("searches: []\n")
    (tmp_path / "c.yml").write_text("claims: []\n")
    result = CliRunner().invoke(main, ["fetch", "--db", str(path), "--searches", str(tmp_path / "s.yml"),
                                       "--claims", str(tmp_path / "c.yml")])
    assert result.exit_code == 0, result.output
    assert "claim-stem-cell-transfusion: ok (full)" in result.output
    assert rows(path, "SELECT pmid FROM claim_candidates") == [{"pmid": 99000700}]


# ------------------------------------------------------------ pictures and the report


def test_the_evidence_map_counts_studies_by_claim_design_and_stance(site):
    html = page_html(site, f"/page/{BOON}")
    figure = html[html.index('<figure class="evidence-map-figure">'):html.index("</figure>")]
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in figure and 'role="img"' in figure
    cell = (f'<a href="/demo/claim_evidence_detail?claim_id={CONTRADICTED_CLAIM}'
            '&amp;study_design=meta-analysis">')
    assert cell in figure
    assert "Claim 1, Meta-analysis or systematic review: 1 contradicts" in figure
    table = html[html.index('<details class="map-table">'):]
    assert "1 contradicts" in table.split("</tr>")[1]  # claim 1's row of the text equivalent


def test_the_map_draws_each_stance_in_its_colour_and_escapes_the_claims():
    drawn = evidence_map.page_map(
        [{"id": "a", "number": 1, "text": "<script>alert(1)</script> & more"}],
        {("a", "rct"): {"supports": 2, "mixed": 1}}, lambda claim, design: f"/x?{claim}&{design}")
    svg = str(drawn["svg"])
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert svg.count('class="stance-supports"') == 1 and svg.count('class="stance-mixed"') == 1
    assert 'href="/x?a&amp;rct"' in svg and ">2<" in svg and ">1<" in svg
    width = int(re.search(r'width="(\d+)"', svg).group(1))
    assert width <= 360  # fits a phone without scrolling sideways
    assert drawn["rows"][0]["cells"][1] == {"supports": 2, "mixed": 1}


def test_the_claim_page_shows_its_evidence_by_year(site):
    html = page_html(site, f"/claim/{CONTRADICTED_CLAIM}")
    section = html[html.index('<section class="evidence-by-year">'):]
    assert 'class="evidence-by-year"' in section and "<svg" in section
    assert "<th scope=\"row\">2021</th>" in section  # the CDC meta-analysis, in the table too
    assert "Evidence by year" not in page_html(site, "/claim/lupus-symptoms-fatigue-joint-pain")


def test_the_report_quotes_each_claim_with_its_status_evidence_flags_and_references(site):
    html = page_html(site, f"/page/{BOON}/report")
    words = text_of(html)
    assert words.startswith("Evidence report:")
    assert "Prepared" in words and "Page text as litref last read it on" in words
    assert "If you’re one of the 1.5 million Americans" in words
    assert "Contradicted. The best evidence in people goes against what the page says." in words
    number = re.search(r"Contradicts \[(\d+)\] Meta-analysis or systematic review; humans", words)
    assert number, words[:2000]
    references = html[html.index('<section class="references">'):]
    cdc = re.search(rf'<li value="{number.group(1)}">([^<]*)</li>', references).group(1)
    assert f"PMID: {CDC_META_ANALYSIS}" in cdc and "Arthritis Rheumatol" in cdc
    flagged = html[html.index('<section class="flagged">'):html.index('<section class="references">')]
    assert f"cited for claim {UNLINKED_CLAIM}" in flagged and "Retracted" in flagged
    assert "<nav" in html and "@media print" not in html  # the print rules live in report.css
