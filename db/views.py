"""SQL views that derive each claim's evidence, candidates and status.

The status codes are those of evidence/vocabularies/statuses.py (a test checks
the CASE below yields exactly them); the strong designs and decisive stances
are built from their vocabularies. Changing a vocabulary needs a migration that
recreates these views.

Statuses are never stored by hand: they follow from the curated links, the
citations' evidence levels and their retraction flags, so a retraction that
arrives overnight changes a claim's status without anyone touching it.

The rule, in words (the README says the same for staff):
  cites-flagged-paper  a curated citation is retracted, has an expression of
                       concern, or was deleted from PubMed
  no-evidence-found    no curated citation supports, contradicts or is mixed,
                       and a reviewer searched and found nothing relevant,
                       with no new candidate since
  unreviewed           no curated citation supports, contradicts or is mixed
                       (and nobody has searched, or new candidates came since)
  then the claim is judged by its strongest human evidence: among curated
  citations about humans with a design that can carry a claim about patients
  (meta-analysis, trial, observational study, guideline), those of the best
  design decide: all supporting → supported, all contradicting →
  contradicted, otherwise mixed;
  with no such evidence: only supporting → weakly-supported (only animal or
  in-vitro studies, reviews or case reports), only contradicting →
  contradicted, otherwise mixed.

A study's design and subjects are its grade (view citation_grades): the
reviewer's assessment when there is one, else what litref worked out from
PubMed's indexing or from the title and abstract (evidence/grading.py).
"""

from litref.db.query_sql import CITATION_FACETS_INDEX
from litref.db.sql import quoted_list
from litref.db.writing import write_transaction
from litref.evidence.vocabularies import designs, flags, page_states, stances, statuses

STRONG_DESIGNS_SQL = quoted_list(designs.STRONG)
DECISIVE_STANCES_SQL = quoted_list(stances.DECISIVE)


def _design_rank(expression):
    """The rank of a design code, as SQL (from the designs vocabulary)."""
    whens = " ".join(f"WHEN '{d['code']}' THEN {d['rank']}" for d in designs.DESIGNS)
    return f"CASE {expression} {whens} END"


def _grade(c="c", a="a"):
    """A citation's grade as SQL expressions by column: the reviewer's assessment (``a``,
    citation_assessments) outranks the automatic grade (``c``, citations), field by field."""
    design = f"coalesce({a}.study_design, {c}.study_design)"
    return {
        "study_design": design,
        "design_rank": _design_rank(design),
        "design_source": f"CASE WHEN {a}.study_design IS NOT NULL THEN 'reviewer' ELSE {c}.design_source END",
        "design_words": f"CASE WHEN {a}.study_design IS NOT NULL THEN {a}.detail ELSE {c}.design_words END",
        "subjects": f"coalesce({a}.subjects, {c}.subjects)",
        "subjects_source": f"CASE WHEN {a}.subjects IS NOT NULL THEN 'reviewer' ELSE {c}.subjects_source END",
        "subjects_words": f"CASE WHEN {a}.subjects IS NOT NULL THEN {a}.detail ELSE {c}.subjects_words END",
    }


GRADE = _grade()
GRADE_COLUMNS = ",\n    ".join(f"{expression} AS {column}" for column, expression in GRADE.items())


CITATION_GRADES = f"""
CREATE VIEW citation_grades AS
SELECT c.pmid,
    {GRADE_COLUMNS},
    a.reviewer AS assessed_by, a.assessed_at, coalesce(a.is_sample, 0) AS assessment_is_sample
FROM citations c
LEFT JOIN citation_assessments a ON a.pmid = c.pmid
"""

# A curated PMID not stored is flagged deleted when PubMed's deletion of it was seen
# (citation_deletions); flagged_at is when its newest flag was first seen. The grade is
# read here from its two tables, not through citation_grades: SQLite cannot look a
# view with a join inside up by PMID on the right of a LEFT JOIN, and would build the
# grade of every stored citation first (seconds at 200,000 citations).
CLAIM_EVIDENCE_DETAIL = f"""
CREATE VIEW claim_evidence_detail AS
SELECT
    e.claim_id, e.pmid, e.stance, e.note, e.reviewer, e.reviewed_at, e.is_sample,
    c.title, c.authors, c.journal, c.year, c.doi, c.pmcid,
    {GRADE_COLUMNS},
    c.is_retracted, c.has_expression_of_concern,
    coalesce(c.is_deleted, gone.pmid IS NOT NULL) AS is_deleted,
    c.pmid IS NULL AS is_missing,
    coalesce({" OR ".join("c." + column for column in flags.COLUMNS)}, gone.pmid IS NOT NULL)
        AS is_flagged,
    coalesce({GRADE["subjects"]} = 'humans' AND {GRADE["study_design"]} IN {STRONG_DESIGNS_SQL}, 0)
        AS is_strong_human,
    coalesce(c.flagged_at, gone.first_seen) AS flagged_at
FROM claim_evidence e
LEFT JOIN citations c ON c.pmid = e.pmid
LEFT JOIN citation_assessments a ON a.pmid = e.pmid
LEFT JOIN citation_deletions gone ON gone.pmid = e.pmid
"""

