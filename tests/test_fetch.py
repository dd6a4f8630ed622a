"""``litref fetch`` through real Bio.Entrez over HTTP to the local E-utilities server."""

import dataclasses
import datetime as dt
import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from litref.fetch import harvest
from tests.eutils_server import synthetic_article
from tests.helpers import (
    ARTICLES, PMIDS, QUERY, assert_intact, fetch, last_run, rows, table_search_count_plan, write_searches,
)

def test_fetch_stores_records_hits_and_run(server, paths):
    result = fetch(paths)
    assert result.exit_code == 0, result.output
    assert "msc-sle: ok (full)" in result.output
    stored = rows(paths["db"], "SELECT pmid, title, source FROM citations ORDER BY pmid")
    assert [r["pmid"] for r in stored] == PMIDS
    assert stored[0]["source"] == "search:msc-sle"
    hits = rows(paths["db"], "SELECT pmid FROM search_hits WHERE search = 'msc-sle' ORDER BY pmid")
    assert [h["pmid"] for h in hits] == PMIDS
    run = last_run(paths)
    assert (run["status"], run["mode"], run["count_reported"], run["ids_retrieved"], run["new"]) == (
        "ok", "full", 7, 7, 7,
    )
    assert run["query_translation"]


def test_every_request_identifies_litref(server, paths):
    fetch(paths)
    assert server.requests
    for request in server.requests:
        params = request["params"]
        assert (params["tool"], params["email"], params["api_key"]) == (
            "litref", "tests@example.org", "test-key",
        )
    assert server.requests[0]["params"]["usehistory"] == "y"


