"""Writes and reads for saved searches, their hits and the fetch_runs log."""

import json

from litref.db.citations import save_records
from litref.db.sql import quoted_list
from litref.db.writing import write_transaction
from litref.evidence.vocabularies.run_statuses import COMPLETE


def save_searches(db, searches, *, now):
    """Upsert the saved searches from searches.yml (removed ones keep their history)."""
    with write_transaction(db):
        for search in searches:
            db.execute(
                "INSERT INTO searches (name, query, description, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET query = excluded.query, "
                "description = excluded.description, updated_at = excluded.updated_at "
                "WHERE query IS NOT excluded.query OR description IS NOT excluded.description",
                [search["name"], search["query"], search.get("description"), now],
            )


def last_success(db, search_name):
    """The newest run of a search that stored everything PubMed found (its ``started``
    and ``query``), or None: the next run asks only for what is new since."""
    rows = db.execute(
        f"SELECT started, query FROM fetch_runs WHERE search = ? AND status IN {quoted_list(COMPLETE)} "
        "ORDER BY started DESC LIMIT 1",
        [search_name],
    ).fetchall()
    return {"started": rows[0][0], "query": rows[0][1]} if rows else None


def start_run(db, search, *, mode, since, now):
    """Log a run as under way before the first request, so a crash leaves a trace."""
    with write_transaction(db):
        cursor = db.execute(
            "INSERT INTO fetch_runs (search, query, mode, since, started, status, "
            "ids_retrieved, new, updated, missing, batches_done) "
            "VALUES (?, ?, ?, ?, ?, 'running', 0, 0, 0, 0, 0)",
            [search["name"], search["query"], mode, since, now],
        )
    return cursor.lastrowid


def note_search_result(db, run_id, *, query_translation, count_reported, errors, warnings):
    """PubMed's word on the query: its translation, count, ErrorList and WarningList
    (dicts of lists, kept as JSON; NULL when PubMed had nothing to say)."""
    with write_transaction(db):
        db.execute(
            "UPDATE fetch_runs SET query_translation = ?, count_reported = ?, pubmed_errors = ?, "
            "pubmed_warnings = ? WHERE id = ?",
            [query_translation, count_reported, _json_or_null(errors), _json_or_null(warnings), run_id],
        )


def _json_or_null(lists):
    return json.dumps(lists, ensure_ascii=False) if lists else None


def save_fetch_batch(db, run_id, search_name, items, *, now):
    """One efetch batch: records, the search's hits and the run's counters, all or nothing."""
    with write_transaction(db):
        # `litref fetch` refreshes the claims' text matches once, after all its searches.
        counts = save_records(db, items, source=f"search:{search_name}", now=now)
        db.conn.executemany(
            "INSERT INTO search_hits (search, pmid, first_seen, last_seen) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(search, pmid) DO UPDATE SET last_seen = excluded.last_seen",
            [(search_name, pmid, now, now) for pmid in counts["pmids"]],
        )
        db.execute(
            "UPDATE fetch_runs SET ids_retrieved = ids_retrieved + ?, new = new + ?, "
            "updated = updated + ?, batches_done = batches_done + 1 WHERE id = ?",
            [len(counts["pmids"]), counts["new"], counts["updated"], run_id],
        )
    return counts


def finish_run(db, run_id, *, status, now, error=None, missing_pmids=()):
    """Close a run: ok, failed (with the error) or incomplete (PubMed withheld records)."""
    missing_pmids = sorted(missing_pmids)
    with write_transaction(db):
        db.execute(
            "UPDATE fetch_runs SET status = ?, finished = ?, error = ?, missing = ?, "
            "missing_pmids = ? WHERE id = ?",
            [
                status, now, error, len(missing_pmids),
                json.dumps(missing_pmids) if missing_pmids else None, run_id,
            ],
        )


def run_row(db, run_id):
    return db["fetch_runs"].get(run_id)


def kept_note(run, message):
    """``message`` plus what the run had stored when it stopped (a row or dict of fetch_runs)."""
    if run["batches_done"]:
        return (
            f"{message} The {run['batches_done']} batches already fetched "
            f"({run['ids_retrieved']} records) are stored and kept."
        )
    return f"{message} Nothing was stored by this run."


def close_interrupted(db, *, now):
    """Close runs still marked running; returns them (id, search, ...).

    Only call this while holding the fetch lock (db/lock.py): then no fetch is
    running, and a ``running`` row belongs to one that was killed or crashed.
    """
    stale = [
        dict(row) for row in db.query(
            "SELECT id, search, started, batches_done, ids_retrieved FROM fetch_runs "
            "WHERE status = 'running' ORDER BY id"
        )
    ]
    message = (
        f"Interrupted: the fetch stopped without finishing (killed, crashed or the machine "
        f"went down); the next fetch found it so at {now}."
    )
    with write_transaction(db):
        for run in stale:
            db.execute(
                "UPDATE fetch_runs SET status = 'interrupted', finished = ?, error = ? WHERE id = ?",
                [now, kept_note(run, message), run["id"]],
            )
    return stale
