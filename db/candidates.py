"""Each claim's candidate evidence among the stored citations (table claim_matches).

A claim's query is evaluated against every stored citation, whatever brought
it in (a saved search, another claim's search, an imported file), the way
evidence/claim_queries.py explains: the subject (the query's first part) is
required, and citations rank by the parts of the query they match, in the
title (or MeSH) first, then the strongest design, then the newest (the view
claim_candidates). Every citation matching the whole query is kept; of those
matching only some of it, the best ``NEAR_MATCHES_KEPT`` (the ones a reviewer
might still want, such as a record whose abstract is not stored).

Keeping them current costs what changed, never the size of the database:

- ``refresh_claims`` evaluates the claims whose query changed since their
  candidates were worked out (``claims.candidates_query``): after
  ``litref claims``, and once after an upgrade;
- ``refresh_for_citations`` evaluates every claim on a batch of citations
  just stored, through a full-text index of the batch alone.

Each claim is worked out by reading first and written in a short transaction
of its own (db/writing.py), so the write lock is held for one claim's rows at a
time.
"""

import json

from litref.db.query_sql import CITATION_FACETS_INDEX, STORE_FTS, condition
from litref.db.writing import write_transaction
from litref.evidence.claim_queries import excluded_parts, query_parts, why_found
from litref.evidence.pubmed_query import QuerySyntaxError, parse_query
from litref.evidence.vocabularies import designs

NEAR_MATCHES_KEPT = 100
# A batch being looked at: a full-text index of its titles and abstracts, a table of
# this connection alone (writing it takes no lock). Searching the store's own index
# for a few rows costs as much as searching it all.
BATCH_FTS = "temp.candidate_fts"
PUBMED_FOUND_IT = "is among what PubMed finds for the claim's query"


def refresh_claims(db, *, now, claim_ids=None):
    """Work out the candidates of the claims whose query changed (or of ``claim_ids``);
    returns {claim id: problem} for queries that cannot be read."""
    problems = {}
    for claim_id, query in _claims_to_refresh(db, claim_ids):
        rows, parts_total, problem = _evaluate(db, claim_id, query, fts=STORE_FTS)
        if problem:
            problems[claim_id] = problem
        _replace_matches(db, claim_id, query, _kept(rows, parts_total), now)
    return problems


def refresh_for_citations(db, pmids, *, now):
    """Add, update or drop the candidates among ``pmids`` (a batch just stored) for every claim."""
    claims = pmids and _active_claims(db)
    if not claims:
        return
    with db.atomic():  # the temporary database only: the main one stays unlocked
        db.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {BATCH_FTS} "
                   "USING fts5(title, abstract, tokenize='porter')")  # as citations_fts
        db.execute(f"DELETE FROM {BATCH_FTS}")
        db.execute(f"INSERT INTO {BATCH_FTS} (rowid, title, abstract) SELECT pmid, title, abstract "
                   "FROM citations WHERE pmid IN (SELECT value FROM json_each(?))", [json.dumps(list(pmids))])
    for claim_id, query in claims:
        rows, parts_total, _ = _evaluate(db, claim_id, query, fts=BATCH_FTS)
        with write_transaction(db):
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


def _evaluate(db, claim_id, query, *, fts):
    """(candidate rows, number of parts, problem); each row a dict of pmid, parts,
    parts_in_title and found_by."""
    try:
        tree = parse_query(query)
    except QuerySyntaxError as error:
        return [], 1, f"the query cannot be read: {error}"
    parts = query_parts(tree)
    rows = _parts_matched(db, parts, excluded_parts(tree), fts)
    for row in rows.values():
        row["found_by"] = why_found(row["parts"], row["parts_in_title"], len(parts))
    _add_pubmed_hits(db, claim_id, rows, len(parts), fts)
    return list(rows.values()), len(parts), None


def _add_pubmed_hits(db, claim_id, rows, parts_total, fts):
    """What PubMed itself found for the claim's query is a whole match: PubMed reads
    the query more fully than the stored records allow (narrower MeSH headings)."""
    within = f" AND pmid IN (SELECT rowid FROM {fts})" if fts != STORE_FTS else ""
    for (pmid,) in db.execute(f"SELECT pmid FROM search_hits WHERE search = ?{within}",
                              [f"claim-{claim_id}"]):
        row = rows.setdefault(pmid, {"pmid": pmid, "parts": parts_total, "parts_in_title": 0,
                                     "design_rank": None, "year": None, "found_by": None})
        row["parts"] = parts_total
        row["found_by"] = "; ".join(filter(None, [row["found_by"], PUBMED_FOUND_IT]))


