"""`litref status` on real databases built through the real writers: text and exit status."""

import json
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from litref.db.database import open_db
from litref.db.claims import save_claims
from litref.db.runs import finish_run, save_searches, start_run
from litref.cli import main
from litref.status_text import when
from tests.helpers import CLAIM, LATER, RCT_HUMANS, REVIEWED, T0, article, link, store

SEARCHES_YML = """searches:
  - name: alpha
    query: synthetic alpha[tiab]
  - name: beta
    query: synthetic beta[tiab]
"""
CLAIMS_YML = f"""claims:
  - id: {CLAIM['id']}
    page: {CLAIM['page']}
    text: {CLAIM['text']}
    query: {CLAIM['query']}
"""
CLAIM_SEARCH = f"claim-{CLAIM['id']}"
SEARCHES = [{"name": n, "query": f"synthetic {n}[tiab]"} for n in ("alpha", "beta", CLAIM_SEARCH)]


def ago(**delta):
    return (datetime.now(timezone.utc) - timedelta(**delta)).isoformat(timespec="seconds")


def run(database, name, status, *, started, error=None):
    """A finished (or, with status None, still running) run logged by the real writers."""
    search = {"name": name, "query": f"synthetic {name}[tiab]"}
    run_id = start_run(database, search, mode="incremental", since=None, now=started)
    if status:
        finish_run(database, run_id, status=status, now=started, error=error)


class Setup:
    """A database with searches alpha, beta and one claim, and the YAML files naming them."""

    def __init__(self, tmp_path):
        self.path = tmp_path / "citations.db"
        self.searches = tmp_path / "searches.yml"
        self.claims = tmp_path / "claims.yml"
        self.pages = tmp_path / "pages.yml"  # no website pages: tests/test_site_watch.py has them
        self.searches.write_text(SEARCHES_YML)
        self.claims.write_text(CLAIMS_YML)
        self.pages.write_text("pages: []\n")
        self.db = open_db(self.path)
        save_claims(self.db, [CLAIM], now=T0)
        save_searches(self.db, SEARCHES, now=T0)

    def all_fetched(self, **delta):
        for search in SEARCHES:
            run(self.db, search["name"], "ok", started=ago(**delta))

    def status(self, *args):
        result = CliRunner().invoke(
            main,
            ["status", "--db", str(self.path), "--searches", str(self.searches),
             "--claims", str(self.claims), "--pages", str(self.pages), *args],
        )
        return result.exit_code, result.output


@pytest.fixture
def setup(tmp_path):
    return Setup(tmp_path)


def test_all_well_when_every_search_succeeded_recently(setup):
    setup.all_fetched(hours=5)
    code, text = setup.status()
    assert code == 0
    assert "ALL IS WELL: every search fetched successfully in the last 7 days" in text
    assert "NEEDS ATTENTION" not in text
    for name in ("alpha", "beta", CLAIM_SEARCH):
        line = next(line for line in text.splitlines() if line.strip().startswith(name + " "))
        assert " ok " in line and "(5 hours ago)" in line


def test_search_without_success_for_days_needs_attention(setup):
    setup.all_fetched(days=10)
    run(setup.db, "alpha", "ok", started=ago(days=1))
    run(setup.db, CLAIM_SEARCH, "ok", started=ago(days=1))
    code, text = setup.status()
    assert code == 1
    assert "NEEDS ATTENTION" in text
    assert "- 1 of 3 searches had no successful fetch in the last 7 days: beta." in text
    assert setup.status("--days", "14")[0] == 0


def test_search_that_never_succeeded_counts_as_stale_and_failed(setup):
    setup.all_fetched(hours=2)
    setup.db.execute("DELETE FROM fetch_runs WHERE search = 'beta'")
    run(setup.db, "beta", "failed", started=ago(hours=1),
        error="search 'beta': PubMed rejected the query.\nCorrect it in searches.yml line 4.")
    code, text = setup.status()
    assert code == 1
    assert "1 of 3 searches had no successful fetch in the last 7 days: beta." in text
    assert "- 1 search did not succeed on the last run: beta." in text
    beta = next(line for line in text.splitlines() if line.strip().startswith("beta "))
    assert "failed" in beta and "never succeeded" in beta
    assert "    search 'beta': PubMed rejected the query." in text
    assert "    Correct it in searches.yml line 4." in text


def test_failed_last_run_needs_attention_even_after_a_recent_success(setup):
    setup.all_fetched(days=1)
    run(setup.db, "alpha", "incomplete", started=ago(hours=1), error="PubMed withheld 2 records.")
    code, text = setup.status()
    assert code == 1
    assert "did not succeed on the last run: alpha." in text
    assert "no successful fetch" not in text
    assert "PubMed withheld 2 records." in text


def test_never_run_search_is_listed_and_stale(setup):
    run(setup.db, "alpha", "ok", started=ago(hours=1))
    run(setup.db, CLAIM_SEARCH, "ok", started=ago(hours=1))
    code, text = setup.status()
    assert code == 1
    beta = next(line for line in text.splitlines() if line.strip().startswith("beta "))
    assert beta.split() == ["beta", "never", "run"]


def test_search_removed_from_the_files_is_not_checked(setup):
    setup.all_fetched(hours=1)
    save_searches(setup.db, [{"name": "retired", "query": "synthetic retired[tiab]"}], now=T0)
    run(setup.db, "retired", "failed", started=ago(days=30), error="gone")
    code, text = setup.status()
    assert code == 0
    assert "retired" not in text


