"""Staff curation: the one way a reviewer's judgement reaches the database.

The write path, end to end:

1. A signed-in reviewer submits a form on a claim's page or the review queue
   (web/templates/claim.html, review.html).
2. The form posts to a writable canned query (web/queries/link_citation.sql,
   change_stance, remove_link, assess_citation, dismiss_candidate,
   restore_candidate, mark_claim_searched), which only INSERTs a request into
   ``curation_log``, with Datasette's actor as reviewer.
3. Triggers on ``curation_log`` (``CURATION_TRIGGERS`` below) refuse a bad
   request with a message staff can act on, and otherwise apply it: a link to
   ``claim_evidence``, an assessment to ``citation_assessments``, a screening
   decision to ``candidate_decisions``, a claim searched with nothing found to
   ``claim_searches``; the log keeps what each change replaced.

The actions are those of evidence/vocabularies/curation_actions.py. Fetches
and imports never write here; nothing here ever deletes a log row. The demo's
sample curation is the one other writer (``save_sample_curation``).
"""

from litref.db.sql import quoted_list
from litref.db.writing import write_transaction
from litref.evidence.vocabularies import curation_actions, designs, stances, subjects

SAMPLE_REVIEWER = "sample (reference-records.json)"

UNKNOWN_CLAIM = "Unknown claim id: pick the claim from the claims list and try again."
UNKNOWN_PMID = ("That PMID is not in the database: check the number, or bring the article in "
                "first (a saved search or litref import).")
CHOOSE_STANCE = f"Choose a stance: {', '.join(stances.CODES[:-1])} or {stances.CODES[-1]}."
NOT_LINKED = "This article is not linked to this claim: nothing to change or remove."


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
    "unknown_pmid": ("NOT EXISTS (SELECT 1 FROM citations WHERE pmid = NEW.pmid)", UNKNOWN_PMID),
    "no_stance": (f"NEW.action != 'remove' AND coalesce(NEW.stance, '') NOT IN {quoted_list(stances.CODES)}",
                  CHOOSE_STANCE),
    "already_linked": ("NEW.action = 'link' AND EXISTS (SELECT 1 FROM claim_evidence "
                       "WHERE claim_id = NEW.claim_id AND pmid = NEW.pmid)",
                       "This article is already linked to this claim: change its stance instead."),
    "not_linked": ("NEW.action != 'link' AND NOT EXISTS (SELECT 1 FROM claim_evidence "
                   "WHERE claim_id = NEW.claim_id AND pmid = NEW.pmid)", NOT_LINKED),
    # Since m015 (the actions of curation_actions.py):
    "unknown_study": ("NEW.action != 'searched' AND NOT EXISTS (SELECT 1 FROM citations WHERE pmid = NEW.pmid)",
                      UNKNOWN_PMID),
    "stance_needed": (f"NEW.action IN ('link', 'change') AND coalesce(NEW.stance, '') NOT IN {quoted_list(stances.CODES)}",
                      CHOOSE_STANCE),
    "bad_design": (f"NEW.study_design IS NOT NULL AND NEW.study_design NOT IN {quoted_list(designs.CODES)}",
                   "Choose a study design from the list."),
    "bad_subjects": (f"NEW.subjects IS NOT NULL AND NEW.subjects NOT IN {quoted_list(subjects.CODES)}",
                     "Choose the subjects from the list."),
    "empty_assessment": ("NEW.action = 'assess' AND NEW.study_design IS NULL AND NEW.subjects IS NULL "
                         "AND NEW.note IS NULL",
                         "Give the design, the subjects or a few words of what you read."),
    "linked_not_dismissed": ("NEW.action = 'dismiss' AND EXISTS (SELECT 1 FROM claim_evidence "
                             "WHERE claim_id = NEW.claim_id AND pmid = NEW.pmid)",
                             "This article is linked to the claim: remove the link before marking it "
                             "not relevant."),
    "dismissed_twice": ("NEW.action = 'dismiss' AND EXISTS (SELECT 1 FROM candidate_decisions "
                        "WHERE claim_id = NEW.claim_id AND pmid = NEW.pmid)",
                        "This article is already marked not relevant for this claim."),
    "nothing_to_restore": ("NEW.action = 'restore' AND NOT EXISTS (SELECT 1 FROM candidate_decisions "
                           "WHERE claim_id = NEW.claim_id AND pmid = NEW.pmid)",
                           "This article is not marked not relevant for this claim: nothing to restore."),
    "linked_only": ("NEW.action IN ('change', 'remove') AND NOT EXISTS (SELECT 1 FROM claim_evidence "
                    "WHERE claim_id = NEW.claim_id AND pmid = NEW.pmid)", NOT_LINKED),
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

