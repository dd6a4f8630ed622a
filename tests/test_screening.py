"""Screening and the reviewer's assessment, through Datasette's write path: a candidate
marked not relevant (and restored), a claim's candidates marked checked, and the
design and subjects a reviewer read outranking the automatic grade."""

import re

import pytest
import sqlite_utils

from tests.web_site import CONTRADICTED_CLAIM, card, copy_site

CANDIDATE = 28840094  # a candidate of the contradicted claim, not yet linked to it
SHOWN = {"claim_id": CONTRADICTED_CLAIM, "pmid": str(CANDIDATE)}
ASSESS = {**SHOWN, "study_design": "rct", "subjects": "animals", "detail": "Synthetic reading: mice"}


@pytest.fixture
def site(site_db, tmp_path):
    site = copy_site(site_db, tmp_path)
    yield site
    site.close()


def one(site, sql, params=()):
    found = list(sqlite_utils.Database(site.db_path).query(sql, params))
    return found[0] if found else None


def candidates(site, claim_id=CONTRADICTED_CLAIM):
    return [row["pmid"] for row in sqlite_utils.Database(site.db_path).query(
        "SELECT pmid FROM claim_candidates WHERE claim_id = ? ORDER BY rank", [claim_id])]


def status(site, claim_id):
    return one(site, "SELECT status FROM claim_status WHERE claim_id = ?", [claim_id])["status"]


def test_not_relevant_takes_a_candidate_out_and_restore_brings_it_back(site):
    assert CANDIDATE in candidates(site)
    result = site.curate("dismiss_candidate", {**SHOWN, "reason": "about drug harms, not prevalence"})
    assert result["ok"] is True, result
    assert CANDIDATE not in candidates(site)
    decision = one(site, "SELECT * FROM candidate_decisions")
    assert (decision["reviewer"], decision["reason"]) == ("alice", "about drug harms, not prevalence")
    page = site.get(f"/claim/{CONTRADICTED_CLAIM}", site.staff()[0]).text
    assert "Marked not relevant (1)" in page and "about drug harms, not prevalence" in page
    assert site.curate("restore_candidate", SHOWN, name="bob")["ok"] is True
    assert CANDIDATE in candidates(site)
    log = one(site, "SELECT * FROM curation_log WHERE action = 'restore'")
    assert (log["reviewer"], log["previous_note"], log["previous_reviewer"]) == (
        "bob", "about drug harms, not prevalence", "alice")


@pytest.mark.parametrize("query, fields, message", [
    ("dismiss_candidate", {**SHOWN, "claim_id": "no-such-claim", "reason": ""}, "Unknown claim id"),
    ("dismiss_candidate", {"claim_id": CONTRADICTED_CLAIM, "pmid": "33474834", "reason": ""},
     "remove the link before marking it not relevant"),
    ("restore_candidate", SHOWN, "nothing to restore"),
    ("assess_citation", {**ASSESS, "study_design": "proof"}, "Choose a study design"),
    ("assess_citation", {**ASSESS, "subjects": "aliens"}, "Choose the subjects"),
    ("assess_citation", {**SHOWN, "study_design": "", "subjects": "", "detail": ""},
     "Give the design, the subjects or a few words"),
    ("mark_claim_searched", {"claim_id": "no-such-claim", "note": ""}, "Unknown claim id"),
])
def test_screening_refuses_bad_requests_and_writes_nothing(site, query, fields, message):
    before = one(site, "SELECT count(*) AS n FROM curation_log")["n"]
    result = site.curate(query, fields)
    assert result["ok"] is False and message in result["message"]
    assert one(site, "SELECT count(*) AS n FROM curation_log")["n"] == before


def test_a_claim_checked_with_nothing_found_says_so_until_new_candidates_arrive(site):
    claim = one(site, "SELECT s.claim_id FROM claim_status s WHERE s.evidence = 0 AND EXISTS "
                      "(SELECT 1 FROM claim_candidates k WHERE k.claim_id = s.claim_id) LIMIT 1")["claim_id"]
    assert status(site, claim) == "unreviewed"
    assert site.curate("mark_claim_searched", {"claim_id": claim, "note": "checked all"})["ok"] is True
    assert status(site, claim) == "no-evidence-found"
    assert one(site, "SELECT * FROM claim_searches")["note"] == "checked all"
    with sqlite_utils.Database(site.db_path).conn as conn:  # a candidate found after the check
        conn.execute("UPDATE claim_matches SET found_at = '2999-01-01T00:00:00+00:00' WHERE pmid = "
                     "(SELECT pmid FROM claim_candidates WHERE claim_id = ? AND rank = 1) AND claim_id = ?",
                     [claim, claim])
    assert status(site, claim) == "unreviewed"