# Whether a match is still undecided reads two flags of its citation: through the
# covering index of m012_search_lookups, not the row, which holds the abstract (on
# the home page, every claim's matches are checked: 3.5 times faster at 200,000).
_FLAGS_OF_CITATION = f"citations c INDEXED BY {CITATION_FACETS_INDEX}"

# A match m not decided on yet: not linked to its claim, not marked not relevant.
_NOT_DECIDED = """NOT EXISTS (SELECT 1 FROM claim_evidence e WHERE e.claim_id = m.claim_id AND e.pmid = m.pmid)
      AND NOT EXISTS (SELECT 1 FROM candidate_decisions d
                      WHERE d.claim_id = m.claim_id AND d.pmid = m.pmid)"""

# Such a match whose citation c is evidence at all (not deleted; by its grade, with a
# reviewer's assessment a, not a notice).
_UNDECIDED = f"""+c.is_deleted = 0 AND {GRADE['study_design']} != 'notice' AND {_NOT_DECIDED}"""
_UNDECIDED_CITATION = f"""{_FLAGS_OF_CITATION} ON c.pmid = m.pmid
    LEFT JOIN citation_assessments a ON a.pmid = m.pmid"""

# The grade columns a candidate shows.
CANDIDATE_GRADE_COLUMNS = ("study_design", "design_rank", "subjects", "design_source", "design_words",
                           "subjects_source", "subjects_words")

# A claim's candidates (claim_matches, db/candidates.py) that a reviewer has still to
# decide on, best first: those whose title (or MeSH) names more parts of the claim's
# query, then more parts anywhere, then the strongest design, then the newest. Not
# linked, not marked not relevant, and evidence at all.
# They are ranked from covering indexes (m016's of the matches; m012's of each
# citation's flags, design and year); a match's row (why it was found) and a
# citation's row, which holds its abstract, are read only for the rows asked for: the
# claim page's one page of candidates (``rank`` between two numbers) reads 26 rows,
# not the thousands a claim has at 1,000,000 citations (400 ms, against 90); a query
# of ranks alone (the review queue's first step) reads claim_candidate_ranks.
# "+" keeps SQLite from reading all of citations through the is_deleted index (it has
# no statistics of that index, so the planner would take is_deleted = 0 as selective).
CLAIM_CANDIDATE_RANKS = f"""
CREATE VIEW claim_candidate_ranks AS
SELECT m.claim_id, m.pmid,
    row_number() OVER (PARTITION BY m.claim_id
                       ORDER BY m.parts_in_title DESC, m.parts DESC, {GRADE["design_rank"]},
                                c.year DESC, m.pmid) AS rank,
    m.found_at AS arrived, m.parts, m.parts_in_title
FROM claim_matches m
JOIN claims cl ON cl.id = m.claim_id
JOIN {_UNDECIDED_CITATION}
WHERE cl.archived_at IS NULL AND {_UNDECIDED}
"""

CLAIM_CANDIDATES = f"""
CREATE VIEW claim_candidates AS
SELECT r.claim_id, r.pmid, r.rank, m.found_by, r.arrived, r.parts, r.parts_in_title,
    c.title, c.authors, c.journal, c.year,
    {", ".join(f"{GRADE[column]} AS {column}" for column in CANDIDATE_GRADE_COLUMNS)},
    c.is_retracted, c.has_expression_of_concern
FROM claim_candidate_ranks r
JOIN claim_matches m ON m.claim_id = r.claim_id AND m.pmid = r.pmid
JOIN citations c ON c.pmid = r.pmid
LEFT JOIN citation_assessments a ON a.pmid = r.pmid
"""

# A claim's undecided candidates found after a date ({since}): the new work for reviewers.
_NEW_SINCE = f"""
    SELECT 1 FROM claim_matches m
    JOIN {_UNDECIDED_CITATION}
    WHERE m.claim_id = cl.id AND m.found_at > {{since}} AND {_UNDECIDED}
"""

# When each undecided candidate arrived, by claim: "What changed" counts a period's
# new candidates per claim from it (web/changes.py), by index (claim_id, found_at).
CLAIM_CANDIDATE_ARRIVALS = f"""
CREATE VIEW claim_candidate_arrivals AS
SELECT cl.id AS claim_id, m.pmid, m.found_at
FROM claims cl
JOIN claim_matches m ON m.claim_id = cl.id
JOIN {_UNDECIDED_CITATION}
WHERE cl.archived_at IS NULL AND {_UNDECIDED}
"""

