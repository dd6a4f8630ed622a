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
  unreviewed           no curated citation supports, contradicts or is mixed
  then the claim is judged by its strongest human evidence: among curated
  citations about humans with a design that can carry a claim about patients
  (meta-analysis, trial, observational study, guideline), those of the best
  design decide: all supporting → supported, all contradicting →
  contradicted, otherwise mixed;
  with no such evidence: only supporting → weakly-supported (only animal or
  in-vitro studies, reviews or case reports), only contradicting →
  contradicted, otherwise mixed.
"""

from litref.db.sql import quoted_list
from litref.evidence.vocabularies import designs, flags, stances

STRONG_DESIGNS_SQL = quoted_list(designs.STRONG)
DECISIVE_STANCES_SQL = quoted_list(stances.DECISIVE)
TEXT_MATCHES_PER_CLAIM = 25

CLAIM_EVIDENCE_DETAIL = f"""
CREATE VIEW claim_evidence_detail AS
SELECT
    e.claim_id, e.pmid, e.stance, e.note, e.reviewer, e.reviewed_at, e.is_sample,
    c.title, c.authors, c.journal, c.year, c.doi, c.pmcid,
    c.study_design, c.design_rank, c.subjects,
    c.is_retracted, c.has_expression_of_concern, c.is_deleted,
    c.pmid IS NULL AS is_missing,
    coalesce({" OR ".join("c." + column for column in flags.COLUMNS)}, 0) AS is_flagged,
    coalesce(c.subjects = 'humans' AND c.study_design IN {STRONG_DESIGNS_SQL}, 0) AS is_strong_human
FROM claim_evidence e
LEFT JOIN citations c ON c.pmid = e.pmid
"""

# --- As m005 made them (used by m005 only: never edit) ---------------------
#
# Each query ranked every citation against every claim (bm25), and counted
# new candidates through that: 28 s for one claim's candidates and 40 s for
# claim_status at 200,000 citations (bench/README.md).

V1_CLAIM_CANDIDATES = f"""
CREATE VIEW claim_candidates AS
WITH found AS (
    SELECT cl.id AS claim_id, h.pmid, h.first_seen AS arrived,
           'claim query' AS found_by, NULL AS text_rank
    FROM claims cl
    JOIN search_hits h ON h.search = 'claim-' || cl.id
    UNION ALL
    SELECT claim_id, pmid, arrived, 'text match', text_rank FROM (
        SELECT claim_id, pmid, arrived,
               row_number() OVER (PARTITION BY claim_id ORDER BY score) AS text_rank
        FROM (
            SELECT cl.id AS claim_id, citations_fts.rowid AS pmid, c.added_at AS arrived,
                   bm25(citations_fts) AS score
            FROM claims cl
            JOIN citations_fts ON citations_fts MATCH cl.fts_query
            JOIN citations c ON c.pmid = citations_fts.rowid
            WHERE cl.fts_query IS NOT NULL
        )
    )
    WHERE text_rank <= {TEXT_MATCHES_PER_CLAIM}
)
SELECT
    found.claim_id, found.pmid, min(found.arrived) AS arrived,
    group_concat(DISTINCT found.found_by) AS found_by, min(found.text_rank) AS text_rank,
    c.title, c.authors, c.journal, c.year, c.study_design, c.design_rank, c.subjects,
    c.is_retracted, c.has_expression_of_concern
FROM found
JOIN claims cl ON cl.id = found.claim_id
JOIN citations c ON c.pmid = found.pmid
WHERE cl.archived_at IS NULL
  AND c.is_deleted = 0
  AND c.study_design != 'notice'
  AND NOT EXISTS (
      SELECT 1 FROM claim_evidence e WHERE e.claim_id = found.claim_id AND e.pmid = found.pmid
  )
GROUP BY found.claim_id, found.pmid
ORDER BY found.claim_id, c.subjects = 'humans' DESC, c.design_rank,
         coalesce(min(found.text_rank), 1000), c.year DESC
