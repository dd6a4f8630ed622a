"""Staff curation: the one way a judgement reaches ``claim_evidence``.

The write path, end to end:

1. A signed-in reviewer submits a form on a claim's page (web/templates/claim.html).
2. The form posts to a writable canned query, ``link_citation``,
   ``change_stance`` or ``remove_link`` (web/queries/*.sql), which only
   INSERTs a request into ``curation_log``, with Datasette's actor as reviewer.
3. Triggers on ``curation_log`` (``CURATION_LOG_SQL`` below, created by
   migration m007) refuse a bad request with a message staff can act on, and
   otherwise apply it to ``claim_evidence``, keeping what a change or removal
   replaced in the log.

Fetches and imports never write here; nothing here ever deletes a log row.
The demo's sample links are the one other writer (``save_sample_curation``).
"""

from litref.db.sql import quoted_list
from litref.db.writing import write_transaction
from litref.evidence.vocabularies import stances

SAMPLE_REVIEWER = "sample (reference-records.json)"

UNKNOWN_CLAIM = "Unknown claim id: pick the claim from the claims list and try again."


def claim_exists(also=None):
    """The one test that NEW.claim_id names a claim (``also``: a further condition on it)."""
    return f"EXISTS (SELECT 1 FROM claims WHERE id = NEW.claim_id{' AND ' + also if also else ''})"

# What curation_log refuses, in the order it is checked: condition on NEW → message.
# Literal messages: RAISE takes no expressions in SQLite 3.40.
_REFUSALS = {
    "no_reviewer": ("coalesce(NEW.reviewer, '') = ''",
                    "Sign in first: every change records who made it."),
    # An archived claim is off the website: its evidence is kept as it was.
    "inactive_claim": (f"NOT {claim_exists('archived_at IS NULL')}", UNKNOWN_CLAIM),
    "unknown_pmid": ("NOT EXISTS (SELECT 1 FROM citations WHERE pmid = NEW.pmid)",
                     "That PMID is not in the database: check the number, or bring the article in "
                     "first (a saved search or litref import)."),
    "no_stance": (f"NEW.action != 'remove' AND coalesce(NEW.stance, '') NOT IN {quoted_list(stances.CODES)}",
                  f"Choose a stance: {', '.join(stances.CODES[:-1])} or {stances.CODES[-1]}."),
    "already_linked": ("NEW.action = 'link' AND EXISTS (SELECT 1 FROM claim_evidence "
                       "WHERE claim_id = NEW.claim_id AND pmid = NEW.pmid)",
                       "This article is already linked to this claim: change its stance instead."),
    "not_linked": ("NEW.action != 'link' AND NOT EXISTS (SELECT 1 FROM claim_evidence "
                   "WHERE claim_id = NEW.claim_id AND pmid = NEW.pmid)",
                   "This article is not linked to this claim: nothing to change or remove."),
}


def _refuses_trigger(names):
    cases = "\n".join(
        f"        WHEN {_REFUSALS[name][0]} THEN RAISE(ABORT, '{_sql_text(_REFUSALS[name][1])}')"
        for name in names
    )
    return (f"CREATE TRIGGER curation_log_refuses BEFORE INSERT ON curation_log BEGIN\n"
            f"        SELECT CASE\n{cases}\n        END;\n    END")


def _sql_text(text):
    return text.replace("'", "''")


def _claim_check(name, event):
    return (f"CREATE TRIGGER claim_evidence_{name} BEFORE {event} ON claim_evidence "
            f"WHEN NOT {claim_exists()} "
            f"BEGIN SELECT RAISE(ABORT, '{_sql_text(UNKNOWN_CLAIM)}'); END")


# Every writer of claim_evidence, Datasette's (foreign keys off) included, needs a claim.
CLAIM_CHECK_SQL = [_claim_check("needs_claim", "INSERT"), _claim_check("keeps_claim", "UPDATE OF claim_id")]

CURATION_LOG_SQL = [
    """CREATE TABLE curation_log (
        id INTEGER PRIMARY KEY,
        action TEXT NOT NULL CHECK (action IN ('link', 'change', 'remove')),
        claim_id TEXT NOT NULL,
        pmid INTEGER NOT NULL,
        stance TEXT,
        note TEXT,
        reviewer TEXT NOT NULL,
        logged_at TEXT NOT NULL,
        previous_stance TEXT,
        previous_note TEXT,
        previous_reviewer TEXT
    )""",
    "CREATE INDEX idx_curation_log_claim ON curation_log (claim_id)",
    _refuses_trigger(["no_reviewer", "inactive_claim", "unknown_pmid", "no_stance",
                      "already_linked", "not_linked"]),
    """CREATE TRIGGER curation_log_applies AFTER INSERT ON curation_log BEGIN
        UPDATE curation_log SET
            (previous_stance, previous_note, previous_reviewer) = (
                SELECT stance, note, reviewer FROM claim_evidence
                WHERE claim_id = NEW.claim_id AND pmid = NEW.pmid)
        WHERE id = NEW.id AND NEW.action != 'link';
        DELETE FROM claim_evidence
        WHERE NEW.action = 'remove' AND claim_id = NEW.claim_id AND pmid = NEW.pmid;
        UPDATE claim_evidence SET stance = NEW.stance, note = NEW.note, reviewer = NEW.reviewer,
            reviewed_at = NEW.logged_at, is_sample = 0
        WHERE NEW.action = 'change' AND claim_id = NEW.claim_id AND pmid = NEW.pmid;
        INSERT INTO claim_evidence (claim_id, pmid, stance, note, reviewer, reviewed_at, is_sample)
        SELECT NEW.claim_id, NEW.pmid, NEW.stance, NEW.note, NEW.reviewer, NEW.logged_at, 0
        WHERE NEW.action = 'link';
    END""",
]

def save_sample_curation(db, links, *, now):
    """The demo's curation, marked as sample; never overwrites a link staff already made."""
    with write_transaction(db):
        cursor = db.conn.executemany(
            "INSERT OR IGNORE INTO claim_evidence "
            "(claim_id, pmid, stance, note, reviewer, reviewed_at, is_sample) "
            "VALUES (?, ?, ?, ?, ?, ?, 1)",
            [
                (link["claim"], int(link["pmid"]), link["stance"], link.get("note"),
                 SAMPLE_REVIEWER, now)
                for link in links
            ],
        )
    return cursor.rowcount


def missing_curated_pmids(db):
    """Curated PMIDs not (yet) in citations: shown as missing, fetched on the next run.
    Those PubMed deleted are left out: there is nothing to fetch, and the claim shows them
    flagged."""
    return [
        row[0]
        for row in db.execute(
            "SELECT DISTINCT e.pmid FROM claim_evidence e "
            "LEFT JOIN citations c ON c.pmid = e.pmid WHERE c.pmid IS NULL "
            "AND e.pmid NOT IN (SELECT pmid FROM citation_deletions) ORDER BY e.pmid"
        )
    ]
