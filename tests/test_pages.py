"""The staff pages (home, claim, citation) on the demo database, and that nothing
stored in a record can run as markup in a browser."""

import re

import pytest
import sqlite_utils

from tests.web_site import (
    text_of,
    ATTACK_PMID, CDC_META_ANALYSIS, CONTRADICTED_CLAIM, UNLINKED_CLAIM, card, copy_site,
)
from litref.evidence.vocabularies import statuses
from litref.web import pages


def page(site, path):
    """A page that must exist: its HTML and its visible words."""
    response = site.get(path)
    assert response.status_code == 200, path
    return response.text, text_of(response.text)


# Home page


def test_home_page_counts_claims_by_status_worst_first_with_links(site, site_db):
    counts = dict(sqlite_utils.Database(site_db).execute(
        "SELECT status, count(*) FROM claim_status GROUP BY status").fetchall())
    assert counts["contradicted"] == 2 and counts["cites-flagged-paper"] == 1
    html = site.get("/").text
    positions = []
    for status in statuses.STATUSES:
        link = f'href="/claims?status={status["code"]}"'
        assert link in html, status["code"]
        status_card = html[html.index(link):]
        count = int(re.search(r'<span class="count">(\d+)</span>', status_card).group(1))
        assert count == counts.get(status["code"], 0), status["code"]
        positions.append(html.index(link))
    assert positions == sorted(positions)  # cites-flagged-paper ... supported
    assert "How is our website doing?" in html
    for staff_page in ("/claims", "/search", "/changes", "/fetches"):
        assert f'href="{staff_page}"' in html
    assert 'href="/demo"' in html  # the raw database
    assert 'href="/litref/litref.css' in html


# Claim page


def test_claim_page_shows_the_claim_its_status_and_evidence_by_stance(site):
    html, words = page(site, f"/claim/{CONTRADICTED_CLAIM}")
    assert "If you’re one of the 1.5 million Americans suffering from the autoimmune" in words
    assert "Stem Cell Therapy: Why It's a Boon for Patients Suffering from Lupus" in words
    assert '<span class="badge status status-contradicted">Contradicted</span>' in html
    group = html[html.index("stance-group-contradicts"):]
    evidence_card = card(group, f"evidence-{CDC_META_ANALYSIS}")
    assert "Prevalence of Systemic Lupus Erythematosus in the United States" in evidence_card
    assert "Meta-analysis or systematic review</span>" in evidence_card
    assert ">Humans</span>" in evidence_card
    assert "Arthritis &amp; Rheumatology</cite> 2021" in evidence_card
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/33474834/"' in evidence_card
    assert 'href="https://doi.org/10.1002/art.41632"' in evidence_card
    assert 'href="https://www.ncbi.nlm.nih.gov/pmc/articles/PMC8169527/"' in evidence_card
    assert f'href="/citation/{CDC_META_ANALYSIS}"' in evidence_card
    assert "far below the often quoted 1.5 million" in evidence_card  # the curator's note
    assert "stance-group-supports" not in html  # no empty groups


def test_claim_page_links_exports_and_feed_of_its_evidence(site):
    html = site.get(f"/claim/{CONTRADICTED_CLAIM}").text
    for extension in ("bib", "ris", "csljson", "vancouver"):
        assert f'href="/demo/evidence_for_claim.{extension}?claim_id={CONTRADICTED_CLAIM}"' in html
    assert f'href="/demo/feed_claim.atom?claim_id={CONTRADICTED_CLAIM}"' in html


def test_claim_page_lists_unreviewed_candidates(site, site_db):
    expected = [row[0] for row in sqlite_utils.Database(site_db).execute(
        "SELECT pmid FROM claim_candidates WHERE claim_id = ? LIMIT 25", [CONTRADICTED_CLAIM])]
    assert expected  # the sample has candidates for this claim
    html = site.get(f"/claim/{CONTRADICTED_CLAIM}").text
    candidates = html[html.index('id="candidates"'):html.index('id="history"')]
    assert re.findall(r'id="candidate-(\d+)"', candidates) == [str(p) for p in expected]


