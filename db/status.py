"""What a person needs to know about an unattended litref: pure reads of the database.

``status_report`` gathers everything into plain data (JSON-ready); what needs
a person is decided here, once, so the text, the JSON and the exit status
always agree:

- a search with no successful run in the last ``days`` days (one that never
  succeeded counts);
- a search whose newest run failed, was incomplete or interrupted, or started
  more than a day ago and never finished (the process was killed);
- a search whose newest run stored everything, but PubMed warned that it
  ignored or could not find a term of the query (status ``warning``);
- a curated citation flagged (retracted, expression of concern, deleted from
  PubMed) after its link was reviewed;
- a website page of pages.yml not read successfully in the last ``days`` days
  (one never read counts), or whose last reading failed;
- a claim whose quote changed on its page or is gone from it, and a checkable
  statement on a page that no claim quotes and nobody has set aside.

Claims with new candidate evidence, the claims by status and reviewers'
assessments that PubMed's later indexing disagrees with are reported but do not
need a person urgently: new papers arrive most weeks, and a nightly job that "fails" that
often teaches people to ignore it.
"""

import json
from datetime import datetime, timedelta, timezone

from litref.db.sql import quoted_list
from litref.evidence.vocabularies import page_states, statuses
from litref.evidence.vocabularies.run_statuses import COMPLETE, NEEDS_PERSON

# Runs that need a person: those that did not store everything, and those that
# did but PubMed warned about the query.
UNSUCCESSFUL = tuple(code for code in NEEDS_PERSON if code not in COMPLETE)
WARNED = tuple(code for code in NEEDS_PERSON if code in COMPLETE)
# A run still marked running after this long was stopped without finishing.
ABANDONED_AFTER = timedelta(days=1)


def status_report(db, search_names, *, now, days, page_ids=()):
    """Everything ``litref status`` shows, for the searches the fetch runs now and the
    pages of pages.yml (``page_ids``)."""
    searches = search_results(db, search_names)
    stale = stale_searches(searches, now=now, days=days)
    failed = failed_searches(searches, now=now)
    warned = warned_searches(searches)
    flagged = newly_flagged_citations(db)
    pages = page_results(db, page_ids)
    website = website_problems(db, pages, now=now, days=days)
    return {
        "checked_at": now.isoformat(timespec="seconds"),
        "days": days,
        "needs_attention": bool(stale or failed or warned or flagged or any(website.values())),
        "stale_searches": stale,
        "failed_searches": failed,
        "warned_searches": warned,
        "newly_flagged": flagged,
        **website,
        "claims_with_new_evidence": claims_with_new_evidence(db),
        "claims_by_status": claims_by_status(db),
        "assessments_unlike_indexing": assessments_unlike_indexing(db),
        "running": running_runs(searches, now=now),
        "searches": searches,
        "pages": pages,
        "database": database_counts(db),
    }


def search_results(db, search_names):
    """Each search's newest run and newest successful run (None where there is none).

    A run that stored everything counts as successful, even with PubMed's
    warnings about the query: those are reported on their own (warned_searches).
    """
    newest = {
        row["search"]: row
        for row in db.query(
            "SELECT search, started, finished, status, error FROM fetch_runs "
            "WHERE id IN (SELECT max(id) FROM fetch_runs GROUP BY search)"
        )
    }
    succeeded = dict(
        db.execute(
            f"SELECT search, max(started) FROM fetch_runs WHERE status IN {quoted_list(COMPLETE)} "
            "GROUP BY search"
        )
    )
    return [
        {"name": name, "last_run": newest.get(name), "last_success": succeeded.get(name)}
        for name in search_names
    ]


def stale_searches(searches, *, now, days):
    """Names of the searches with no successful run since ``days`` days before ``now``."""
    cutoff = now - timedelta(days=days)
    return [
        s["name"] for s in searches
        if s["last_success"] is None or parse_time(s["last_success"]) < cutoff
    ]


def failed_searches(searches, *, now):
    """Names of the searches whose newest run did not succeed."""
    return [
        s["name"] for s in searches
        if s["last_run"] and (
            s["last_run"]["status"] in UNSUCCESSFUL or is_abandoned(s["last_run"], now=now)
        )
    ]


def warned_searches(searches):
    """Names of the searches whose newest run stored everything, but PubMed ignored or
    could not find a term of the query (the run's error names it)."""
    return [s["name"] for s in searches if s["last_run"] and s["last_run"]["status"] in WARNED]


def running_runs(searches, *, now):
    """Newest runs still marked running: a fetch at work, or one that was killed."""
    return [
        {"search": s["name"], "started": s["last_run"]["started"],
         "abandoned": is_abandoned(s["last_run"], now=now)}
        for s in searches
        if s["last_run"] and s["last_run"]["status"] == "running"
    ]


