"""Writes of the claims, as read from claims.yml (litref/config.py), and the claims
as claims.yml should now read (``claims_for_export``).

Fetches and imports never call anything here, and nothing here ever deletes a
curated link: a claim that has curated evidence can only be archived. Staff
curation has its own writer: db/curation.py. A claim whose query changed has
its candidates worked out anew by db/candidates.py's ``refresh_claims``, which
the caller runs after this (each claim in a short transaction of its own).
Claims added or archived in the browser go through db/page_claims.py, and
loading claims.yml leaves them be:
a claim added in the browser is not removed for being absent from the file,
and one archived in the browser is not brought back for being still in it,
until ``litref claims --export`` has written them to the file.
"""

from litref.db.writing import write_transaction


class ClaimsRemoved(ValueError):
    """Claims with curated evidence are missing from claims.yml."""


def save_claims(db, claims, *, now, prune=False):
    """Make the claims table match claims.yml in one short write transaction; returns counts
    added/updated/archived/removed."""
    with write_transaction(db):
        known = {row[0] for row in db.execute("SELECT id FROM claims")}
        stored = _active_file_claims(db)
        removed = stored - {claim["id"] for claim in claims}
        if stored and not claims and not prune:
            raise ClaimsRemoved(
                "The claims file lists no claims, so loading it would remove all "
                f"{len(stored)} claims from the database. If that is what you mean, run "
                "`litref claims --prune` (claims with curated evidence are archived, their "
                "evidence kept); otherwise check that you are loading the right file."
            )
        curated = _curated(db, removed)
        if curated and not prune:
            raise ClaimsRemoved(
                "These claims are no longer in claims.yml but staff have curated evidence for "
                f"them: {', '.join(sorted(curated))}. Put them back, or run "
                "`litref claims --prune` to archive them (their evidence is kept)."
            )
        for position, claim in enumerate(claims, start=1):
            _upsert_claim(db, claim, position, now)
        _after_the_file(db, len(claims))
        db.conn.executemany(
            "UPDATE claims SET archived_at = ? WHERE id = ?", [(now, i) for i in curated]
        )
        for claim_id in removed - curated:
            for table in ("claim_topics", "claim_page_checks"):
                db.execute(f"DELETE FROM {table} WHERE claim_id = ?", [claim_id])
            db.execute("DELETE FROM claims WHERE id = ?", [claim_id])
    return {
        "claims": len(claims),
        "new": len({c["id"] for c in claims} - known),
        "archived": len(curated),
        "removed": len(removed - curated),
        "not_exported": not_exported(db, claims),
    }


def _after_the_file(db, count):
    """Claims added in the browser and not in the file come after the file's, in their order."""
    added = [row[0] for row in db.execute(
        "SELECT id FROM claims WHERE source = 'browser' ORDER BY position, rowid")]
    db.conn.executemany("UPDATE claims SET position = ? WHERE id = ?",
                        [(count + n, claim_id) for n, claim_id in enumerate(added, start=1)])


def _active_file_claims(db):
    return {row[0] for row in db.execute(
        "SELECT id FROM claims WHERE archived_at IS NULL AND source = 'file'")}


def not_exported(db, claims):
    """Ids of the changes made in the browser that claims.yml (``claims``) lacks: claims
    added there and not in the file, and claims archived there still in it."""
    in_file = {claim["id"] for claim in claims}
    rows = db.execute(
        "SELECT id, archived_at IS NULL AND source = 'browser' AS added, archived_by IS NOT NULL "
        "AND archived_at IS NOT NULL AS archived FROM claims ORDER BY position")
    return [claim_id for claim_id, added, archived in rows
            if (added and claim_id not in in_file) or (archived and claim_id in in_file)]


def _curated(db, claim_ids):
    """The claims among ``claim_ids`` that reviewers worked on: linked evidence, screened
    candidates, or searched with nothing found."""
    return {
        row[0]
        for row in db.execute(
            "SELECT claim_id FROM claim_evidence UNION SELECT claim_id FROM candidate_decisions "
            "UNION SELECT claim_id FROM claim_searches"
        ).fetchall()
        if row[0] in claim_ids
    }


def _upsert_claim(db, claim, position, now):
    # page: the page's title from pages.yml (save_pages first), else its id.
    # A claim archived in the browser stays archived (see the module's docstring).
    db.execute(
        "INSERT INTO claims (id, page_id, page, section, text, query, position, line, "
        "loaded_at, archived_at, source) VALUES (:id, :page_id, coalesce((SELECT title FROM pages "
        "WHERE id = :page_id), :page_id), :section, :text, :query, :position, :line, "
        ":now, NULL, 'file') ON CONFLICT(id) DO UPDATE SET page_id = excluded.page_id, "
        "page = excluded.page, section = excluded.section, text = excluded.text, "
        "query = excluded.query, position = excluded.position, "
        "line = excluded.line, loaded_at = excluded.loaded_at, source = 'file', "
        "archived_at = CASE WHEN claims.archived_by IS NULL THEN NULL ELSE claims.archived_at END",
        {
            "id": claim["id"], "page_id": claim["page"], "section": claim.get("section"),
            "text": claim["text"], "query": claim["query"],
            "position": position, "line": claim.get("line"), "now": now,
        },
    )
    db.execute("DELETE FROM claim_topics WHERE claim_id = ?", [claim["id"]])
    db.conn.executemany(
        "INSERT INTO claim_topics (claim_id, topic) VALUES (?, ?)",
        [(claim["id"], topic) for topic in dict.fromkeys(claim.get("topics") or [])],
    )


def claims_for_export(db):
    """The claims in use, in claims.yml's order (those added in the browser at the end),
    as claims.yml holds them."""
    topics = {}
    for claim_id, topic in db.execute("SELECT claim_id, topic FROM claim_topics ORDER BY rowid"):
        topics.setdefault(claim_id, []).append(topic)
    return [
        {"id": row["id"], "page": row["page_id"], "section": row["section"], "text": row["text"],
         "query": row["query"], "topics": topics.get(row["id"], [])}
        for row in db.query(
            "SELECT id, page_id, section, text, query FROM claims WHERE archived_at IS NULL "
            "ORDER BY position")
    ]


def browser_claims(db):
    """The claims added in the browser that claims.yml does not hold yet."""
    return list(db.query(
        "SELECT id, text, query FROM claims WHERE archived_at IS NULL AND source = 'browser' "
        "ORDER BY position"))
