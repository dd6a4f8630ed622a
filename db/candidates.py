"""Each claim's best full-text matches among the citations, stored in claim_text_matches.

Ranking every citation against every claim's words (FTS5 bm25) is what makes
the text-match candidates; done inside the claim_candidates view it took 28 s
a query at 200,000 citations (bench/README.md), and every claim page and the
home page read that view. So the ranking is stored (redoing it for all 46
claims takes 3.8 s at 200,000 citations, 18 s at 1,000,000: one claim at a
time, each ranked outside the write lock), and redone by whatever changes it:

- ``litref import`` after each file, ``litref fetch`` after all its searches;
- ``save_claims`` for the claims whose words changed (or that are new).

Between a fetch's first batch and its end, new citations are not yet text
matches; a claim's query hits (search_hits) are candidates at once.
"""

from litref.db.views import TEXT_MATCHES_PER_CLAIM
from litref.db.writing import write_transaction

# A read: at 1,000,000 citations one claim's ranking takes up to about a second,
# too long to hold the write lock for, so it runs before the write transaction.
_RANK_ONE_CLAIM = f"""
SELECT pmid, row_number() OVER (ORDER BY score)
FROM (
    SELECT rowid AS pmid, bm25(citations_fts) AS score
    FROM citations_fts WHERE citations_fts MATCH :fts_query
    ORDER BY score LIMIT {TEXT_MATCHES_PER_CLAIM}
)
"""


def refresh_claim_matches(db, claim_ids=None):
    """Rank the citations against the words of every claim in use, or only of ``claim_ids``.

    In short steps, so staff can write in between: each claim is ranked by a
    read, then its matches replaced in a write transaction of its own.
    Archived claims lose their matches (they are no longer shown); a claim
    brought back is refreshed by ``refresh_changed_claims``.
    """
    queries = active_claim_queries(db)
    if claim_ids is None:
        claim_ids = list(queries)
        with write_transaction(db):
            db.execute(
                "DELETE FROM claim_text_matches WHERE claim_id NOT IN "
                "(SELECT id FROM claims WHERE archived_at IS NULL)"
            )
    for claim_id in claim_ids:
        query = queries.get(claim_id)
        ranked = db.execute(_RANK_ONE_CLAIM, {"fts_query": query}).fetchall() if query else []
        with write_transaction(db):
            db.execute("DELETE FROM claim_text_matches WHERE claim_id = ?", [claim_id])
            db.conn.executemany(
                "INSERT INTO claim_text_matches (claim_id, pmid, text_rank) VALUES (?, ?, ?)",
                [(claim_id, pmid, rank) for pmid, rank in ranked],
            )


def active_claim_queries(db):
    """{claim id: fts_query} of the claims not archived."""
    return dict(db.execute("SELECT id, fts_query FROM claims WHERE archived_at IS NULL ORDER BY position"))


def refresh_changed_claims(db, before):
    """Refresh the claims whose words differ from ``before`` (an ``active_claim_queries``)."""
    changed = [i for i, query in active_claim_queries(db).items() if before.get(i, ()) != query]
    if changed:
        refresh_claim_matches(db, changed)
