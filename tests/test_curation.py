"""Curation in the browser: who may write, CSRF, what is refused (writing nothing),
what a change records, and signing in with a password hash from the environment."""

import html
import os
import re
import sqlite3

import pytest
import sqlite_utils
from datasette_auth_passwords.utils import hash_password

from litref.db.curation import missing_curated_pmids
from tests.web_site import (
    ATTACK, CDC_META_ANALYSIS, CONTRADICTED_CLAIM, UNLINKED_CLAIM, card,
    copy_site,
)
from litref.web import app
from litref.web.pages import BUSY_MESSAGE
from litref.web.signin import HASH_VARIABLE_PREFIX, accounts

CANDIDATE = 28840094  # a candidate of the contradicted claim, not yet linked to it
# As the claim page's form sends it: the design and subjects the reviewer read are optional.
LINK = {"claim_id": CONTRADICTED_CLAIM, "pmid": str(CANDIDATE), "stance": "context",
        "note": "Background on transplantation", "study_design": "", "subjects": ""}


@pytest.fixture
def site(site_db, tmp_path):
    site = copy_site(site_db, tmp_path)
    yield site
    site.close()


def curation_state(site):
    database = sqlite_utils.Database(site.db_path)
    return (
        database.execute("SELECT * FROM claim_evidence ORDER BY claim_id, pmid").fetchall(),
        database.execute("SELECT * FROM curation_log ORDER BY id").fetchall(),
    )


def evidence(site, claim_id, pmid):
    rows = list(sqlite_utils.Database(site.db_path).query(
        "SELECT * FROM claim_evidence WHERE claim_id = ? AND pmid = ?", [claim_id, pmid]))
    return rows[0] if rows else None


# Who may do what


def test_anonymous_visitors_read_pages_but_see_no_forms(site, monkeypatch):
    monkeypatch.setenv(HASH_VARIABLE_PREFIX + "ALICE", "pbkdf2_sha256$480000$salt$SyntheticHash")
    html = site.get(f"/claim/{CONTRADICTED_CLAIM}").text
    assert "data-curate" not in html and "csrftoken" not in html
    assert (f'href="/-/login?next=%2Fclaim%2F{CONTRADICTED_CLAIM}">sign in</a> to link, change or '
            "remove evidence") in html


def test_signed_in_staff_see_the_curation_forms(site):
    cookies, token = site.staff()
    html = site.get(f"/claim/{CONTRADICTED_CLAIM}", cookies).text
    candidate = card(html, f"candidate-{CANDIDATE}")
    assert f'action="/demo/link_citation?claim_id={CONTRADICTED_CLAIM}"' in candidate
    assert f'name="pmid" value="{CANDIDATE}"' in candidate
    evidence_card = card(html, f"evidence-{CDC_META_ANALYSIS}")
    assert "/demo/change_stance?" in evidence_card and "/demo/remove_link?" in evidence_card
    # One click per stance; the current one is pressed, and the note goes along unchanged.
    assert 'value="contradicts" class="stance-contradicts"\n      aria-pressed="true" disabled' in evidence_card
    assert 'name="stance" value="supports" class="stance-supports"\n      aria-pressed="false"' in evidence_card
    hidden_note = evidence_card[evidence_card.index('<input type="hidden" name="note" value="'):]
    assert "the often quoted 1.5 million" in hidden_note.split(">")[0]
    assert '<textarea name="note" rows="4">' in evidence_card  # the note's own form
    assert "Yes, remove the link" in evidence_card
    assert 'id="link-any"' in html
    assert '<script src="/litref/curation.js" defer></script>' in html


def test_anonymous_post_is_refused_and_writes_nothing(site):
    before = curation_state(site)
    response = site.post("/demo/link_citation", LINK)
    assert response.status_code == 403
    assert curation_state(site) == before


def test_anonymous_cannot_see_the_write_queries_or_run_sql(site):
    assert site.get("/demo/link_citation").status_code == 403
    assert site.get("/demo?sql=select+1").status_code == 403
    assert "link_citation" not in site.get("/demo").text