"""

# claim_status in both versions; they differ only in how new candidates are counted.
_STATUS_TEMPLATE = """
CREATE VIEW claim_status AS
WITH decisive AS (
    SELECT * FROM claim_evidence_detail WHERE stance IN {decisive_stances}
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
           max(ev.reviewed_at) AS last_reviewed
    FROM claims cl
    LEFT JOIN claim_evidence_detail ev ON ev.claim_id = cl.id
    WHERE cl.archived_at IS NULL
    GROUP BY cl.id
){new_candidates_cte}
SELECT
    cl.id AS claim_id, cl.page, cl.section, cl.text,
    CASE
        WHEN s.flagged > 0 THEN 'cites-flagged-paper'
        WHEN s.supports + s.contradicts + s.mixed = 0 THEN 'unreviewed'
        WHEN bs.claim_id IS NOT NULL THEN CASE
            WHEN NOT bs.contradicts AND NOT bs.mixed THEN 'supported'
            WHEN NOT bs.supports AND NOT bs.mixed THEN 'contradicted'
            ELSE 'mixed' END
        WHEN s.contradicts = 0 AND s.mixed = 0 THEN 'weakly-supported'
        WHEN s.supports = 0 AND s.mixed = 0 THEN 'contradicted'
        ELSE 'mixed'
    END AS status,
    {new_candidate_columns},
    (SELECT label FROM evidence_levels WHERE kind = 'design' AND rank = sh.rank)
        AS strongest_human_evidence,
    s.evidence, s.supports, s.contradicts, s.mixed, s.context, s.flagged, s.missing,
    s.last_reviewed
FROM claims cl
JOIN summary s ON s.claim_id = cl.id
LEFT JOIN best_stances bs ON bs.claim_id = cl.id
LEFT JOIN strongest_human sh ON sh.claim_id = cl.id{new_candidates_join}
ORDER BY cl.position
"""

V1_CLAIM_STATUS = _STATUS_TEMPLATE.format(
    decisive_stances=DECISIVE_STANCES_SQL,
    new_candidates_cte=""",
new_candidates AS (
    SELECT k.claim_id, count(*) AS n
    FROM claim_candidates k
    JOIN summary s ON s.claim_id = k.claim_id
    WHERE s.last_reviewed IS NOT NULL AND k.arrived > s.last_reviewed
    GROUP BY k.claim_id
)""",
    new_candidate_columns="""coalesce(nc.n, 0) > 0 AS new_evidence_since_review,
    coalesce(nc.n, 0) AS new_candidates""",
    new_candidates_join="\nLEFT JOIN new_candidates nc ON nc.claim_id = cl.id",
)

# --- Now (ensure_views; first made when m008 ran) ----------------------------------
#
# The same rows and columns, read where they are stored: the ranking in
# claim_text_matches (db/candidates.py), each claim's query hits by index.
# A WHERE claim_id = ... reaches into both halves of claim_candidates, and
# claim_status counts a claim's new candidates from the hits that arrived
# after its last review alone (an index on search_hits (search, first_seen, pmid)).

# A row of (cl, c) is a candidate when the claim is in use, the citation can
# be evidence and staff have not linked it yet. "+" keeps SQLite from reading
# all of citations through the is_deleted index (the database has no
# statistics, so the planner would take is_deleted = 0 as selective).
_IS_CANDIDATE = """cl.archived_at IS NULL AND +c.is_deleted = 0 AND c.study_design != 'notice'
      AND NOT EXISTS (SELECT 1 FROM claim_evidence e WHERE e.claim_id = cl.id AND e.pmid = c.pmid)"""
_NOT_A_QUERY_HIT = """NOT EXISTS (
          SELECT 1 FROM search_hits h WHERE h.search = 'claim-' || cl.id AND h.pmid = m.pmid)"""
_CITATION_COLUMNS = """c.title, c.authors, c.journal, c.year, c.study_design, c.design_rank, c.subjects,
           c.is_retracted, c.has_expression_of_concern"""

# The two halves of every candidate list: a claim's query hits (a text match too,
# or not), then the text matches no query found.
_QUERY_HITS = f"""FROM claims cl
    JOIN search_hits h ON h.search = 'claim-' || cl.id
    JOIN citations c ON c.pmid = h.pmid
    LEFT JOIN claim_text_matches m ON m.claim_id = cl.id AND m.pmid = h.pmid
    WHERE {_IS_CANDIDATE}"""
_OTHER_TEXT_MATCHES = f"""FROM claims cl
    JOIN claim_text_matches m ON m.claim_id = cl.id
    JOIN citations c ON c.pmid = m.pmid
    WHERE {_NOT_A_QUERY_HIT}
      AND {_IS_CANDIDATE}"""

# Each (claim, citation) once, arriving when it was first found either way.
CLAIM_CANDIDATES = f"""
CREATE VIEW claim_candidates AS
SELECT * FROM (
    SELECT cl.id AS claim_id, c.pmid,
           CASE WHEN m.pmid IS NULL THEN h.first_seen ELSE min(h.first_seen, c.added_at) END
               AS arrived,
           CASE WHEN m.pmid IS NULL THEN 'claim query' ELSE 'claim query,text match' END
               AS found_by,
           m.text_rank, {_CITATION_COLUMNS}
    {_QUERY_HITS}
    UNION ALL
    SELECT cl.id, c.pmid, c.added_at, 'text match', m.text_rank, {_CITATION_COLUMNS}
    {_OTHER_TEXT_MATCHES}
)
ORDER BY claim_id, subjects = 'humans' DESC, design_rank, coalesce(text_rank, 1000), year DESC
"""

# When each candidate arrived, in columns a date range can reach by index: a
# candidate arrived after a moment when both found_at and matched_at are after it
# (its claim_candidates.arrived is the earlier of the two). "What changed" counts
# a week's new candidates per claim from it (web/changes.py).
CLAIM_CANDIDATE_ARRIVALS = f"""
CREATE VIEW claim_candidate_arrivals AS
SELECT cl.id AS claim_id, c.pmid, h.first_seen AS found_at,
       CASE WHEN m.pmid IS NULL THEN h.first_seen ELSE c.added_at END AS matched_at
    {_QUERY_HITS}