CLAIM_STATUS = f"""
CREATE VIEW claim_status AS
WITH decisive AS (
    SELECT * FROM claim_evidence_detail WHERE stance IN {DECISIVE_STANCES_SQL}
),
best AS (
    SELECT claim_id, min(design_rank) AS best_rank
    FROM decisive WHERE is_strong_human GROUP BY claim_id
),
best_stances AS (
    SELECT d.claim_id,
           max(d.stance = 'supports') AS supports,
           max(d.stance = 'contradicts') AS contradicts,
           max(d.stance = 'mixed') AS mixed
    FROM decisive d
    JOIN best b ON b.claim_id = d.claim_id AND d.design_rank = b.best_rank AND d.is_strong_human
    GROUP BY d.claim_id
),
strongest_human AS (
    SELECT claim_id, min(design_rank) AS rank
    FROM decisive WHERE subjects = 'humans' GROUP BY claim_id
),
summary AS (
    SELECT cl.id AS claim_id,
           count(ev.pmid) AS evidence,
           coalesce(sum(ev.stance = 'supports'), 0) AS supports,
           coalesce(sum(ev.stance = 'contradicts'), 0) AS contradicts,
           coalesce(sum(ev.stance = 'mixed'), 0) AS mixed,
           coalesce(sum(ev.stance = 'context'), 0) AS context,
           coalesce(sum(ev.is_flagged), 0) AS flagged,
           coalesce(sum(ev.is_missing), 0) AS missing,
           max(ev.reviewed_at) AS last_linked
    FROM claims cl
    LEFT JOIN claim_evidence_detail ev ON ev.claim_id = cl.id
    WHERE cl.archived_at IS NULL
    GROUP BY cl.id
),
reviewed AS (
    -- A reviewer's last look at the claim: a link, a screening decision, or a search.
    SELECT s.claim_id, cs.searched_at, max(
        coalesce(s.last_linked, ''), coalesce(cs.searched_at, ''),
        coalesce((SELECT max(decided_at) FROM candidate_decisions d WHERE d.claim_id = s.claim_id), '')
    ) AS last_reviewed
    FROM summary s
    LEFT JOIN claim_searches cs ON cs.claim_id = s.claim_id
)
SELECT
    cl.id AS claim_id, cl.page, cl.section, cl.text,
    CASE
        WHEN s.flagged > 0 THEN 'cites-flagged-paper'
        WHEN s.supports + s.contradicts + s.mixed = 0 THEN CASE
            WHEN r.searched_at IS NOT NULL AND NOT EXISTS ({_NEW_SINCE.format(since="r.searched_at")})
            THEN 'no-evidence-found' ELSE 'unreviewed' END
        WHEN bs.claim_id IS NOT NULL THEN CASE
            WHEN NOT bs.contradicts AND NOT bs.mixed THEN 'supported'
            WHEN NOT bs.supports AND NOT bs.mixed THEN 'contradicted'
            ELSE 'mixed' END
        WHEN s.contradicts = 0 AND s.mixed = 0 THEN 'weakly-supported'
        WHEN s.supports = 0 AND s.mixed = 0 THEN 'contradicted'
        ELSE 'mixed'
    END AS status,
    r.last_reviewed != '' AND EXISTS ({_NEW_SINCE.format(since="r.last_reviewed")})
        AS new_evidence_since_review,
    CASE WHEN r.last_reviewed != '' THEN
        (SELECT count(*) FROM ({_NEW_SINCE.format(since="r.last_reviewed")}
                               LIMIT {statuses.NEW_CANDIDATES_COUNTED + 1})) ELSE 0 END
        AS new_candidates,
    (SELECT label FROM evidence_levels WHERE kind = 'design' AND rank = sh.rank)
        AS strongest_human_evidence,
    s.evidence, s.supports, s.contradicts, s.mixed, s.context, s.flagged, s.missing,
    nullif(r.last_reviewed, '') AS last_reviewed, r.searched_at
FROM claims cl
JOIN summary s ON s.claim_id = cl.id
JOIN reviewed r ON r.claim_id = cl.id
LEFT JOIN best_stances bs ON bs.claim_id = cl.id
LEFT JOIN strongest_human sh ON sh.claim_id = cl.id
ORDER BY cl.position
"""

# --- The website's pages (db/pages.py) ---------------------------------------