def test_claim_page_links_clinical_trial_registrations(site):
    html = site.get("/claim/stem-cell-therapy-stops-organ-damage").text
    assert 'href="https://clinicaltrials.gov/study/NCT01539902"' in html


def test_claim_citing_a_retracted_paper_is_flagged_with_a_warning(site):
    html = site.get(f"/claim/{UNLINKED_CLAIM}").text
    assert "status-cites-flagged-paper" in html
    evidence_card = card(html, "evidence-99000010")
    assert "Retracted: this article must not be used as evidence." in evidence_card


def test_unknown_claim_is_a_404_that_says_what_to_do(site):
    response = site.get("/claim/no-such-claim")
    assert response.status_code == 404
    assert "There is no claim with id “no-such-claim”" in response.text


# Citation page


def test_citation_page_shows_the_record_and_the_claims_it_bears_on(site):
    html, words = page(site, f"/citation/{CDC_META_ANALYSIS}")
    assert "<h1 class=\"citation-heading\">Prevalence of Systemic Lupus Erythematosus" in html
    assert "<cite>Arthritis &amp; Rheumatology</cite>, 2021; 73(6): 991-996." in html
    assert "Izmirly" in words and "Somers" in words
    assert "Meta-Analysis" in words  # publication type
    assert "Meta-analysis or systematic review</span>" in html
    assert 'href="https://doi.org/10.1002/art.41632"' in html
    claim = html[html.index(f'href="/claim/{CONTRADICTED_CLAIM}"') - 200:]
    assert "stance-contradicts" in claim[:300]
    assert "1.5 million Americans" in claim


def test_citation_page_warns_of_retraction_and_links_the_notice(site):
    html = site.get("/citation/99000010").text
    assert "Retracted: this article must not be used as evidence." in html
    assert 'Retraction notice:\n    <a href="/citation/99000011">PMID 99000011</a>' in html
    assert 'href="/claim/lupus-damages-organs-over-time"' in html


def test_citation_page_warns_of_expression_of_concern_and_erratum(site):
    assert "Expression of concern: the journal" in site.get("/citation/99000014").text
    erratum = site.get("/citation/99000012").text
    assert "Erratum: a correction was published" in erratum
    assert "Erratum (correction):" in erratum and 'href="/citation/99000013"' in erratum


def test_citation_page_shows_affiliations_mesh_majors_and_trials(site):
    authors = site.get("/citation/99000007").text
    assert "Department of Synthetic Records, Example Test University" in authors
    assert 'href="https://orcid.org/0000-0002-1825-0097"' in authors
    mesh = text_of(site.get("/citation/99000017").text)
    assert "Lupus Erythematosus, Systemic / immunology / therapy*" in mesh
    assert "Mesenchymal Stem Cells*" in mesh
    trials = site.get("/citation/99000016").text
    assert 'href="https://clinicaltrials.gov/study/NCT99000016"' in trials
    assert 'href="https://clinicaltrials.gov/study/NCT99000017"' in trials


def test_citation_page_keeps_inline_markup_of_titles_and_abstracts(site):
    html = site.get("/citation/99000002").text
    assert "p<sub>trend</sub> &lt;0.01 in <i>ex vivo</i> cells" in html
    structured = site.get("/citation/99000001").text
    assert "<p><b>BACKGROUND:</b> This synthetic record exists to test structured abstracts.</p>" \
        in structured


@pytest.mark.parametrize("path", ["/citation/12345", "/citation/not-a-number", "/citation/" + "9" * 19,
                                  "/citation/" + "1" * 40])
def test_unknown_citation_is_a_404_that_says_what_to_do(site, path):
    response = site.get(path)
    assert response.status_code == 404
    assert "is not in this database" in response.text


# Links from any table or query to the staff pages


