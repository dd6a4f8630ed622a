"""The clinic's website pages in the database: what pages.yml lists, each reading of a
page, the copies of its text, and what the newest copy says about the claims.

Three kinds of rows, each apart from PubMed data and from staff curation:

- ``pages``: pages.yml as last loaded (``save_pages``); a page dropped from the
  file is marked ``removed_at``, never deleted, so its history stays;
- ``page_checks`` and ``page_snapshots``: every reading of a page
  (``record_reading``), and a copy of its text whenever the text differs from
  the newest copy kept (with when, a hash and where it was read). Old copies
  are never deleted: they show what the page said and when;
- ``claim_page_checks`` and ``page_statements``: what the newest copies say
  about the claims (``refresh_page_findings``): is each claim's quote still on
  its page, since when is it gone, and what is nearest to it now; and which
  sentences make a checkable statement. Both are worked out again from the
  copies and the claims whenever either changes, so nothing is lost by
  redoing them.

A reading that fails is recorded as failed and changes nothing else: a page
that cannot be fetched never makes its claims look gone.
"""

import json

from litref.db.writing import write_transaction
from litref.evidence import page_text, statements
from litref.evidence.vocabularies import page_checks, page_states


def save_pages(db, pages, *, now):
    """Make the pages table match pages.yml (a page no longer listed is marked removed)."""
    with write_transaction(db):
        for position, page in enumerate(pages, start=1):
            db.execute(
                "INSERT INTO pages (id, title, url, snapshot, position, line, loaded_at, removed_at) "
                "VALUES (:id, :title, :url, :snapshot, :position, :line, :now, NULL) "
                "ON CONFLICT(id) DO UPDATE SET title = excluded.title, url = excluded.url, "
                "snapshot = excluded.snapshot, position = excluded.position, line = excluded.line, "
                "loaded_at = excluded.loaded_at, removed_at = NULL",
                {"id": page["id"], "title": page["title"], "url": page["url"],
                 "snapshot": page["snapshot"], "position": position, "line": page.get("line"),
                 "now": now},
            )
        listed = [page["id"] for page in pages]
        db.execute(
            "UPDATE pages SET removed_at = ? WHERE removed_at IS NULL "
            "AND id NOT IN (SELECT value FROM json_each(?))",
            [now, json.dumps(listed)],
        )
        # A page's new title shows on its claims at once, those added in the browser too.
        db.execute("UPDATE claims SET page = (SELECT title FROM pages WHERE id = claims.page_id) "
                   "WHERE archived_at IS NULL AND page_id IN (SELECT id FROM pages)")


def newest_snapshot(db, page_id):
    """The newest copy of a page's text kept (a dict), or None before the first reading."""
    rows = list(db.query(
        "SELECT * FROM page_snapshots WHERE page_id = ? ORDER BY id DESC LIMIT 1", [page_id]))
    return rows[0] if rows else None


def last_validators(db, page_id):
    """The ETag and Last-Modified the server gave with the newest copy, for a
    conditional request (an unchanged page is then not sent again)."""
    rows = list(db.query(
        "SELECT etag, last_modified FROM page_checks WHERE page_id = ? AND outcome != ? "
        "AND snapshot_id = (SELECT max(id) FROM page_snapshots WHERE page_id = ?) "
        "ORDER BY id DESC LIMIT 1",
        [page_id, page_checks.FAILED, page_id],
    ))
    return rows[0] if rows else {"etag": None, "last_modified": None}


def record_reading(db, page_id, *, now, source, text=None, error=None, not_modified=False,
                   etag=None, last_modified=None):
    """One reading of a page: its text (or ``not_modified``: the server said it has
    not changed since the newest copy), or the ``error`` that stopped it.

    Keeps the text when it differs from the newest copy; returns the outcome
    (evidence/vocabularies/page_checks.py) and the newest copy's id.
    """
    with write_transaction(db):
        newest = newest_snapshot(db, page_id)
        if error is not None:
            outcome, snapshot_id = page_checks.FAILED, None
        elif not_modified and newest:
            outcome, snapshot_id = page_checks.UNCHANGED, newest["id"]
        else:
            outcome, snapshot_id = _keep_if_changed(db, page_id, newest, text, now, source)
        db.execute(
            "INSERT INTO page_checks (page_id, checked_at, source, outcome, snapshot_id, error, "
            "etag, last_modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [page_id, now, source, outcome, snapshot_id, error, etag, last_modified],
        )
    return {"outcome": outcome, "snapshot_id": snapshot_id}