def is_abandoned(run, *, now):
    return run["status"] == "running" and now - parse_time(run["started"]) > ABANDONED_AFTER


def newly_flagged_citations(db):
    """Curated citations of current claims flagged after their link was reviewed.

    ``flagged_at`` is when litref first saw the citation's newest flag (or
    PubMed's deletion of a PMID it never stored); later changes to the record
    do not move it, so a link re-checked after the flag is not listed again.
    """
    return list(db.query(
        "SELECT d.claim_id, d.pmid, d.title, d.is_retracted, d.has_expression_of_concern, "
        "d.is_deleted, d.reviewed_at, d.flagged_at "
        "FROM claim_evidence_detail d "
        "JOIN claims cl ON cl.id = d.claim_id AND cl.archived_at IS NULL "
        "WHERE d.is_flagged AND d.flagged_at > d.reviewed_at "
        "ORDER BY d.claim_id, d.pmid"
    ))


def claims_with_new_evidence(db):
    """Reviewed claims with candidate evidence that arrived after their newest review."""
    return list(db.query(
        "SELECT claim_id, new_candidates, last_reviewed FROM claim_status "
        "WHERE new_evidence_since_review ORDER BY claim_id"
    ))


def claims_by_status(db):
    """How many claims have each status, worst first (statuses with none left out)."""
    counts = dict(db.execute("SELECT status, count(*) FROM claim_status GROUP BY status").fetchall())
    return {code: counts[code] for code in statuses.CODES if counts.get(code)}


def assessments_unlike_indexing(db):
    """Studies whose reviewer's assessment names another design than PubMed's indexing,
    which arrived after the assessment: one of the two may be wrong, worth a look."""
    return list(db.query(
        "SELECT a.pmid, c.title, a.study_design AS assessed, c.study_design AS indexed, "
        "c.design_words AS indexed_as, a.reviewer, a.assessed_at FROM citation_assessments a "
        "JOIN citations c ON c.pmid = a.pmid "
        "WHERE c.design_source IN ('publication-type', 'mesh') AND a.study_design IS NOT NULL "
        "AND a.study_design != c.study_design AND c.updated_at > a.assessed_at ORDER BY a.pmid"
    ))


def database_counts(db):
    """Size in bytes (pages in use and free) and the main counts."""
    def one(sql):
        return db.execute(sql).fetchone()[0]

    return {
        "size_bytes": one("PRAGMA page_count") * one("PRAGMA page_size"),
        "citations": one("SELECT count(*) FROM citations"),
        "claims": one("SELECT count(*) FROM claims WHERE archived_at IS NULL"),
        "curated_links": one("SELECT count(*) FROM claim_evidence"),
        "flagged_links": one("SELECT count(*) FROM claim_evidence_detail WHERE is_flagged"),
    }


def parse_time(text):
    """A stored timestamp as an aware datetime; one written without a zone is UTC."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def page_results(db, page_ids):
    """Each page's last reading and its claims' drift (page_overview), in pages.yml's order;
    a page never loaded into the database yet has no reading."""
    overview = {row["page_id"]: row for row in db.query("SELECT * FROM page_overview")}
    return [overview.get(page_id) or {"page_id": page_id, "last_checked": None, "last_read": None,
                                      "last_outcome": None, "last_error": None}
            for page_id in page_ids]


def website_problems(db, pages, *, now, days):
    """What needs a person on the website's side: pages not read lately or whose last
    reading failed, claims that drifted from their page, statements no claim quotes."""
    cutoff = now - timedelta(days=days)
    ids = [page["page_id"] for page in pages]
    in_pages = "(SELECT value FROM json_each(:ids))"
    return {
        "stale_pages": [page["page_id"] for page in pages
                        if page["last_read"] is None or parse_time(page["last_read"]) < cutoff],
        "failed_pages": [page["page_id"] for page in pages if page["last_outcome"] == "failed"],
        "drifted_claims": list(db.query(
            "SELECT claim_id, page_id, page_state, text, last_seen, nearest_passage, similarity "
            f"FROM claim_page_status WHERE page_state IN {quoted_list(page_states.DRIFTED)} "
            f"AND page_id IN {in_pages} ORDER BY page_id, page_offset", {"ids": json.dumps(ids)})),
        "unclaimed_statements": list(db.query(
            f"SELECT page_id, section, text, signals, first_seen FROM unclaimed_statements "
            f"WHERE page_id IN {in_pages}", {"ids": json.dumps(ids)})),
    }