def _parts_matched(db, parts, excluded, fts):
    """pmid → counts of the parts it matches, for the citations matching the first part
    and none of the excluded ones (those of the batch, when ``fts`` is a batch's)."""
    where = [condition(parts[0], fts=fts)]
    where += [(f"NOT {sql}", params) for sql, params in (condition(p, fts=fts) for p in excluded)]
    subject_title, subject_params = condition(parts[0], title_only=True, fts=fts)
    columns = [(f"coalesce({subject_title}, 0)", subject_params)]
    columns += [_in_title_or_anywhere(p, fts) for p in parts[1:]]
    # A batch's rows drive the look-ups; over the store, the subject's rows do. Design
    # and year come from a covering index: a citation's row holds its abstract, and
    # reading tens of thousands of rows for two small columns doubled the cost.
    citations = f"citations c INDEXED BY {CITATION_FACETS_INDEX}"
    rows = citations if fts == STORE_FTS else f"{fts} b JOIN {citations} ON c.pmid = b.rowid"
    sql = (f"SELECT c.pmid, c.study_design, c.year, {', '.join(f'({sql})' for sql, _ in columns)} "
           f"FROM {rows} WHERE {' AND '.join(sql for sql, _ in where)}")
    params = [p for _, ps in columns + where for p in ps]
    return {
        pmid: {"pmid": pmid, "design_rank": designs.RANK.get(design), "year": year,
               "parts": 1 + sum(1 for found in others if found),
               "parts_in_title": subject_in_title + sum(1 for found in others if found == IN_TITLE)}
        for pmid, design, year, subject_in_title, *others in db.execute(sql, params).fetchall()
    }


IN_TITLE = 2


def _in_title_or_anywhere(part, fts):
    """SQL: 2 when the part is in the title (or MeSH), 1 elsewhere, 0 not at all (nor
    when the record cannot tell: a [dp] part and no year). The title is looked at
    only where the part is found: most rows match the subject alone."""
    anywhere, anywhere_params = condition(part, fts=fts)
    title, title_params = condition(part, title_only=True, fts=fts)
    return (f"CASE WHEN NOT coalesce({anywhere}, 0) THEN 0 WHEN coalesce({title}, 0) THEN {IN_TITLE} "
            "ELSE 1 END", anywhere_params + title_params)


def _kept(rows, parts_total):
    """Every whole match, and the best near matches."""
    whole = [row for row in rows if row["parts"] == parts_total]
    near = sorted((row for row in rows if row["parts"] < parts_total), key=_order)
    return whole + near[:NEAR_MATCHES_KEPT]


def _order(row):
    """Best first, as claim_candidates ranks: parts named in the title or MeSH, parts
    matched, the strongest design, the newest."""
    return -row["parts_in_title"], -row["parts"], row["design_rank"] or 99, -(row["year"] or 0)


UPSERT = """
INSERT INTO claim_matches (claim_id, pmid, parts, parts_in_title, found_by, found_at)
VALUES (:claim_id, :pmid, :parts, :parts_in_title, :found_by, :now)
ON CONFLICT (claim_id, pmid) DO UPDATE SET parts = excluded.parts,
    parts_in_title = excluded.parts_in_title, found_by = excluded.found_by
"""


def _replace_matches(db, claim_id, query, kept, now):
    """A claim's candidates worked out anew for ``query``; a citation found before keeps
    its found_at. Only what changed is written: an edited query mostly finds what it
    found before. (A batch another process merged in after the query was evaluated,
    with `litref claims` run during a fetch, is replaced too: those citations are
    missed until the claim is next worked out.)"""
    with write_transaction(db):
        before = {pmid: (parts, in_title, found_by) for pmid, parts, in_title, found_by in db.execute(
            "SELECT pmid, parts, parts_in_title, found_by FROM claim_matches WHERE claim_id = ?", [claim_id])}
        changed = [row for row in kept
                   if before.get(row["pmid"]) != (row["parts"], row["parts_in_title"], row["found_by"])]
        gone = before.keys() - {row["pmid"] for row in kept}
        db.conn.executemany("DELETE FROM claim_matches WHERE claim_id = ? AND pmid = ?",
                            [(claim_id, pmid) for pmid in gone])
        db.conn.executemany(UPSERT, [{**row, "claim_id": claim_id, "now": now} for row in changed])
        # The query evaluated: one edited meanwhile is worked out again next time.
        db.execute("UPDATE claims SET candidates_query = ? WHERE id = ?", [query, claim_id])


def _merge_matches(db, claim_id, rows, total, now):
    """The batch's candidates in place of what the batch's citations were before, then
    the near matches trimmed back to the best NEAR_MATCHES_KEPT."""
    db.execute(
        f"DELETE FROM claim_matches WHERE claim_id = ? AND pmid IN (SELECT rowid FROM {BATCH_FTS}) "
        "AND pmid NOT IN (SELECT value FROM json_each(?))",
        [claim_id, json.dumps([row["pmid"] for row in rows])],
    )
    db.conn.executemany(UPSERT, [{**row, "claim_id": claim_id, "now": now} for row in rows])
    if all(row["parts"] == total for row in rows):
        return  # no new near match: nothing to trim
    db.execute(
        "DELETE FROM claim_matches WHERE claim_id = :claim_id AND parts < :total AND pmid NOT IN ("
        "SELECT m.pmid FROM claim_matches m JOIN citations c ON c.pmid = m.pmid "
        "WHERE m.claim_id = :claim_id AND m.parts < :total "
        "ORDER BY m.parts_in_title DESC, m.parts DESC, coalesce(c.design_rank, 99), c.year DESC "
        "LIMIT :kept)",
        {"claim_id": claim_id, "total": total, "kept": NEAR_MATCHES_KEPT},
    )