UNION ALL
SELECT cl.id, c.pmid, c.added_at, c.added_at
    {_OTHER_TEXT_MATCHES}
"""

# The candidates of claim cl that arrived after its last review (s.last_reviewed),
# by both ways of being found: rows of claim_candidates with arrived > last_reviewed.
_NEW_SINCE_REVIEW = f"""
    SELECT 1 FROM search_hits h
    JOIN citations c ON c.pmid = h.pmid
    LEFT JOIN claim_text_matches m ON m.claim_id = cl.id AND m.pmid = h.pmid
    WHERE h.search = 'claim-' || cl.id AND h.first_seen > s.last_reviewed
      AND (m.pmid IS NULL OR c.added_at > s.last_reviewed)
      AND {_IS_CANDIDATE}
    UNION ALL
    SELECT 1 FROM claim_text_matches m
    JOIN citations c ON c.pmid = m.pmid
    WHERE m.claim_id = cl.id AND c.added_at > s.last_reviewed
      AND {_NOT_A_QUERY_HIT}
      AND {_IS_CANDIDATE}
"""

# Counted per claim shown, so one claim's row costs one claim's count.
CLAIM_STATUS = _STATUS_TEMPLATE.format(
    decisive_stances=DECISIVE_STANCES_SQL,
    new_candidates_cte="",
    new_candidate_columns=f"""EXISTS ({_NEW_SINCE_REVIEW}) AS new_evidence_since_review,
    (SELECT count(*) FROM ({_NEW_SINCE_REVIEW})) AS new_candidates""",
    new_candidates_join="",
)

# The views as m005 made them; m008 dropped claim_candidates and claim_status.
V1_CLAIM_VIEWS = [CLAIM_EVIDENCE_DETAIL, V1_CLAIM_CANDIDATES, V1_CLAIM_STATUS]

# The views as they are now, each after those it reads. Views hold no data, so
# they are not migrations: after the migrations, ensure_views makes the
# database's views these (a changed view is simply replaced).
VIEWS = {
    "claim_evidence_detail": CLAIM_EVIDENCE_DETAIL,
    "claim_candidates": CLAIM_CANDIDATES,
    "claim_candidate_arrivals": CLAIM_CANDIDATE_ARRIVALS,
    "claim_status": CLAIM_STATUS,
}


def ensure_views(db):
    """Create or replace the views whose SQL differs from VIEWS; returns their names.

    Only a view that changed is touched: replacing one is a schema change,
    which makes every open connection (Datasette's) prepare its queries again.
    """
    stored = dict(db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'view'").fetchall())
    changed = [name for name, sql in VIEWS.items() if stored.get(name) != sql.strip()]
    if changed:
        with db.atomic():
            for name in changed:
                db.execute(f"DROP VIEW IF EXISTS {name}")
                db.execute(VIEWS[name].strip())
    return changed