def _keep_if_changed(db, page_id, newest, text, now, source):
    text = page_text.normal_text(text)
    digest = page_text.text_hash(text)
    if newest and newest["text_hash"] == digest:
        return page_checks.UNCHANGED, newest["id"]
    cursor = db.execute(
        "INSERT INTO page_snapshots (page_id, taken_at, source, text_hash, text) VALUES (?, ?, ?, ?, ?)",
        [page_id, now, source, digest, text],
    )
    return (page_checks.CHANGED if newest else page_checks.FIRST), cursor.lastrowid


def refresh_page_findings(db):
    """Check every claim in use against its page's newest text, and list each page's
    checkable statements; run after readings and whenever claims are loaded."""
    with write_transaction(db):
        claims = list(db.query(
            "SELECT id, page_id, text FROM claims WHERE archived_at IS NULL ORDER BY position"))
        db.execute("DELETE FROM claim_page_checks")
        db.execute("DELETE FROM page_statements")
        for page_id in [row[0] for row in db.execute("SELECT id FROM pages WHERE removed_at IS NULL")]:
            history = _history(db, page_id)
            if history:
                on_page = [claim for claim in claims if claim["page_id"] == page_id]
                _save_findings(db, page_id, history, on_page)


def _history(db, page_id):
    """The page's copies, newest first, each with the last time a reading confirmed it."""
    return list(db.query(
        "SELECT s.id, s.taken_at, s.text, (SELECT max(checked_at) FROM page_checks c "
        "WHERE c.snapshot_id = s.id) AS confirmed FROM page_snapshots s "
        "WHERE s.page_id = ? ORDER BY s.id DESC",
        [page_id],
    ))


def _save_findings(db, page_id, history, claims):
    newest = history[0]
    findings = [_claim_finding(claim, history) for claim in claims]
    db["claim_page_checks"].insert_all(
        [{**finding, "page_id": page_id, "snapshot_id": newest["id"]} for finding in findings])
    spans = [(f["page_offset"], f["page_offset"] + len(f["checked_text"]), f["claim_id"])
             for f in findings if f["state"] == page_states.ON_PAGE]
    db["page_statements"].insert_all(_statements(page_id, history, spans))


def _claim_finding(claim, history):
    """Is the claim's quote on the newest copy; if not, when was it last seen, and what is nearest."""
    newest = history[0]
    finding = {"claim_id": claim["id"], "checked_text": claim["text"]}
    position = page_text.find_quote(claim["text"], newest["text"])
    if position is not None:
        return {**finding, "state": page_states.ON_PAGE, "page_offset": position,
                "last_seen": newest["confirmed"], "nearest_passage": None, "similarity": 100}
    passage, similarity, start = page_text.nearest_passage(claim["text"], newest["text"])
    last_seen = next((copy["confirmed"] for copy in history[1:]
                      if page_text.find_quote(claim["text"], copy["text"]) is not None), None)
    edited = similarity >= page_text.EDITED_AT_LEAST
    return {**finding, "state": page_states.CHANGED if edited else page_states.VANISHED,
            "page_offset": start, "last_seen": last_seen, "nearest_passage": passage,
            "similarity": similarity}


def _statements(page_id, history, claim_spans):
    """The checkable sentences of the newest copy, with the claims that quote them and
    when each first appeared (the oldest copy that has it)."""
    newest = history[0]
    rows = []
    for sentence in page_text.sentences(newest["text"]):
        signals = statements.signals(sentence.text)
        if not signals:
            continue
        quoted_by = [claim_id for start, end, claim_id in claim_spans
                     if start < sentence.end and end > sentence.start]
        rows.append({
            "page_id": page_id, "snapshot_id": newest["id"], "position": len(rows) + 1,
            "section": sentence.section, "text": sentence.text, "signals": ",".join(signals),
            "claimed_by": ",".join(quoted_by) or None,
            "first_seen": min(copy["taken_at"] for copy in history if sentence.text in copy["text"]),
        })
    return rows


def page_overview(db):
    """Each page of pages.yml with its last reading and its claims' drift (view page_overview)."""
    return list(db.query("SELECT * FROM page_overview"))
