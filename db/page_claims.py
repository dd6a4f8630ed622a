"""Claims changed from the browser: the one way a reviewer adds, archives or sets
aside a statement on a website page.

The write path, end to end (the same shape as db/curation.py's):

1. A signed-in reviewer submits a form on a page's view (web/templates/page.html):
   "Make it a claim" under an unclaimed statement, "Not a claim", or
   "Archive this claim" under a claim whose text left the page.
2. The route (web/plugins/site.py) checks the PubMed query
   (``evidence.claim_queries.query_problems``: the one place a query is checked
   before it is stored) and INSERTs one row into ``claim_log``, with the
   signed-in reviewer and the time.
3. Triggers on ``claim_log`` (``CLAIM_LOG_SQL`` below, created by migration
   m011) refuse a bad request with a message staff can act on, and otherwise
   apply it: a new row in ``claims`` (``source`` 'browser'), a claim archived
   (``archived_by`` the reviewer), or a ``statement_decisions`` row.

``litref claims --export`` then writes the claims back to claims.yml, the file
IT keeps in version control; loading claims.yml never removes a claim added in
the browser, nor brings back one archived there (db/claims.py).
"""

from litref.db.curation import UNKNOWN_CLAIM
from litref.db.sql import quoted_list
from litref.evidence.vocabularies import page_states

ACTIONS = ("add", "archive", "not-a-claim")

# The newest kept text of NEW.page_id.
_NEWEST_SNAPSHOT = "(SELECT max(id) FROM page_snapshots WHERE page_id = NEW.page_id)"

# What claim_log refuses, in the order it is checked: condition on NEW → message.
_REFUSALS = [
    ("coalesce(NEW.reviewer, '') = ''", "Sign in first: every change records who made it."),
    ("NEW.action = 'add' AND (coalesce(NEW.claim_id, '') = '' OR NEW.claim_id GLOB '*[^a-z0-9-]*' "
     "OR NEW.claim_id GLOB '-*')",
     "Give the claim an id of lower-case letters, digits and hyphens, for example "
     "'msc-reduces-steroid-need'."),
    ("NEW.action = 'add' AND EXISTS (SELECT 1 FROM claims WHERE id = NEW.claim_id)",
     "That id belongs to another claim (ids are never reused, even for archived claims): "
     "choose another."),
    ("NEW.action != 'archive' AND NOT EXISTS "
     "(SELECT 1 FROM pages WHERE id = NEW.page_id AND removed_at IS NULL)",
     "Unknown page: open the page from the home page and try again."),
    ("NEW.action = 'add' AND coalesce(trim(NEW.text), '') = ''",
     "Copy the claim's text from the page."),
    ("NEW.action = 'add' AND NOT EXISTS (SELECT 1 FROM page_snapshots "
     f"WHERE id = {_NEWEST_SNAPSHOT} AND instr(text, NEW.text) > 0)",
     "The text is not on the page as litref last read it: copy it exactly from the statement "
     "shown (you may leave out words at either end, not in the middle)."),
    ("NEW.action = 'add' AND coalesce(trim(NEW.query), '') = ''",
     "Give a PubMed query to start from: it finds evidence for or against the claim."),
    ("NEW.action = 'archive' AND NOT EXISTS "
     "(SELECT 1 FROM claims WHERE id = NEW.claim_id AND archived_at IS NULL)", UNKNOWN_CLAIM),
    ("NEW.action = 'archive' AND NOT EXISTS (SELECT 1 FROM claim_page_checks k "
     "JOIN claims cl ON cl.id = k.claim_id AND cl.text = k.checked_text "
     f"WHERE k.claim_id = NEW.claim_id AND k.state IN {quoted_list(page_states.DRIFTED)})",
     "This claim is still on its page word for word: only a claim whose text left the page "
     "is archived here. To retire it anyway, remove it from claims.yml."),
    ("NEW.action = 'not-a-claim' AND (NOT EXISTS (SELECT 1 FROM page_statements "
     "WHERE page_id = NEW.page_id AND text = NEW.text AND claimed_by IS NULL) OR EXISTS "
     "(SELECT 1 FROM statement_decisions WHERE page_id = NEW.page_id AND text = NEW.text))",
     "That statement is no longer listed: it is already a claim, already set aside, or gone "
     "from the page."),
]


def _sql_text(text):
    return text.replace("'", "''")


_REFUSES = (
    "CREATE TRIGGER claim_log_refuses BEFORE INSERT ON claim_log BEGIN\n"
    "    SELECT CASE\n"
    + "\n".join(f"        WHEN {condition} THEN RAISE(ABORT, '{_sql_text(message)}')"
                for condition, message in _REFUSALS)
    + "\n    END;\nEND"
)

_APPLIES = f"""CREATE TRIGGER claim_log_applies AFTER INSERT ON claim_log BEGIN
    INSERT INTO claims (id, page_id, page, section, text, query, position, loaded_at, source)
    SELECT NEW.claim_id, NEW.page_id, p.title, NEW.section, NEW.text, NEW.query,
           (SELECT coalesce(max(position), 0) + 1 FROM claims), NEW.logged_at, 'browser'
    FROM pages p WHERE NEW.action = 'add' AND p.id = NEW.page_id;
    INSERT INTO claim_page_checks (claim_id, page_id, snapshot_id, checked_text, state, page_offset,
                                   last_seen)
    SELECT NEW.claim_id, NEW.page_id, s.id, NEW.text, 'on-page', instr(s.text, NEW.text) - 1,
           (SELECT max(checked_at) FROM page_checks WHERE snapshot_id = s.id)
    FROM page_snapshots s WHERE NEW.action = 'add' AND s.id = {_NEWEST_SNAPSHOT};
    UPDATE page_statements SET claimed_by = NEW.claim_id
    WHERE NEW.action = 'add' AND page_id = NEW.page_id AND claimed_by IS NULL
      AND (instr(text, NEW.text) > 0 OR instr(NEW.text, text) > 0);
    UPDATE claim_log SET (page_id, text) = (SELECT page_id, text FROM claims WHERE id = NEW.claim_id)
    WHERE id = NEW.id AND NEW.action = 'archive';
    UPDATE claims SET archived_at = NEW.logged_at, archived_by = NEW.reviewer
    WHERE NEW.action = 'archive' AND id = NEW.claim_id;
    INSERT INTO statement_decisions (page_id, text, note, reviewer, decided_at)
    SELECT NEW.page_id, NEW.text, NEW.note, NEW.reviewer, NEW.logged_at
    WHERE NEW.action = 'not-a-claim';
END"""

CLAIM_LOG_SQL = [
    f"""CREATE TABLE claim_log (
        id INTEGER PRIMARY KEY,
        action TEXT NOT NULL CHECK (action IN {quoted_list(ACTIONS)}),
        claim_id TEXT,
        page_id TEXT,
        section TEXT,
        text TEXT,
        query TEXT,
        note TEXT,
        reviewer TEXT NOT NULL,
        logged_at TEXT NOT NULL
    )""",
    "CREATE INDEX idx_claim_log_page ON claim_log (page_id)",
    """CREATE TABLE statement_decisions (
        page_id TEXT NOT NULL,
        text TEXT NOT NULL,
        note TEXT,
        reviewer TEXT NOT NULL,
        decided_at TEXT NOT NULL,
        PRIMARY KEY (page_id, text)
    )""",
    _REFUSES,
    _APPLIES,
]