# A link made, changed or removed, applied to claim_evidence (inside the triggers below).
_APPLY_LINK = """        DELETE FROM claim_evidence
        WHERE NEW.action = 'remove' AND claim_id = NEW.claim_id AND pmid = NEW.pmid;
        UPDATE claim_evidence SET stance = NEW.stance, note = NEW.note, reviewer = NEW.reviewer,
            reviewed_at = NEW.logged_at, is_sample = 0
        WHERE NEW.action = 'change' AND claim_id = NEW.claim_id AND pmid = NEW.pmid;
        INSERT INTO claim_evidence (claim_id, pmid, stance, note, reviewer, reviewed_at, is_sample)
        SELECT NEW.claim_id, NEW.pmid, NEW.stance, NEW.note, NEW.reviewer, NEW.logged_at, 0
        WHERE NEW.action = 'link';
"""

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
    f"""CREATE TRIGGER curation_log_applies AFTER INSERT ON curation_log BEGIN
        UPDATE curation_log SET
            (previous_stance, previous_note, previous_reviewer) = (
                SELECT stance, note, reviewer FROM claim_evidence
                WHERE claim_id = NEW.claim_id AND pmid = NEW.pmid)
        WHERE id = NEW.id AND NEW.action != 'link';
{_APPLY_LINK}    END""",
]

# --- Since m015: the reviewer's assessment and screening decisions -----------------

CURATION_TABLES_SQL = [
    f"""CREATE TABLE citation_assessments (
        pmid INTEGER PRIMARY KEY,
        study_design TEXT CHECK (study_design IS NULL OR study_design IN {quoted_list(designs.CODES)}),
        subjects TEXT CHECK (subjects IS NULL OR subjects IN {quoted_list(subjects.CODES)}),
        detail TEXT,
        reviewer TEXT NOT NULL,
        assessed_at TEXT NOT NULL,
        is_sample INTEGER NOT NULL DEFAULT 0 CHECK (is_sample IN (0, 1))
    )""",
    """CREATE TABLE candidate_decisions (
        claim_id TEXT NOT NULL REFERENCES claims(id),
        pmid INTEGER NOT NULL,
        decision TEXT NOT NULL CHECK (decision = 'not-relevant'),
        reason TEXT,
        reviewer TEXT NOT NULL,
        decided_at TEXT NOT NULL,
        PRIMARY KEY (claim_id, pmid)
    )""",
    """CREATE TABLE claim_searches (
        claim_id TEXT PRIMARY KEY REFERENCES claims(id),
        searched_at TEXT NOT NULL,
        reviewer TEXT NOT NULL,
        note TEXT
    )""",
]

# curation_log as m015 rebuilt it: every action, a claim-wide action without a
# pmid, and the assessment's design and subjects (with what they replaced).
CURATION_LOG_V2_SQL = f"""CREATE TABLE curation_log (
        id INTEGER PRIMARY KEY,
        action TEXT NOT NULL CHECK (action IN {quoted_list(curation_actions.CODES)}),
        claim_id TEXT NOT NULL,
        pmid INTEGER,
        stance TEXT,
        note TEXT,
        study_design TEXT,
        subjects TEXT,
        reviewer TEXT NOT NULL,
        logged_at TEXT NOT NULL,
        previous_stance TEXT,
        previous_note TEXT,
        previous_reviewer TEXT,
        previous_design TEXT,
        previous_subjects TEXT
    )"""

