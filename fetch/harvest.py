"""Running a saved search against PubMed and storing what it finds.

A run is logged in ``fetch_runs`` before its first request. It searches with
the history server, fetches the records in batches (each stored in its own
transaction, so a failure keeps the finished ones), and at the end checks that
every PMID PubMed listed was stored.

Incremental by default: after a successful run, the next one asks only for
records that entered PubMed (EDAT) or were modified (MDAT: retractions,
corrections, late MeSH indexing) since that run, less a few days of overlap.
"""

import sqlite3
from datetime import date, datetime, timedelta, timezone

from db import runs
from db.store import save_records
from fetch.eutils import ESEARCH_CAP, PubMedError, efetch_history, efetch_ids, esearch

BATCH_SIZE = 500
OVERLAP = timedelta(days=3)
EARLIEST = date(1800, 1, 1)  # before PubMed's oldest entrez date


def utc_now():
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def plan_run(query, previous, *, full=False, since=None):
    """("full" | "incremental", since date or None) for a search.

    ``previous`` is the last successful run ({"started", "query"}) or None. A
    search whose query changed since then is fetched whole: the old run says
    nothing about what the new query finds.
    """
    if since is not None:
        return "incremental", since
    if full or previous is None or previous["query"] != query:
        return "full", None
    started = datetime.fromisoformat(previous["started"]).date()
    return "incremental", started - OVERLAP


def incremental_term(query, since):
    """The query limited to records entered or modified on or after ``since``."""
    day = since.strftime("%Y/%m/%d")
    return f'({query}) AND ("{day}"[EDAT] : "3000"[EDAT] OR "{day}"[MDAT] : "3000"[MDAT])'


def run_search(db, settings, search, *, full=False, since=None, today=None, clock=utc_now):
    """Fetch one saved search; returns the finished ``fetch_runs`` row."""
    mode, since = plan_run(search["query"], runs.last_success(db, search["name"]), full=full, since=since)
    run_id = runs.start_run(
        db, search, mode=mode, since=since and since.isoformat(), now=clock()
    )
    what = f"search {search['name']!r}"
    where = f"{search.get('defined_in', 'searches.yml')} line {search.get('line', '?')}"
    term = search["query"] if since is None else incremental_term(search["query"], since)
    try:
        status, error, missing = _harvest(db, settings, run_id, search, term, mode, what, where, today, clock)
    except PubMedError as failure:
        status, error, missing = "failed", _kept(db, run_id, str(failure)), ()
    except KeyboardInterrupt:
        _close_on_the_way_out(db, run_id, "interrupted", "Interrupted.", clock)
        raise
    except Exception as failure:
        _close_on_the_way_out(db, run_id, "failed", repr(failure), clock)
        raise
    runs.finish_run(db, run_id, status=status, now=clock(), error=error, missing_pmids=missing)
    return runs.run_row(db, run_id)


def _close_on_the_way_out(db, run_id, status, message, clock):
    """Record why a run stops, if the database still takes writes.

    When it does not (disk full, file made read-only), the original error is
    what matters: it goes on up, and the next fetch closes this run as
    interrupted.
    """
    try:
        runs.finish_run(db, run_id, status=status, now=clock(), error=_kept(db, run_id, message))
    except sqlite3.Error:
        pass


def _harvest(db, settings, run_id, search, term, mode, what, where, today, clock):
    first = esearch(settings, term, what, usehistory="y", retmax=ESEARCH_CAP)
    count = int(first["Count"])
    runs.note_search_result(
        db, run_id, query_translation=first.get("QueryTranslation"), count_reported=count
    )
    if count == 0 and mode == "full":
        return "failed", (
            f"{what}: PubMed found nothing for this query. Check it in PubMed's own "
            f"search box and correct it in {where}."
        ), ()
    results = [first] if count <= ESEARCH_CAP else _windows(settings, term, what, EARLIEST, today or date.today())
    listed, stored = set(), set()
    for result in results:
        listed.update(int(pmid) for pmid in result["IdList"])
        stored.update(_fetch_result(db, settings, run_id, search["name"], result, what, clock))
    missing = listed - stored
    unreachable = count - len(listed)
    if missing or unreachable > 0:
        return "incomplete", _shortfall_message(what, count, len(stored), missing, unreachable), missing
    return "ok", None, ()


def _windows(settings, term, what, start, end):
    """esearch results by entrez-date windows, halving any window over the cap."""
    result = esearch(
        settings, term, f"{what} ({start} to {end})", usehistory="y", retmax=ESEARCH_CAP,
        datetype="edat", mindate=start.strftime("%Y/%m/%d"), maxdate=end.strftime("%Y/%m/%d"),
    )
    if int(result["Count"]) <= ESEARCH_CAP or start == end:
        yield result
        return
    middle = start + (end - start) // 2
    yield from _windows(settings, term, what, start, middle)
    yield from _windows(settings, term, what, middle + timedelta(days=1), end)


def _fetch_result(db, settings, run_id, search_name, result, what, clock):
    """Fetch and store the records of one esearch result; returns the stored pmids."""
    total = len(result["IdList"])
    stored = set()
    for retstart in range(0, total, BATCH_SIZE):
        batch_what = f"{what}: records {retstart + 1}-{min(retstart + BATCH_SIZE, total)}"
        items = efetch_history(
            settings, result["WebEnv"], result["QueryKey"], retstart, BATCH_SIZE, batch_what
        )
        counts = runs.save_fetch_batch(db, run_id, search_name, items, now=clock())
        stored.update(counts["pmids"])
    return stored


def _shortfall_message(what, count, stored, missing, unreachable):
    parts = [f"{what}: PubMed counted {count} records but {stored} were stored."]
    if missing:
        parts.append(f"{len(missing)} listed PMIDs were not returned by efetch (see missing_pmids).")
    if unreachable > 0:
        parts.append(
            f"{unreachable} could not be listed: more than 9,999 entered PubMed on a single day."
        )
    parts.append("The next run tries again.")
    return " ".join(parts)


def _kept(db, run_id, message):
    return runs.kept_note(runs.run_row(db, run_id), message)


def fetch_pmids(db, settings, pmids, *, clock=utc_now):
    """Fetch named PMIDs (curated citations not yet stored); returns the pmids PubMed lacked."""
    stored = set()
    for start in range(0, len(pmids), BATCH_SIZE):
        batch = pmids[start : start + BATCH_SIZE]
        items = efetch_ids(settings, batch, f"curated citations {batch[0]}-{batch[-1]}")
        counts = save_records(db, items, source="curated", now=clock())
        stored.update(counts["pmids"])
    return sorted(set(pmids) - stored)