# Each claim in use with whether its quote is on its page. A finding made for
# other words than the claim's present ones counts as no finding (not-checked).
CLAIM_PAGE_STATUS = f"""
CREATE VIEW claim_page_status AS
SELECT cl.id AS claim_id, cl.page_id, cl.page, cl.section, cl.text, cl.position, cl.source,
       coalesce(k.state, '{page_states.NOT_CHECKED}') AS page_state,
       k.page_offset, k.last_seen, k.nearest_passage, k.similarity, k.snapshot_id
FROM claims cl
LEFT JOIN claim_page_checks k ON k.claim_id = cl.id AND k.checked_text = cl.text
WHERE cl.archived_at IS NULL
"""

# Checkable sentences on a page that no claim quotes and nobody set aside.
UNCLAIMED_STATEMENTS = """
CREATE VIEW unclaimed_statements AS
SELECT s.page_id, p.title AS page, s.position, s.section, s.text, s.signals, s.first_seen,
       s.snapshot_id
FROM page_statements s
JOIN pages p ON p.id = s.page_id AND p.removed_at IS NULL
WHERE s.claimed_by IS NULL
  AND NOT EXISTS (SELECT 1 FROM statement_decisions d WHERE d.page_id = s.page_id AND d.text = s.text)
ORDER BY p.position, s.position
"""

# One row per page of pages.yml: its last reading, its copies, its claims' drift.
PAGE_OVERVIEW = f"""
CREATE VIEW page_overview AS
WITH last_check AS (
    SELECT page_id, max(id) AS id FROM page_checks GROUP BY page_id
),
last_read AS (
    SELECT page_id, max(checked_at) AS at FROM page_checks WHERE outcome != 'failed' GROUP BY page_id
),
copies AS (
    SELECT page_id, count(*) AS n, max(taken_at) AS newest FROM page_snapshots GROUP BY page_id
),
drift AS (
    SELECT page_id, count(*) AS claims,
           {", ".join(f"sum(page_state = '{code}') AS {code.replace('-', '_')}" for code in page_states.CODES)}
    FROM claim_page_status GROUP BY page_id
),
open_statements AS (
    SELECT page_id, count(*) AS n FROM unclaimed_statements GROUP BY page_id
)
SELECT p.id AS page_id, p.title, p.url, p.snapshot, p.position,
       c.checked_at AS last_checked, c.outcome AS last_outcome, c.error AS last_error,
       c.source AS last_source, r.at AS last_read,
       coalesce(k.n, 0) AS copies, k.newest AS newest_copy_at,
       coalesce(d.claims, 0) AS claims,
       {", ".join(f"coalesce(d.{code.replace('-', '_')}, 0) AS {code.replace('-', '_')}" for code in page_states.CODES)},
       coalesce(u.n, 0) AS unclaimed_statements
FROM pages p
LEFT JOIN last_check lc ON lc.page_id = p.id
LEFT JOIN page_checks c ON c.id = lc.id
LEFT JOIN last_read r ON r.page_id = p.id
LEFT JOIN copies k ON k.page_id = p.id
LEFT JOIN drift d ON d.page_id = p.id
LEFT JOIN open_statements u ON u.page_id = p.id
WHERE p.removed_at IS NULL
ORDER BY p.position
"""

# The views as they are now, each after those it reads. Views hold no data, so
# they are not migrations: after the migrations, ensure_views makes the
# database's views these (a changed view is simply replaced).
VIEWS = {
    "citation_grades": CITATION_GRADES,
    "claim_evidence_detail": CLAIM_EVIDENCE_DETAIL,
    "claim_candidate_ranks": CLAIM_CANDIDATE_RANKS,
    "claim_candidates": CLAIM_CANDIDATES,
    "claim_candidate_arrivals": CLAIM_CANDIDATE_ARRIVALS,
    "claim_status": CLAIM_STATUS,
    "claim_page_status": CLAIM_PAGE_STATUS,
    "unclaimed_statements": UNCLAIMED_STATEMENTS,
    "page_overview": PAGE_OVERVIEW,
}


def drop_views(db):
    """Drop every view: a view that reads a table a migration drops or alters makes
    SQLite refuse the migration ("error in view ...")."""
    with write_transaction(db):
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'view'").fetchall():
            db.execute(f"DROP VIEW [{name}]")


def ensure_views(db):
    """Create or replace the views whose SQL differs from VIEWS; returns their names.

    Only a view that changed is touched: replacing one is a schema change,
    which makes every open connection (Datasette's) prepare its queries again.
    """
    stored = dict(db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'view'").fetchall())
    changed = [name for name, sql in VIEWS.items() if stored.get(name) != sql.strip()]
    if changed:
        with write_transaction(db):
            for name in changed:
                db.execute(f"DROP VIEW IF EXISTS {name}")
                db.execute(VIEWS[name].strip())
    return changed