def test_the_reviewers_assessment_outranks_the_automatic_grade(site):
    automatic = one(site, "SELECT study_design, subjects FROM citations WHERE pmid = ?", [CANDIDATE])
    assert site.curate("assess_citation", ASSESS)["ok"] is True
    grade = one(site, "SELECT * FROM citation_grades WHERE pmid = ?", [CANDIDATE])
    assert (grade["study_design"], grade["subjects"], grade["design_source"]) == ("rct", "animals", "reviewer")
    assert (grade["assessed_by"], grade["design_words"]) == ("alice", "Synthetic reading: mice")
    assert one(site, "SELECT study_design, subjects FROM citations WHERE pmid = ?", [CANDIDATE]) == automatic
    # A later assessment that leaves a field empty keeps it.
    assert site.curate("assess_citation", {**ASSESS, "study_design": "", "subjects": "humans",
                                           "detail": ""}, name="bob")["ok"] is True
    grade = one(site, "SELECT * FROM citation_grades WHERE pmid = ?", [CANDIDATE])
    assert (grade["study_design"], grade["subjects"], grade["assessed_by"]) == ("rct", "humans", "bob")
    log = one(site, "SELECT * FROM curation_log WHERE action = 'assess' AND reviewer = 'bob'")
    assert (log["previous_design"], log["previous_subjects"]) == ("rct", "animals")


def test_an_assessment_given_while_linking_decides_the_claims_status(site):
    claim = one(site, "SELECT claim_id FROM claim_status WHERE evidence = 0 LIMIT 1")["claim_id"]
    link = {"claim_id": claim, "pmid": str(CANDIDATE), "stance": "supports", "note": ""}
    assert site.curate("link_citation", {**link, "study_design": "", "subjects": ""})["ok"] is True
    assert status(site, claim) == "weakly-supported"  # the sample reviewer read a narrative review
    assert site.curate("remove_link", {"claim_id": claim, "pmid": str(CANDIDATE)})["ok"] is True
    assert site.curate("link_citation", {**link, "study_design": "rct", "subjects": "humans"})["ok"] is True
    row = one(site, "SELECT * FROM claim_evidence_detail WHERE claim_id = ? AND pmid = ?", [claim, CANDIDATE])
    assert (row["study_design"], row["subjects"], row["is_strong_human"]) == ("rct", "humans", 1)
    assert status(site, claim) == "supported"


def test_the_claim_page_explains_each_candidate_and_offers_the_decisions(site):
    cookies, _ = site.staff()
    html = site.get(f"/claim/{CONTRADICTED_CLAIM}", cookies).text
    candidate = card(html, f"candidate-{CANDIDATE}")
    assert "Found because it matches" in candidate and "of the claim&#39;s query" in candidate
    assert "/dismiss_candidate?" in candidate and 'name="study_design"' in candidate
    assert "Mark the candidates checked" in html


def test_the_review_queue_lists_undecided_candidates_worst_claims_first(site):
    cookies, _ = site.staff()
    html = site.get("/review", cookies).text
    sections = html.split('class="queue-claim"')[1:]
    assert sections, "the demo has undecided candidates"
    order = [section.split('status-', 1)[1].split('"', 1)[0] for section in sections]
    from litref.evidence.vocabularies.statuses import CODES
    assert order == sorted(order, key=CODES.index)
    assert 'name="stance" value="supports"' in html and "/dismiss_candidate?" in html
    assert "back=review" in html


def test_a_checked_claim_leaves_the_review_queue(site):
    html = site.get("/review", site.staff()[0]).text
    first = html.split('id="queue-', 1)[1].split('"', 1)[0]
    assert site.curate("mark_claim_searched", {"claim_id": first, "note": ""})["ok"] is True
    assert f'id="queue-{first}"' not in site.get("/review", site.staff()[0]).text


def test_without_javascript_a_queue_decision_lands_back_on_the_queue(site):
    cookies, token = site.staff()
    response = site.post(f"/demo/dismiss_candidate?claim_id={CONTRADICTED_CLAIM}&back=review",
                         {**SHOWN, "reason": "", "csrftoken": token}, cookies)
    assert response.status_code == 302
    assert site.get(response.headers["location"], cookies).headers["location"] == "/review"


def test_a_claims_candidates_come_a_page_at_a_time_in_rank_order(site):
    store = sqlite_utils.Database(site.db_path)
    template = next(store.query("SELECT * FROM citations WHERE pmid = ?", [CANDIDATE]))
    store["citations"].insert_all(
        {**template, "pmid": 99200000 + n, "title": f"Synthetic candidate {n}", "doi": None, "pmcid": None}
        for n in range(30))
    store["claim_matches"].insert_all(
        {"claim_id": CONTRADICTED_CLAIM, "pmid": 99200000 + n, "parts": 1, "parts_in_title": 0,
         "found_by": "test", "found_at": "2026-01-01T00:00:00+00:00"} for n in range(30))
    ranked = candidates(site)
    pages = [site.get(f"/claim/{CONTRADICTED_CLAIM}?candidates={n}").text for n in (1, 2)]
    shown = [[int(p) for p in re.findall(r'id="candidate-(\d+)"', page)] for page in pages]
    assert shown == [ranked[:25], ranked[25:]]
    assert 'rel="next"' in pages[0] and 'rel="next"' not in pages[1]
    assert f"Candidates 26–{len(ranked)}" in pages[1]