@pytest.mark.parametrize("age, code, shown", [
    ({"minutes": 5}, 0, "(5 minutes ago)"),
    ({"days": 2}, 1, "(2 days ago) - it never finished: the process was stopped"),
])
def test_run_still_marked_running_is_no_fault_until_a_day_has_passed(setup, age, code, shown):
    setup.all_fetched(days=3)
    started = ago(**age)
    run(setup.db, "alpha", None, started=started)
    result, text = setup.status()
    assert result == code
    assert f"Fetches still marked as running\n  alpha: started {when(started)} {shown}" in text
    assert ("did not succeed on the last run: alpha." in text) == (code == 1)


def test_curated_citation_retracted_after_its_review_needs_attention(setup):
    setup.all_fetched(hours=1)
    store(setup.db, article(99000601, **RCT_HUMANS), now=T0)
    link(setup.db, 99000601, "supports", reviewed_at=REVIEWED)
    assert setup.status()[0] == 0
    store(setup.db, article(99000601, **RCT_HUMANS, extra_types=("Retracted Publication",)), now=LATER)
    code, text = setup.status()
    assert code == 1
    assert "- 1 curated link to a paper that was retracted, questioned or deleted" in text
    assert (f"claim {CLAIM['id']}: PMID 99000601 (retracted 2026-03-01 00:00 UTC; "
            "reviewed 2026-02-01 00:00 UTC)") in text
    assert "(1 to flagged papers)" in text


def test_flagged_citation_reviewed_after_the_flag_is_not_new(setup):
    setup.all_fetched(hours=1)
    store(setup.db, article(99000601, **RCT_HUMANS, extra_types=("Retracted Publication",)), now=T0)
    link(setup.db, 99000601, "contradicts", reviewed_at=REVIEWED)
    code, text = setup.status()
    assert code == 0
    assert "PMID 99000601" not in text
    assert "2 curated links" not in text and "1 curated link (1 to flagged papers)" in text


def test_new_candidate_evidence_is_reported_but_is_no_fault(setup):
    setup.all_fetched(hours=1)
    store(setup.db, article(99000601, **RCT_HUMANS), now=T0)
    link(setup.db, 99000601, "supports", reviewed_at=REVIEWED)
    store(setup.db, article(99000602, **RCT_HUMANS, title="Synthetic stem cells cure lupus nephritis"), now=LATER)
    code, text = setup.status()
    assert code == 0
    assert (
        "Claims with new candidate evidence since their last review (work for reviewers, not a fault)\n"
        f"  {CLAIM['id']}: 1 new candidate (last reviewed 2026-02-01 00:00 UTC)"
    ) in text


def test_database_size_and_counts(setup):
    setup.all_fetched(hours=1)
    store(setup.db, article(99000601, **RCT_HUMANS), article(99000602, **RCT_HUMANS), now=T0)
    link(setup.db, 99000601, "supports")
    text = setup.status()[1]
    line = next(line for line in text.splitlines() if line.startswith("Database: "))
    assert line.endswith("KB; 2 citations, 1 claim, 1 curated link (0 to flagged papers).")
    assert f"litref status of {setup.path}, checked " in text


def test_json_report_matches_the_exit_status(setup):
    setup.all_fetched(days=9)
    code, output = setup.status("--json")
    report = json.loads(output)
    assert code == 1 and report["needs_attention"] is True
    assert report["stale_searches"] == ["alpha", "beta", CLAIM_SEARCH]
    assert [s["last_run"]["status"] for s in report["searches"]] == ["ok", "ok", "ok"]
    assert report["database"]["claims"] == 1


def test_quiet_prints_nothing_when_all_is_well(setup):
    setup.all_fetched(hours=1)
    assert setup.status("--quiet") == (0, "")
    run(setup.db, "beta", "failed", started=ago(minutes=1), error="PubMed unreachable")
    code, text = setup.status("--quiet")
    assert code == 1 and "NEEDS ATTENTION" in text


def test_missing_database_is_a_config_error_and_is_not_created(tmp_path):
    missing = tmp_path / "nowhere" / "citations.db"
    result = CliRunner().invoke(main, ["status", "--db", str(missing)])
    assert result.exit_code == 2
    assert f"There is no database at {missing}. Check --db or LITREF_DB" in result.output
    assert not missing.parent.exists()


def test_broken_searches_file_is_a_config_error(setup):
    setup.searches.write_text("searches:\n  - name: alpha\n")
    code, text = setup.status()
    assert code == 2
    assert str(setup.searches) in text and "line 2" in text


def test_claims_by_status_are_reported_worst_first(setup):
    setup.all_fetched(hours=1)
    store(setup.db, article(99000601, **RCT_HUMANS), now=T0)
    link(setup.db, 99000601, "contradicts")
    code, text = setup.status()
    assert code == 0 and "Claims by status: contradicted 1" in text
    report = json.loads(setup.status("--json")[1])
    assert report["claims_by_status"] == {"contradicted": 1}


def test_an_assessment_that_pubmeds_later_indexing_disagrees_with_is_listed(setup):
    setup.all_fetched(hours=1)
    store(setup.db, article(99000603, title="Synthetic stem cells in lupus"), now=T0)
    with setup.db.atomic():
        setup.db.execute("INSERT INTO citation_assessments (pmid, study_design, reviewer, assessed_at) "
                         "VALUES (99000603, 'case-report', 'alice', ?)", [REVIEWED])
    store(setup.db, article(99000603, **RCT_HUMANS, title="Synthetic stem cells in lupus"), now=LATER)
    code, text = setup.status()
    assert code == 0
    assert ("  PMID 99000603: assessed case-report by alice, indexed rct "
            "(Randomized Controlled Trial)") in text
