"""Each claim's candidate evidence among the stored citations (table claim_matches).

A claim's query is evaluated against every stored citation, whatever brought
it in (a saved search, another claim's search, an imported file), the way
evidence/claim_queries.py explains: the subject (the query's first part) is
required, and citations rank by the parts of the query they match, in the
title (or MeSH) first, then by relevance. Every citation matching the whole
query is kept; of those matching only some of it, the best ``NEAR_MATCHES_KEPT``
(the ones a reviewer might still want, such as a record whose abstract is not
stored).

Keeping them current costs what changed, never the size of the database:

- ``refresh_claims`` evaluates the claims whose query changed since their
  candidates were worked out (``claims.candidates_query``): after
  ``litref claims``, and once after an upgrade;
- ``refresh_for_citations`` evaluates every claim on a batch of citations
  just stored, looking only at those rows.

Each claim is worked out by reading first and written in a transaction of its
own, so the write lock is held for one claim's rows at a time.
"""

import json

from litref.db.query_sql import condition
from litref.evidence.claim_queries import excluded_parts, fts_string, query_parts, text_terms, why_found
from litref.evidence.pubmed_query import QuerySyntaxError, parse_query

NEAR_MATCHES_KEPT = 100
# Title words weigh three times abstract words in the relevance score.
RELEVANCE = "bm25(citations_fts, 3.0, 1.0)"
# The batch being looked at: a table of this connection alone (writing it takes no lock).
SCOPE = "SELECT pmid FROM temp.candidate_scope"
PUBMED_FOUND_IT = "is among what PubMed finds for the claim's query"


def refresh_claims(db, *, now, claim_ids=None):
    """Work out the candidates of the claims whose query changed (or of ``claim_ids``);
    returns {claim id: problem} for queries that cannot be read."""
    problems = {}
    for claim_id, query in _claims_to_refresh(db, claim_ids):
        rows, parts_total, problem = _evaluate(db, claim_id, query, scope=None)
        if problem:
            problems[claim_id] = problem
        with db.atomic():
            _replace_matches(db, claim_id, _kept(rows, parts_total), now)
            db.execute("UPDATE claims SET candidates_query = query WHERE id = ?", [claim_id])
    return problems


def refresh_for_citations(db, pmids, *, now):
    """Add, update or drop the candidates among ``pmids`` (a batch just stored) for every claim."""
    if not pmids:
        return
    with db.atomic():  # the temporary database only: the main one stays unlocked
        db.execute("CREATE TEMP TABLE IF NOT EXISTS candidate_scope (pmid INTEGER PRIMARY KEY)")
        db.execute("DELETE FROM temp.candidate_scope")
        db.conn.executemany("INSERT OR IGNORE INTO temp.candidate_scope VALUES (?)", [(p,) for p in pmids])
    for claim_id, query in _active_claims(db):
        rows, parts_total, _ = _evaluate(db, claim_id, query, scope=SCOPE)
        with db.atomic():
            _merge_matches(db, claim_id, rows, parts_total, now)


def _claims_to_refresh(db, claim_ids):
    if claim_ids is not None:
        return [(i, q) for i, q in _active_claims(db) if i in set(claim_ids)]
    return db.execute(
        "SELECT id, query FROM claims WHERE archived_at IS NULL "
        "AND candidates_query IS NOT query ORDER BY position"
    ).fetchall()


def _active_claims(db):
    return db.execute("SELECT id, query FROM claims WHERE archived_at IS NULL ORDER BY position").fetchall()


def _evaluate(db, claim_id, query, *, scope):
    """(candidate rows, number of parts, problem); each row a dict of pmid, parts,
    parts_in_title, relevance and found_by."""
    try:
        tree = parse_query(query)
    except QuerySyntaxError as error:
        return [], 1, f"the query cannot be read: {error}"
    parts = query_parts(tree)
    rows = _parts_matched(db, parts, excluded_parts(tree), scope)
    for row in rows.values():
        row["found_by"] = why_found(row["parts"], row["parts_in_title"], len(parts))
    _add_pubmed_hits(db, claim_id, rows, len(parts), scope)
    _add_relevance(db, rows, text_terms(tree))
    return list(rows.values()), len(parts), None