def test_staff_may_run_read_only_sql(site):
    cookies, _ = site.staff()
    response = site.get("/demo.json?sql=select+count(*)+as+n+from+claims&_shape=array", cookies)
    assert response.status_code == 200
    assert response.json() == [{"n": 46}]


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_post_without_a_valid_csrf_token_is_refused(site, token):
    cookies, _ = site.staff()
    before = curation_state(site)
    data = {**LINK, "_json": "1"} | ({"csrftoken": token} if token else {})
    response = site.post("/demo/link_citation", data, cookies)
    assert response.status_code == 403
    assert "did not match cookie" in response.text  # asgi-csrf, inside Datasette
    assert curation_state(site) == before


# Changes that work, and what they record


def test_linking_a_candidate_records_the_signed_in_reviewer_and_the_time(site):
    result = site.curate("link_citation", LINK)
    assert result["ok"] is True and result["message"].startswith("Linked")
    row = evidence(site, CONTRADICTED_CLAIM, CANDIDATE)
    assert row["stance"] == "context" and row["note"] == "Background on transplantation"
    assert row["reviewer"] == "alice" and row["is_sample"] == 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", row["reviewed_at"])
    html = site.get(f"/claim/{CONTRADICTED_CLAIM}").text
    group = html[html.index("stance-group-context"):]
    assert f'id="evidence-{CANDIDATE}"' in group
    assert f'id="candidate-{CANDIDATE}"' not in html  # no longer a candidate
    assert "<strong>alice</strong>\n    linked" in html  # the history


def test_a_typed_pmid_with_spaces_and_a_capitalised_stance_is_accepted(site):
    result = site.curate("link_citation", {**LINK, "pmid": f" {CANDIDATE} ", "stance": "Supports"})
    assert result["ok"] is True
    assert evidence(site, CONTRADICTED_CLAIM, CANDIDATE)["stance"] == "supports"


def test_changing_a_stance_keeps_the_previous_judgement_in_the_history(site):
    old = evidence(site, CONTRADICTED_CLAIM, CDC_META_ANALYSIS)
    result = site.curate("change_stance", {"claim_id": CONTRADICTED_CLAIM,
                                           "pmid": str(CDC_META_ANALYSIS),
                                           "stance": "mixed", "note": "Re-read"}, name="bob")
    assert result["ok"] is True
    row = evidence(site, CONTRADICTED_CLAIM, CDC_META_ANALYSIS)
    assert (row["stance"], row["note"], row["reviewer"], row["is_sample"]) == ("mixed", "Re-read", "bob", 0)
    log = list(sqlite_utils.Database(site.db_path)["curation_log"].rows)[-1]
    assert (log["action"], log["previous_stance"], log["previous_note"]) == \
        ("change", "contradicts", old["note"])


def test_removing_a_link_keeps_what_it_said_in_the_history(site):
    old = evidence(site, CONTRADICTED_CLAIM, CDC_META_ANALYSIS)
    result = site.curate("remove_link", {"claim_id": CONTRADICTED_CLAIM,
                                         "pmid": str(CDC_META_ANALYSIS)})
    assert result["ok"] is True
    assert evidence(site, CONTRADICTED_CLAIM, CDC_META_ANALYSIS) is None
    log = list(sqlite_utils.Database(site.db_path)["curation_log"].rows)[-1]
    assert (log["action"], log["previous_stance"], log["previous_note"], log["reviewer"]) == \
        ("remove", "contradicts", old["note"], "alice")
    history = site.get(f"/claim/{CONTRADICTED_CLAIM}").text.split('id="history"')[1]
    assert "removed" in history and f"PMID {CDC_META_ANALYSIS}" in history


def test_a_note_with_markup_is_stored_as_typed_and_shown_inert(site):
    assert site.curate("link_citation", {**LINK, "note": ATTACK})["ok"] is True
    assert evidence(site, CONTRADICTED_CLAIM, CANDIDATE)["note"] == ATTACK
    html = site.get(f"/claim/{CONTRADICTED_CLAIM}").text
    assert "<script>alert" not in html and "<img src=x" not in html


