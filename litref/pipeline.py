"""Wiring PubMed to the store: what fetch/ yields, written by db/ as it arrives.

Crash safety lives here, where the two meet: a run is recorded before its
first request, each batch is stored in its own transaction, and a run that
stops for any reason is closed with what it had stored.
"""

import sqlite3
from pathlib import Path

from litref.clock import utc_now
from litref.db import citations, runs
from litref.db.candidates import refresh_for_citations
from litref.db.status_history import record_status_changes
from litref.fetch.eutils import PubMedError
from litref.fetch.files import ImportFileError, file_batches
from litref.fetch.harvest import Batch, Finished, Search, Searched, fetch_by_id, harvest, plan_run


def run_search(db, settings, search, *, full=False, since=None, today=None, clock=utc_now):
    """Fetch one saved search (a dict from searches.yml or a claim); returns its finished
    ``fetch_runs`` row."""
    mode, since = plan_run(search["query"], runs.last_success(db, search["name"]), full=full, since=since)
    run_id = runs.start_run(db, search, mode=mode, since=since and since.isoformat(), now=clock())
    where = f"{search.get('defined_in', 'searches.yml')} line {search.get('line', '?')}"
    try:
        finished = _store_events(
            db, run_id, search["name"],
            harvest(settings, Search(search["name"], search["query"], where), since=since, today=today),
            clock,
        )
    except PubMedError as failure:
        finished = Finished("failed", runs.kept_note(runs.run_row(db, run_id), str(failure)))
    except KeyboardInterrupt:
        _close_on_the_way_out(db, run_id, "interrupted", "Interrupted.", clock)
        raise
    except Exception as failure:
        _close_on_the_way_out(db, run_id, "failed", repr(failure), clock)
        raise
    runs.finish_run(db, run_id, status=finished.status, now=clock(), error=finished.error,
                    missing_pmids=finished.missing_pmids)
    return runs.run_row(db, run_id)


def _store_events(db, run_id, search_name, events, clock):
    """Store each event of a harvest as it comes; returns its last, a Finished."""
    finished = None
    for event in events:
        if isinstance(event, Searched):
            runs.note_search_result(db, run_id, query_translation=event.query_translation,
                                    count_reported=event.count, errors=event.errors,
                                    warnings=event.warnings)
        elif isinstance(event, Batch):
            counts = runs.save_fetch_batch(db, run_id, search_name, event.items, now=clock())
            refresh_for_citations(db, counts["changed"], now=clock())
        else:
            finished = event
    return finished


def _close_on_the_way_out(db, run_id, status, message, clock):
    """Record why a run stops, if the database still takes writes.

    When it does not (disk full, file made read-only), the original error is
    what matters: it goes on up, and the next fetch closes this run as
    interrupted.
    """
    try:
        runs.finish_run(db, run_id, status=status, now=clock(),
                        error=runs.kept_note(runs.run_row(db, run_id), message))
    except sqlite3.Error:
        pass


def fetch_pmids(db, settings, pmids, *, clock=utc_now):
    """Fetch named PMIDs (curated citations not yet stored); returns the pmids PubMed lacked."""
    stored = set()
    for batch in fetch_by_id(settings, pmids):
        counts = citations.save_records(db, batch.items, source="curated", now=clock())
        refresh_for_citations(db, counts["changed"], now=clock())
        stored.update(batch.pmids)
    return sorted(set(pmids) - stored)


def import_file(db, path, *, now):
    """Import one file in one transaction; returns counts (new, updated, unchanged,
    deleted, records). A file that turns out damaged half way stores nothing."""
    totals = {"new": 0, "updated": 0, "unchanged": 0, "deleted": 0, "records": 0}
    kept = "Nothing from this file was stored."
    changed = []
    try:
        with file_batches(path, kept=kept) as batches, db.atomic():
            for batch in batches:
                counts = citations.save_records(db, batch, source=Path(path).name, now=now)
                for key in ("new", "updated", "unchanged", "deleted"):
                    totals[key] += counts[key]
                totals["records"] += len(counts["pmids"])
                changed += counts["changed"]
    except sqlite3.IntegrityError as error:
        raise ImportFileError(
            f"{path}: a record breaks a rule of the database ({error}). {kept} Please "
            "report this with the file: it is a bug in litref."
        ) from error
    refresh_for_citations(db, changed, now=now)
    record_status_changes(db, now=now, cause="import", detail=Path(path).name)
    return totals

