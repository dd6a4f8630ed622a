"""Writes of the claims, as read from claims.yml (litref/config.py).

Fetches and imports never call anything here, and nothing here ever deletes a
curated link: a claim that has curated evidence can only be archived. Staff
curation has its own writer: db/curation.py. A claim whose query changed has
its candidates worked out anew by db/candidates.py's ``refresh_claims``, which
the caller runs after this (each claim in a short transaction of its own).
"""



class ClaimsRemoved(ValueError):
    """Claims with curated evidence are missing from claims.yml."""


def save_claims(db, claims, *, now, prune=False):
    """Make the claims table match claims.yml; returns counts added/updated/archived/removed."""
    with db.atomic():
        stored = {row[0] for row in db.execute("SELECT id FROM claims WHERE archived_at IS NULL")}
        removed = stored - {claim["id"] for claim in claims}
        curated = _curated(db, removed)
        if curated and not prune:
            raise ClaimsRemoved(
                "These claims are no longer in claims.yml but staff have curated evidence for "
                f"them: {', '.join(sorted(curated))}. Put them back, or run "
                "`litref claims --prune` to archive them (their evidence is kept)."
            )
        for position, claim in enumerate(claims, start=1):
            _upsert_claim(db, claim, position, now)
        db.conn.executemany(
            "UPDATE claims SET archived_at = ? WHERE id = ?", [(now, i) for i in curated]
        )
        for claim_id in removed - curated:
            db.execute("DELETE FROM claim_topics WHERE claim_id = ?", [claim_id])
            db.execute("DELETE FROM claims WHERE id = ?", [claim_id])
    return {
        "claims": len(claims),
        "new": len({c["id"] for c in claims} - stored),
        "archived": len(curated),
        "removed": len(removed - curated),
    }


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
    db.execute(
        "INSERT INTO claims (id, page, file, section, text, query, position, line, "
        "loaded_at, archived_at) VALUES (:id, :page, :file, :section, :text, :query, "
        ":position, :line, :now, NULL) ON CONFLICT(id) DO UPDATE SET page = excluded.page, "
        "file = excluded.file, section = excluded.section, text = excluded.text, "
        "query = excluded.query, position = excluded.position, "
        "line = excluded.line, loaded_at = excluded.loaded_at, archived_at = NULL",
        {
            "id": claim["id"], "page": claim["page"], "file": claim.get("file"),
            "section": claim.get("section"), "text": claim["text"], "query": claim["query"],
            "position": position,
            "line": claim.get("line"), "now": now,
        },
    )
    db.execute("DELETE FROM claim_topics WHERE claim_id = ?", [claim["id"]])
    db.conn.executemany(
        "INSERT INTO claim_topics (claim_id, topic) VALUES (?, ?)",
        [(claim["id"], topic) for topic in dict.fromkeys(claim.get("topics") or [])],
    )