def test_without_javascript_a_form_lands_back_on_the_claim_page_with_its_message(site):
    cookies, token = site.staff()
    response = site.post(f"/demo/link_citation?claim_id={CONTRADICTED_CLAIM}",
                         {**LINK, "csrftoken": token}, cookies)
    assert response.status_code == 302
    assert response.headers["location"] == f"/claim?claim_id={CONTRADICTED_CLAIM}"
    messages = {"ds_messages": response.cookies["ds_messages"]}
    back = site.get(response.headers["location"], {**cookies, **messages})
    assert back.headers["location"] == f"/claim/{CONTRADICTED_CLAIM}"
    page = site.get(back.headers["location"], {**cookies, **messages}).text
    assert "Linked: the article now shows under its stance." in page
    assert evidence(site, CONTRADICTED_CLAIM, CANDIDATE)["reviewer"] == "alice"


# Refusals: a clear message, nothing written


REFUSALS = [
    ("link_citation", {**LINK, "claim_id": "no-such-claim"}, "Unknown claim id"),
    ("link_citation", {**LINK, "pmid": "12345"}, "That PMID is not in the database"),
    ("link_citation", {**LINK, "pmid": "12345abc"}, "That PMID is not in the database"),
    ("link_citation", {**LINK, "pmid": ""}, "That PMID is not in the database"),
    ("link_citation", {**LINK, "stance": "agrees"}, "Choose a stance"),
    ("link_citation", {**LINK, "stance": ""}, "Choose a stance"),
    ("link_citation", {**LINK, "pmid": str(CDC_META_ANALYSIS)}, "already linked"),
    ("change_stance", {**LINK, "stance": "supports"}, "not linked to this claim"),
    ("change_stance", {**LINK, "pmid": str(CDC_META_ANALYSIS), "stance": "maybe"},
     "Choose a stance"),
    ("change_stance", {**LINK, "claim_id": "no-such-claim"}, "Unknown claim id"),
    ("remove_link", {"claim_id": CONTRADICTED_CLAIM, "pmid": str(CANDIDATE)},
     "not linked to this claim"),
    ("remove_link", {"claim_id": UNLINKED_CLAIM, "pmid": "99999999"},
     "That PMID is not in the database"),
]


@pytest.mark.parametrize("query, fields, message", REFUSALS)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_written(site, query, fields, message):
    before = curation_state(site)
    result = site.curate(query, fields)
    assert result["ok"] is False
    assert message in result["message"]
    assert curation_state(site) == before


def test_an_archived_claim_keeps_its_evidence_and_takes_no_changes(site):
    database = sqlite_utils.Database(site.db_path)
    with database.conn:
        database.execute("UPDATE claims SET archived_at = '2026-01-01T00:00:00+00:00' WHERE id = ?",
                         [CONTRADICTED_CLAIM])
    before = curation_state(site)
    cookies, _ = site.staff()
    html = site.get(f"/claim/{CONTRADICTED_CLAIM}", cookies).text
    assert "This claim was removed from claims.yml on 1 Jan 2026" in html
    assert f'id="evidence-{CDC_META_ANALYSIS}"' in html and "data-curate" not in html
    result = site.curate("change_stance", {**LINK, "pmid": str(CDC_META_ANALYSIS)})
    assert result["ok"] is False and "Unknown claim id" in result["message"]
    assert curation_state(site) == before


def test_a_refusal_without_javascript_shows_its_message_on_the_claim_page(site):
    cookies, token = site.staff()
    response = site.post(f"/demo/link_citation?claim_id={CONTRADICTED_CLAIM}",
                         {**LINK, "pmid": "12345", "csrftoken": token}, cookies)
    assert response.headers["location"] == f"/claim?claim_id={CONTRADICTED_CLAIM}"
    messages = {"ds_messages": response.cookies["ds_messages"]}
    page = site.get(f"/claim/{CONTRADICTED_CLAIM}", {**cookies, **messages}).text
    assert '<p class="message-error">That PMID is not in the database' in page