def _add_pubmed_hits(db, claim_id, rows, parts_total, scope):
    """What PubMed itself found for the claim's query is a whole match: PubMed reads
    the query more fully than the stored records allow (narrower MeSH headings)."""
    within = f" AND pmid IN ({scope})" if scope else ""
    for (pmid,) in db.execute(f"SELECT pmid FROM search_hits WHERE search = ?{within}",
                              [f"claim-{claim_id}"]):
        row = rows.setdefault(pmid, {"pmid": pmid, "parts": parts_total, "parts_in_title": 0,
                                     "relevance": 0.0, "found_by": None})
        row["parts"] = parts_total
        row["found_by"] = "; ".join(filter(None, [row["found_by"], PUBMED_FOUND_IT]))


def _parts_matched(db, parts, excluded, scope):
    """pmid → counts of the parts it matches, for the citations matching the first part
    and none of the excluded ones (within ``scope`` when given)."""
    columns = [condition(part, title_only=title_only, scope=scope)
               for part in parts for title_only in (False, True)]
    where = [condition(parts[0], scope=scope)]
    where += [(f"NOT {sql}", params) for sql, params in (condition(p, scope=scope) for p in excluded)]
    if scope:
        where.append((f"c.pmid IN ({scope})", []))
    sql = (f"SELECT c.pmid, {', '.join(f'({sql})' for sql, _ in columns)} FROM citations c "
           f"WHERE {' AND '.join(sql for sql, _ in where)}")
    params = [p for _, ps in columns + where for p in ps]
    return {
        pmid: {"pmid": pmid, "parts": sum(flags[0::2]), "parts_in_title": sum(flags[1::2]),
               "relevance": 0.0}
        for pmid, *flags in db.execute(sql, params).fetchall()
    }


def _add_relevance(db, rows, terms):
    if not rows or not terms:
        return
    match = " OR ".join(dict.fromkeys(fts_string(term).lower() for term in terms))
    for pmid, score in db.execute(
        f"SELECT rowid, {RELEVANCE} FROM citations_fts WHERE citations_fts MATCH ? "
        "AND rowid IN (SELECT value FROM json_each(?))",
        [match, json.dumps(list(rows))],
    ):
        rows[pmid]["relevance"] = score


def _kept(rows, parts_total):
    """Every whole match, and the best near matches."""
    whole = [row for row in rows if row["parts"] == parts_total]
    near = sorted((row for row in rows if row["parts"] < parts_total), key=_order)
    return whole + near[:NEAR_MATCHES_KEPT]


def _order(row):
    """Best first: parts named in the title or MeSH, then parts matched, then relevance."""
    return -row["parts_in_title"], -row["parts"], row["relevance"]


UPSERT = """
INSERT INTO claim_matches (claim_id, pmid, parts, parts_in_title, relevance, found_by, found_at)
VALUES (:claim_id, :pmid, :parts, :parts_in_title, :relevance, :found_by, :now)
ON CONFLICT (claim_id, pmid) DO UPDATE SET parts = excluded.parts,
    parts_in_title = excluded.parts_in_title, relevance = excluded.relevance,
    found_by = excluded.found_by
"""


def _replace_matches(db, claim_id, kept, now):
    """A claim's candidates worked out anew; a citation found before keeps its found_at."""
    db.execute(
        "DELETE FROM claim_matches WHERE claim_id = ? AND pmid NOT IN (SELECT value FROM json_each(?))",
        [claim_id, json.dumps([row["pmid"] for row in kept])],
    )
    db.conn.executemany(UPSERT, [{**row, "claim_id": claim_id, "now": now} for row in kept])


def _merge_matches(db, claim_id, rows, total, now):
    """The batch's candidates in place of what the batch's citations were before, then
    the near matches trimmed back to the best NEAR_MATCHES_KEPT."""
    db.execute(
        f"DELETE FROM claim_matches WHERE claim_id = ? AND pmid IN ({SCOPE}) "
        "AND pmid NOT IN (SELECT value FROM json_each(?))",
        [claim_id, json.dumps([row["pmid"] for row in rows])],
    )
    db.conn.executemany(UPSERT, [{**row, "claim_id": claim_id, "now": now} for row in rows])
    db.execute(
        "DELETE FROM claim_matches WHERE claim_id = :claim_id AND parts < :total AND pmid NOT IN ("
        "SELECT pmid FROM claim_matches WHERE claim_id = :claim_id AND parts < :total "
        "ORDER BY parts_in_title DESC, parts DESC, relevance LIMIT :kept)",
        {"claim_id": claim_id, "total": total, "kept": NEAR_MATCHES_KEPT},
    )