def test_search_over_9999_results_is_fetched_whole(server, paths, monkeypatch):
    monkeypatch.setattr(harvest, "BATCH_SIZE", 2500)
    many = [
        synthetic_article(99100000 + n, edat=dt.date(2001, 1, 1) + dt.timedelta(days=n // 4))
        for n in range(10_500)
    ]
    server.add_articles(many)
    server.set_query(QUERY, [a.pmid for a in many])
    result = fetch(paths)
    assert result.exit_code == 0, result.output
    assert rows(paths["db"], "SELECT count(*) AS n FROM citations") == [{"n": 10_500}]
    run = last_run(paths)
    assert (run["count_reported"], run["ids_retrieved"], run["missing"]) == (10_500, 10_500, 0)
    windows = [r for r in server.requests if r["params"].get("datetype") == "edat"]
    assert len(windows) >= 2  # it had to split by entrez date


def test_nightly_run_with_nothing_new_makes_one_request(server, paths):
    fetch(paths)
    before = len(server.requests)
    result = fetch(paths)
    assert result.exit_code == 0, result.output
    assert len(server.requests) == before + 1
    term = server.requests[-1]["params"]["term"]
    since = (dt.date.today() - harvest.OVERLAP).strftime("%Y/%m/%d")
    assert term == f'({QUERY}) AND ("{since}"[EDAT] : "3000"[EDAT] OR "{since}"[MDAT] : "3000"[MDAT])'
    assert last_run(paths)["mode"] == "incremental"


def test_incremental_run_picks_up_a_retraction(server, paths):
    fetch(paths)
    pmid = PMIDS[2]
    retracted = ARTICLES[2].xml.replace(
        "</PublicationTypeList>",
        '<PublicationType UI="D016441">Retracted Publication</PublicationType></PublicationTypeList>',
    )
    server.modify(pmid, dt.date.today(), xml=retracted)
    result = fetch(paths)
    assert result.exit_code == 0, result.output
    assert rows(paths["db"], "SELECT is_retracted FROM citations WHERE pmid = ?", [pmid]) == [{"is_retracted": 1}]
    run = last_run(paths)
    assert (run["mode"], run["ids_retrieved"], run["new"], run["updated"]) == ("incremental", 1, 0, 1)


def test_full_and_since_and_changed_query(server, paths):
    fetch(paths)
    assert fetch(paths, "--full").exit_code == 0
    assert last_run(paths)["mode"] == "full"
    assert fetch(paths, "--since", "2024-02-03").exit_code == 0
    assert (last_run(paths)["mode"], last_run(paths)["since"]) == ("incremental", "2024-02-03")
    write_searches(paths["searches"], QUERY + " AND humans[mh]")
    server.set_query(QUERY + " AND humans[mh]", PMIDS[:2])
    assert fetch(paths).exit_code == 0
    assert last_run(paths)["mode"] == "full"  # a changed query is fetched whole


def test_rejected_query(server, paths):
    server.reject_query(QUERY, "Invalid query syntax near '[Mesh'")
    result = fetch(paths)
    assert result.exit_code == 1
    assert "search 'msc-sle': PubMed rejected the query: Invalid query syntax" in result.output
    run = last_run(paths)
    assert run["status"] == "failed" and "Nothing was stored" in run["error"]
    assert_intact(paths)


def test_phrase_not_found(server, paths):
    server.phrase_not_found(QUERY, "mesenchymel")
    result = fetch(paths)
    assert result.exit_code == 1
    assert 'PubMed cannot find "mesenchymel" in its index' in result.output
    run = last_run(paths)
    assert run["status"] == "failed" and run["ids_retrieved"] == 0
    assert json.loads(run["pubmed_errors"]) == {"PhraseNotFound": ["mesenchymel"]}


def test_empty_result_fails_a_full_run_but_not_an_incremental_one(server, paths):
    server.set_query(QUERY, [])
    result = fetch(paths)
    assert result.exit_code == 1
    assert "PubMed found nothing for this query" in result.output
    server.set_query(QUERY, PMIDS)
    fetch(paths)
    server.set_query(QUERY, [])
    assert fetch(paths).exit_code == 0  # nothing new overnight is normal


def test_short_429_burst_is_retried(server, paths):
    server.inject("429", times=3, endpoint="esearch")
    result = fetch(paths)
    assert result.exit_code == 0, result.output
    assert [r["fault"] for r in server.requests[:4]] == ["429", "429", "429", None]


def test_429_burst_longer_than_retries(server, paths, monkeypatch):
    monkeypatch.setenv("LITREF_ATTEMPTS", "3")
    server.inject("429", times=10)
    result = fetch(paths)
    assert result.exit_code == 1
    assert "kept answering 429 Too Many Requests; gave up after 3 attempts" in result.output
    assert len(server.requests) == 3
    assert last_run(paths)["status"] == "failed"


def test_500s_until_retries_run_out(server, paths, monkeypatch):
    monkeypatch.setenv("LITREF_ATTEMPTS", "2")
    server.inject("500", times=5, endpoint="efetch")
    result = fetch(paths)
    assert result.exit_code == 1
    assert "records 1-7: PubMed kept answering HTTP 500" in result.output
    assert rows(paths["db"], "SELECT count(*) AS n FROM citations") == [{"n": 0}]
    assert_intact(paths)


@pytest.mark.parametrize("kind", ["truncate", "reset", "html", "empty"])
def test_damaged_response_is_retried(server, paths, kind):
    server.inject(kind, times=1, endpoint="efetch")
    result = fetch(paths)
    assert result.exit_code == 0, result.output
    assert rows(paths["db"], "SELECT count(*) AS n FROM citations") == [{"n": 7}]


def test_html_page_every_time(server, paths, monkeypatch):
    monkeypatch.setenv("LITREF_ATTEMPTS", "2")
    server.inject("html", times=2, endpoint="efetch")
    result = fetch(paths)
    assert result.exit_code == 1
    assert "the response was not complete PubMed XML" in result.output


def test_failure_half_way_keeps_finished_batches(server, paths, monkeypatch):
    monkeypatch.setattr(harvest, "BATCH_SIZE", 3)
    monkeypatch.setenv("LITREF_ATTEMPTS", "2")
    server.inject("500", times=2, endpoint="efetch", after=1)
    result = fetch(paths)
    assert result.exit_code == 1
    assert "The 1 batches already fetched (3 records) are stored and kept." in result.output
    assert rows(paths["db"], "SELECT count(*) AS n FROM citations") == [{"n": 3}]
    assert rows(paths["db"], "SELECT count(*) AS n FROM search_hits") == [{"n": 3}]
    assert_intact(paths)


def test_hanging_connection_times_out(server, paths, monkeypatch):
    monkeypatch.setenv("LITREF_TIMEOUT", "0.5")
    monkeypatch.setenv("LITREF_ATTEMPTS", "1")
    server.inject("hang", times=1, seconds=5)
    result = fetch(paths)
    assert result.exit_code == 1
    assert "did not answer within the timeout" in result.output
    assert last_run(paths)["status"] == "failed"


def test_pmids_listed_but_not_returned_are_recorded(server, paths):
    server.set_query(QUERY, PMIDS + [99999998])
    result = fetch(paths)
    assert result.exit_code == 1
    assert "1 listed PMIDs were not returned by efetch" in result.output
    run = last_run(paths)
    assert (run["status"], json.loads(run["missing_pmids"])) == ("incomplete", [99999998])


def test_missing_email_is_a_configuration_error(server, paths, monkeypatch):
    monkeypatch.delenv("NCBI_EMAIL")
    result = fetch(paths)
    assert result.exit_code == 2
    assert "NCBI_EMAIL is not set" in result.output and "export NCBI_EMAIL=" in result.output
    assert server.requests == []


def test_unknown_search_name(server, paths):
    result = fetch(paths, "--search", "nope")
    assert result.exit_code == 2
    assert "no search named 'nope'; the searches are: msc-sle." in result.output


def test_only_named_searches_run(server, paths):
    paths["searches"].write_text(
        f"searches:\n  - name: one\n    query: '{QUERY}'\n  - name: two\n    query: other\n"
    )
    assert fetch(paths, "--search", "one").exit_code == 0
    assert [r["search"] for r in rows(paths["db"], "SELECT search FROM fetch_runs")] == ["one"]


def test_quiet_prints_only_failures(server, paths):
    paths["searches"].write_text(
        f"searches:\n  - name: good\n    query: '{QUERY}'\n  - name: bad\n    query: synthetic rejected\n"
    )
    server.reject_query("synthetic rejected", "Search Backend failed: Invalid query")
    result = fetch(paths, "--quiet")
    assert result.exit_code == 1
    assert result.output.startswith("bad: failed (full)")
    assert "PubMed rejected the query: Search Backend failed" in result.output
    assert "good:" not in result.output
    assert fetch(paths, "--quiet", "--search", "good").output == ""


def test_no_progress_bar_without_a_terminal(server, paths):
    result = fetch(paths)
    assert result.output == "msc-sle: ok (full) - PubMed counted 7, stored 7 (7 new, 0 updated)\n"


def test_progress_bar_on_a_terminal(server, paths):
    """stderr on a pseudo-terminal, as when someone runs litref fetch by hand."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [Path(sys.executable).with_name("litref"), "fetch", "--db", str(paths["db"]),
         "--searches", str(paths["searches"]), "--claims", str(paths["claims"])],
        stdout=subprocess.DEVNULL, stderr=terminal,
    )
    os.close(terminal)
    shown = b""
    while chunk := _read_terminal(controller):
        shown += chunk
    os.close(controller)
    assert process.wait(timeout=60) == 0
    assert b"Fetching" in shown and b"1/1" in shown
    assert b"\r\x1b[Kmsc-sle: ok (full) - PubMed counted 7" in shown


def _read_terminal(controller):
    try:
        return os.read(controller, 4096)
    except OSError:  # EIO: the process closed its end
        return b""


def test_a_record_without_a_journal_is_stored_and_the_next_searches_still_run(server, paths):
    """PubMed serves the odd record without elements its DTD requires: it is stored with
    what it has, and neither its search nor the ones after it stop."""
    odd = synthetic_article(99000950, edat=dt.date(2020, 2, 1), title="Synthetic record without journal")
    server.add_articles([dataclasses.replace(odd, xml=re.sub(r"<Journal>.*?</Journal>", "", odd.xml,
                                                                flags=re.S))])
    server.set_query(QUERY, [odd.pmid, *PMIDS])
    server.set_query("second search", PMIDS[:2])
    paths["searches"].write_text(
        f"searches:\n  - name: msc-sle\n    query: '{QUERY}'\n"
        "  - name: later\n    query: second search\n"
    )
    result = fetch(paths)
    assert result.exit_code == 0, result.output
    assert "later: ok (full)" in result.output
    stored = rows(paths["db"], "SELECT title, journal, year FROM citations WHERE pmid = 99000950")
    assert stored == [{"title": "Synthetic record without journal", "journal": None, "year": None}]


def test_after_a_fetch_a_table_search_counts_from_the_covering_index_not_the_rows(server, paths):
    assert fetch(paths).exit_code == 0
    assert "COVERING INDEX idx_citations_search_facets" in table_search_count_plan(paths["db"])