def test_pmid_and_claim_id_cells_link_to_the_staff_pages(site):
    evidence = site.get(f"/demo/claim_evidence?claim_id={CONTRADICTED_CLAIM}").text
    assert f'<a href="/claim/{CONTRADICTED_CLAIM}">{CONTRADICTED_CLAIM}</a>' in evidence
    assert f'<a href="/citation/{CDC_META_ANALYSIS}">{CDC_META_ANALYSIS}</a>' in evidence
    authors = site.get(f"/demo/citation_authors?pmid={CDC_META_ANALYSIS}").text  # foreign key
    assert f'<a href="/citation/{CDC_META_ANALYSIS}">{CDC_META_ANALYSIS}</a>' in authors
    query = site.get("/demo/claim_status?status=contradicted").text  # a view
    assert f'<a href="/claim/{CONTRADICTED_CLAIM}">' in query


def test_raw_rows_of_citations_and_claims_point_to_their_staff_pages(site):
    assert 'href="/citation/33474834"' in site.get("/demo/citations/33474834").text
    assert f'href="/claim/{CONTRADICTED_CLAIM}"' in site.get(f"/demo/claims/{CONTRADICTED_CLAIM}").text


# Nothing in a record runs in the browser


def assert_inert(html):
    assert "<script>alert" not in html
    assert "<img src=x" not in html and "<img src=\"x\"" not in html
    assert "onerror=alert(1)>" not in html.replace("&lt;img src=x onerror=alert(1)&gt;", "")


def test_markup_in_an_imported_record_is_inert_on_every_page(site):
    citation = site.get(f"/citation/{ATTACK_PMID}").text
    assert "Synthetic record &lt;script&gt;alert(1)&lt;/script&gt;" in citation
    assert "<i>italics</i>" in citation  # allowed markup still renders
    for html in (
        citation,
        site.get(f"/claim/{UNLINKED_CLAIM}").text,
        site.get(f"/demo/citations?pmid={ATTACK_PMID}").text,
        site.get(f"/demo/citations/{ATTACK_PMID}").text,
        site.get(f"/demo/citation_authors?pmid={ATTACK_PMID}").text,
        site.get(f"/demo/claim_evidence_detail?pmid={ATTACK_PMID}").text,
    ):
        assert_inert(html)


def test_raw_html_written_into_a_row_is_never_rendered(site_db, tmp_path):
    site = copy_site(site_db, tmp_path)
    database = sqlite_utils.Database(site.db_path)
    with database.conn:
        database.execute(
            "UPDATE citations SET title_html = ?, abstract_html = ? WHERE pmid = ?",
            ["Synthetic <script>alert(1)</script><b onclick=\"alert(1)\">x</b>",
             "<p><img src=\"x\" onerror=\"alert(1)\"/>Synthetic</p>", ATTACK_PMID],
        )
        database.execute("UPDATE claims SET text = ? WHERE id = ?",
                         ["Synthetic claim <script>alert(1)</script>", UNLINKED_CLAIM])
    citation = site.get(f"/citation/{ATTACK_PMID}").text
    claim = site.get(f"/claim/{UNLINKED_CLAIM}").text
    site.close()
    for html in (citation, claim):
        assert_inert(html)
        assert "onclick" not in html
    # Allowed tags keep their text but lose attributes; others keep only their text.
    assert '<h1 class="citation-heading">Synthetic alert(1)<b>x</b></h1>' in citation
    assert "Synthetic claim &lt;script&gt;alert(1)&lt;/script&gt;" in claim


def test_safe_markup_falls_back_to_escaped_text_when_stored_html_is_broken():
    assert str(pages.safe_markup("<img src=x onerror=alert(1)>", "Plain <text>")) \
        == "Plain &lt;text&gt;"
    assert str(pages.safe_markup(None, None)) == ""


def test_readable_times():
    assert pages.readable_time("2026-11-21T16:22:46+00:00") == "21 Nov 2026, 16:22 UTC"
    assert pages.readable_time("2026-11-21T17:22:46+01:00") == "21 Nov 2026, 16:22 UTC"
    assert pages.readable_time("not a time") == "not a time"
