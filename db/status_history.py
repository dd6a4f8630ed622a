"""Each claim's status over time: ``claim_status_history``, read by "What changed".

A status is worked out afresh by the ``claim_status`` view every time it is
read, so a change leaves no trace of its own. This table keeps one row each
time a claim's status differs from the last one recorded for it, with the
status it had before (``previous_status``) and what made it change:

- ``record_status_changes`` (called after every fetch, import and claims load,
  in litref/pipeline.py and litref/cli.py) compares every claim;
- triggers on ``claim_evidence`` compare the one claim staff just changed
  (the curation path ends there, db/curation.py), and first record what it was
  before when the claim has no history yet, so the first change after an
  upgrade still says "from what".

It records whatever ``claim_status.status`` says: new statuses need no change here.
"""

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

# In the triggers: the row's review time, or for a removal the time the log
# recorded it (the curation path writes curation_log first).
_REMOVAL = ("(SELECT {column} FROM curation_log WHERE claim_id = OLD.claim_id AND pmid = OLD.pmid "
            "AND action = 'remove' ORDER BY id DESC LIMIT 1)")
_NOW = "strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')"
_TRIGGER_ROW = {
    "INSERT": ("NEW", "NEW.reviewed_at", "NEW.reviewer"),
    "UPDATE": ("NEW", "NEW.reviewed_at", "NEW.reviewer"),
    "DELETE": ("OLD", f"coalesce({_REMOVAL.format(column='logged_at')}, {_NOW})",
               _REMOVAL.format(column="reviewer")),
}


def _triggers():
    statements = []
    for event, (row, now, reviewer) in _TRIGGER_ROW.items():
        claim = f"s.claim_id = {row}.claim_id"
        unrecorded = f"NOT EXISTS (SELECT 1 FROM claim_status_history WHERE claim_id = {row}.claim_id)"
        statements.append(
            f"CREATE TRIGGER claim_status_history_before_{event.lower()} BEFORE {event} "
            f"ON claim_evidence WHEN {unrecorded} BEGIN\n"
            + _RECORD.format(now=now, cause="'curation'", detail="NULL", which=claim) + ";\nEND")
        statements.append(
            f"CREATE TRIGGER claim_status_history_after_{event.lower()} AFTER {event} "
            f"ON claim_evidence BEGIN\n"
            + _RECORD.format(now=now, cause="'curation'", detail=reviewer, which=claim) + ";\nEND")
    return statements


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
    with db.atomic():
        cursor = db.execute(RECORD_ALL, {"now": now, "cause": cause, "detail": detail})
    return cursor.rowcount
