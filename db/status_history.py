"""Each claim's status over time: ``claim_status_history``, read by "What changed".

A status is worked out afresh by the ``claim_status`` view every time it is
read, so a change leaves no trace of its own. This table keeps one row each
time a claim's status differs from the last one recorded for it, with the
status it had before (``previous_status``) and what made it change:

- ``record_status_changes`` (called after every fetch, import and claims load,
  in litref/pipeline.py and litref/cli.py) compares every claim;
- triggers on the tables the curation path writes (``CURATION_WRITES``:
  links, screening decisions, claims searched, assessments; db/curation.py)
  compare the claims a change bears on, and first record what a claim was
  before when it has no history yet, so the first change after an upgrade
  still says "from what". A new curation table that changes statuses needs its
  entry there (and a migration creating its ``status_triggers``).

It records whatever ``claim_status.status`` says: new statuses need no change here.
"""

from litref.db.writing import write_transaction

CAUSES = ("fetch", "import", "claims", "curation")

STATUS_HISTORY_TABLE = """CREATE TABLE claim_status_history (
    id INTEGER PRIMARY KEY,
    claim_id TEXT NOT NULL,
    status TEXT NOT NULL,
    previous_status TEXT,
    recorded_at TEXT NOT NULL,
    cause TEXT NOT NULL,
    detail TEXT
)"""

# Rows of claim_status (filtered by ``which``) whose status is not the one last
# recorded for the claim, inserted with the one they replace.
_RECORD = """INSERT INTO claim_status_history
    (claim_id, status, previous_status, recorded_at, cause, detail)
SELECT s.claim_id, s.status, last.status, {now}, {cause}, {detail}
FROM claim_status s
LEFT JOIN claim_status_history last ON last.id = (
    SELECT max(h.id) FROM claim_status_history h WHERE h.claim_id = s.claim_id)
WHERE {which} AND last.status IS NOT s.status"""

RECORD_ALL = _RECORD.format(now=":now", cause=":cause", detail=":detail", which="1")

# The tables the curation path writes (db/curation.py), and for each change of a row:
# the claims it bears on, when and by whom. (event → (claims, moment, reviewer)); the
# row is NEW, or OLD for a deletion. A removal's moment and reviewer come from the
# curation_log row that asked for it (the curation path writes it first).
_LOGGED = ("(SELECT {column} FROM curation_log WHERE claim_id = OLD.claim_id "
           "ORDER BY id DESC LIMIT 1)")
_NOW = "strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')"
_REMOVED = ("s.claim_id = OLD.claim_id", f"coalesce({_LOGGED.format(column='logged_at')}, {_NOW})",
            _LOGGED.format(column="reviewer"))
CURATION_WRITES = {
    "claim_evidence": {
        "INSERT": ("s.claim_id = NEW.claim_id", "NEW.reviewed_at", "NEW.reviewer"),
        "UPDATE": ("s.claim_id = NEW.claim_id", "NEW.reviewed_at", "NEW.reviewer"),
        "DELETE": _REMOVED,
    },
    "candidate_decisions": {
        "INSERT": ("s.claim_id = NEW.claim_id", "NEW.decided_at", "NEW.reviewer"),
        "DELETE": _REMOVED,
    },
    "claim_searches": {
        "INSERT": ("s.claim_id = NEW.claim_id", "NEW.searched_at", "NEW.reviewer"),
        "UPDATE": ("s.claim_id = NEW.claim_id", "NEW.searched_at", "NEW.reviewer"),
    },
    # A reviewer's reading of a study's design bears on every claim it is linked to.
    "citation_assessments": {
        "INSERT": ("s.claim_id IN (SELECT claim_id FROM claim_evidence WHERE pmid = NEW.pmid)",
                   "NEW.assessed_at", "NEW.reviewer"),
        "UPDATE": ("s.claim_id IN (SELECT claim_id FROM claim_evidence WHERE pmid = NEW.pmid)",
                   "NEW.assessed_at", "NEW.reviewer"),
    },
}


def status_triggers(table, event, claims, moment, reviewer):
    """Two triggers on a write to ``table``: before it, the status of each claim it bears
    on that has no history yet (where it came from); after it, each status that changed."""
    name = f"claim_status_history_{table}_{event.lower()}"
    unrecorded = "last.id IS NULL"
    before = _RECORD.format(now=moment, cause="'curation'", detail="NULL",
                            which=f"{claims} AND {unrecorded}")
    after = _RECORD.format(now=moment, cause="'curation'", detail=reviewer, which=claims)
    return [f"CREATE TRIGGER {name}_before BEFORE {event} ON {table} BEGIN\n{before};\nEND",
            f"CREATE TRIGGER {name}_after AFTER {event} ON {table} BEGIN\n{after};\nEND"]


def _triggers():
    return [statement for table, events in CURATION_WRITES.items()
            for event, (claims, moment, reviewer) in events.items()
            for statement in status_triggers(table, event, claims, moment, reviewer)]


STATUS_HISTORY_SQL = [
    STATUS_HISTORY_TABLE,
    "CREATE INDEX idx_claim_status_history_claim ON claim_status_history (claim_id, id)",
    "CREATE INDEX idx_claim_status_history_recorded ON claim_status_history (recorded_at)",
    *_triggers(),
]


def record_status_changes(db, *, now, cause, detail=None):
    """Record every claim whose status is not the one last recorded; returns how many."""
    if cause not in CAUSES:
        raise ValueError(f"unknown cause {cause!r}: one of {', '.join(CAUSES)}")
    with write_transaction(db):
        cursor = db.execute(RECORD_ALL, {"now": now, "cause": cause, "detail": detail})
    return cursor.rowcount
