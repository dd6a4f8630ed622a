"""Wiring PubMed to the store: what fetch/ yields, written by db/ as it arrives.

Crash safety lives here, where the two meet: a run is recorded before its
first request, each batch is stored in its own transaction, and a run that
stops for any reason is closed with what it had stored.
"""

import sqlite3
import time
from pathlib import Path

from litref.clock import utc_now
from litref.db import citations, runs
from litref.db.candidates import refresh_for_citations
from litref.db.statistics import refresh_planner_statistics
from litref.db.status_history import record_status_changes
from litref.evidence.records import with_grade
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
    """Import one file, each batch in its own short transaction (db/writing.py), so staff
    can write in between; returns counts (new, updated, unchanged, deleted, records).

    A file that turns out damaged half way keeps the batches stored before the
    damage, and the error says so; importing the repaired file again completes
    it without storing anything twice (unchanged records are skipped).
    """
    totals = {"new": 0, "updated": 0, "unchanged": 0, "deleted": 0, "records": 0}
    changed = []  # what to work out the claims' candidates for, when the file is done
    try:
        _import_batches(db, path, totals, changed, now=now)
    except ImportFileError:
        refresh_for_citations(db, changed, now=now)  # those stored before the damage
        raise
    refresh_for_citations(db, changed, now=now)
    refresh_planner_statistics(db)
    record_status_changes(db, now=now, cause="import", detail=Path(path).name)
    return totals


def _import_batches(db, path, totals, changed, *, now):
    def kept():
        return _kept_of_file(path, totals)

    steps = Steps()
    try:
        with file_batches(path, kept=kept) as batches:
            for batch in batches:
                for step in steps.split(batch):
                    # Those the parser left ungraded (fetch/files.py), graded before the clock
                    # starts: a step is sized by its write alone.
                    step = [with_grade(item) for item in step]
                    started = time.monotonic()
                    counts = citations.save_records(db, step, source=Path(path).name, now=now)
                    steps.took(len(step), time.monotonic() - started)
                    for key in ("new", "updated", "unchanged", "deleted"):
                        totals[key] += counts[key]
                    totals["records"] += len(counts["pmids"])
                    changed += counts["changed"]
    except sqlite3.IntegrityError as error:
        raise ImportFileError(
            f"{path}: a record breaks a rule of the database ({error}). {kept()} Please "
            "report this with the file: it is a bug in litref."
        ) from error


class Steps:
    """How many records an import stores per write transaction, so that each holds the
    write lock about STEP_SECONDS: a whole parsed batch (fetch/files.py: 200 records) on
    a small database, a few dozen at a million citations or on a busy machine (each
    record is indexed for full-text search, the slow part). Sized from the slowest of
    the last few steps, since a step that runs long keeps staff waiting.

    A tenth of a second, not less: each step writes every index page it touches to the
    write-ahead log, so smaller steps write more pages per record (into a database of
    10,000 records, 15 in steps of 50, 8 in steps of 200): 0.05 s made an import 10-20%
    slower.
    """

    STEP_SECONDS = 0.1
    FIRST, FEWEST, MOST = 20, 5, 1000  # the first step is small: the database may be large
    REMEMBERED = 5

    def __init__(self):
        self.size = self.FIRST
        self.per_record = []  # seconds a record took, in the last few steps

    def split(self, batch):
        while batch:
            step, batch = batch[:self.size], batch[self.size:]
            yield step

    def took(self, records, seconds):
        """Size the next step from the slowest recent one; at most twice the last size."""
        self.per_record = [*self.per_record, seconds / max(records, 1)][-self.REMEMBERED:]
        fitting = self.STEP_SECONDS / max(max(self.per_record), 1e-6)
        self.size = int(min(self.MOST, 2 * self.size, max(self.FEWEST, fitting)))


def _kept_of_file(path, totals):
    """What an import that stopped half way leaves stored, in words."""
    if not totals["records"]:
        return "Nothing from this file was stored."
    return (
        f"The first {totals['records']} records of the file, up to the damage, were stored "
        f"({totals['new']} new, {totals['updated']} updated, {totals['unchanged']} unchanged); "
        f"nothing after it. Importing the repaired file again completes it without storing "
        f"anything twice."
    )