CURATION_TRIGGERS = [
    _refuses_trigger(["no_reviewer", "inactive_claim", "unknown_study", "stance_needed", "bad_design",
                      "bad_subjects", "empty_assessment", "already_linked", "linked_only",
                      "linked_not_dismissed", "dismissed_twice", "nothing_to_restore"]),
    # What each action replaces goes into its own log row first, then the action is applied.
    f"""CREATE TRIGGER curation_log_applies AFTER INSERT ON curation_log BEGIN
        UPDATE curation_log SET
            (previous_stance, previous_note, previous_reviewer) = (
                SELECT stance, note, reviewer FROM claim_evidence
                WHERE claim_id = NEW.claim_id AND pmid = NEW.pmid)
        WHERE id = NEW.id AND NEW.action IN ('change', 'remove');
        UPDATE curation_log SET
            (previous_design, previous_subjects, previous_note, previous_reviewer) = (
                SELECT study_design, subjects, detail, reviewer FROM citation_assessments
                WHERE pmid = NEW.pmid)
        WHERE id = NEW.id AND NEW.action = 'assess';
        UPDATE curation_log SET (previous_note, previous_reviewer) = (
                SELECT reason, reviewer FROM candidate_decisions
                WHERE claim_id = NEW.claim_id AND pmid = NEW.pmid)
        WHERE id = NEW.id AND NEW.action = 'restore';

{_APPLY_LINK}
        -- An assessment, alone or given while linking: what is left empty is kept.
        INSERT INTO citation_assessments (pmid, study_design, subjects, detail, reviewer, assessed_at)
        SELECT NEW.pmid, NEW.study_design, NEW.subjects,
               CASE WHEN NEW.action = 'assess' THEN NEW.note END, NEW.reviewer, NEW.logged_at
        WHERE NEW.action = 'assess'
           OR (NEW.action IN ('link', 'change') AND coalesce(NEW.study_design, NEW.subjects) IS NOT NULL)
        ON CONFLICT (pmid) DO UPDATE SET
            study_design = coalesce(excluded.study_design, study_design),
            subjects = coalesce(excluded.subjects, subjects),
            detail = coalesce(excluded.detail, detail),
            reviewer = excluded.reviewer, assessed_at = excluded.assessed_at, is_sample = 0;

        -- A study linked to the claim is no longer "not relevant" to it.
        DELETE FROM candidate_decisions
        WHERE NEW.action IN ('link', 'restore') AND claim_id = NEW.claim_id AND pmid = NEW.pmid;
        INSERT INTO candidate_decisions (claim_id, pmid, decision, reason, reviewer, decided_at)
        SELECT NEW.claim_id, NEW.pmid, 'not-relevant', NEW.note, NEW.reviewer, NEW.logged_at
        WHERE NEW.action = 'dismiss';

        INSERT INTO claim_searches (claim_id, searched_at, reviewer, note)
        SELECT NEW.claim_id, NEW.logged_at, NEW.reviewer, NEW.note
        WHERE NEW.action = 'searched'
        ON CONFLICT (claim_id) DO UPDATE SET searched_at = excluded.searched_at,
            reviewer = excluded.reviewer, note = excluded.note;
    END""",
]


def save_sample_curation(db, curation, *, now):
    """The demo's curation (links and assessments, as litref/config.py reads them), marked
    as sample with reviewer SAMPLE_REVIEWER; never overwrites what staff already recorded.
    Returns how many links were stored."""
    with write_transaction(db):
        links = db.conn.executemany(
            "INSERT OR IGNORE INTO claim_evidence "
            "(claim_id, pmid, stance, note, reviewer, reviewed_at, is_sample) VALUES (?, ?, ?, ?, ?, ?, 1)",
            [(link["claim"], int(link["pmid"]), link["stance"], link.get("note"), SAMPLE_REVIEWER, now)
             for link in curation["links"]],
        ).rowcount
        db.conn.executemany(
            "INSERT OR IGNORE INTO citation_assessments "
            "(pmid, study_design, subjects, detail, reviewer, assessed_at, is_sample) VALUES (?, ?, ?, ?, ?, ?, 1)",
            [(int(a["pmid"]), a.get("design"), a.get("subjects"), a.get("detail"), SAMPLE_REVIEWER, now)
             for a in curation["assessments"]],
        )
    return links


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