def test_a_write_that_finds_the_database_busy_says_so_in_words_on_any_page(
        site_db, tmp_path, monkeypatch):
    """Another program holding the write lock past the staff's wait: nothing saved, and
    the page says why in plain words, not SQLite's "database is locked"."""
    monkeypatch.setattr(app, "STAFF_WRITE_WAIT_MS", 100)
    busy_site = copy_site(site_db, tmp_path)
    cookies, token = busy_site.staff()
    before = curation_state(busy_site)
    holder = sqlite3.connect(busy_site.db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        response = busy_site.post(f"/demo/link_citation?claim_id={CONTRADICTED_CLAIM}",
                                  {**LINK, "csrftoken": token}, cookies)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    messages = {"ds_messages": response.cookies["ds_messages"]}
    for path in (f"/claim/{CONTRADICTED_CLAIM}", "/review"):
        page = busy_site.get(path, {**cookies, **messages}).text
        assert f'<p class="message-error">{html.escape(BUSY_MESSAGE, quote=True)}' in page, path
        assert "database is locked" not in page
    assert curation_state(busy_site) == before
    busy_site.close()


def test_scripts_and_the_loader_may_still_link_pmids_not_yet_fetched(site):
    """Only the browser insists on a stored citation: a PMID typed into curation
    files is kept and fetched by the next run."""
    database = sqlite_utils.Database(site.db_path)
    with database.conn:
        database.execute(
            "INSERT INTO claim_evidence (claim_id, pmid, stance, reviewer, reviewed_at) "
            "VALUES (?, 12345, 'supports', 'script', '2026-01-01T00:00:00+00:00')",
            [CONTRADICTED_CLAIM])
    assert missing_curated_pmids(database) == [12345]


# Signing in


def test_accounts_come_from_environment_variables_only():
    environ = {HASH_VARIABLE_PREFIX + "ALICE": "pbkdf2_sha256$1$a$b", HASH_VARIABLE_PREFIX: "x",
               HASH_VARIABLE_PREFIX + "BOB": " ", "LITREF_DB": "x.db"}
    assert accounts(environ) == {"alice": "pbkdf2_sha256$1$a$b"}


def test_password_hashes_are_never_shown(site, monkeypatch):
    monkeypatch.setenv(HASH_VARIABLE_PREFIX + "ALICE", "pbkdf2_sha256$480000$salt$SyntheticHash")
    for path in ("/-/metadata.json", "/-/metadata", "/-/plugins.json", "/-/login"):
        assert "SyntheticHash" not in site.get(path).text, path


def test_staff_sign_in_with_the_password_whose_hash_is_in_the_environment(site, monkeypatch):
    monkeypatch.setenv("LITREF_PASSWORD_HASH_ALICE", hash_password("correct horse battery"))
    login = site.get("/-/login")
    token = re.search(r'name="csrftoken" value="([^"]+)"', login.text).group(1)
    cookies = {"ds_csrftoken": token}

    wrong = site.post("/-/login", {"username": "alice", "password": "wrong", "csrftoken": token},
                      cookies)
    assert "Wrong user name or password." in wrong.text and "ds_actor" not in wrong.cookies

    signed_in = site.post("/-/login", {"username": "alice", "password": "correct horse battery",
                                       "csrftoken": token}, cookies)
    assert signed_in.status_code == 302
    actor = site.get("/-/actor.json", {"ds_actor": signed_in.cookies["ds_actor"]}).json()
    assert actor == {"actor": {"id": "alice"}}


def test_without_accounts_in_the_environment_nobody_can_sign_in(site, monkeypatch):
    for variable in [v for v in os.environ if v.startswith(HASH_VARIABLE_PREFIX)]:
        monkeypatch.delenv(variable)
    assert "No staff account is set up yet, so nobody can sign in." in site.get("/-/login").text
