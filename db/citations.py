"""Writes of PubMed data: citations and their child tables.

Every writer takes a ``db`` and runs in one short write transaction
(db/writing.py), so a batch is either stored whole or not at all. Staff
curation lives in other tables and is never touched here; a citation row is
never deleted, only marked ``is_deleted``.

Flags only move forward with the record:

- a copy of a record older than the one stored (by ``DateRevised``, then PMID
  version) never replaces it, so an old export or baseline file imported late
  cannot clear a retraction;
- a notice (retraction notice, expression of concern) flags the article it is
  about whenever both are stored, whichever came first: when the notice is
  written, its stored target is flagged; when an article is written, the
  notices already stored about it flag it (evidence/vocabularies/flags.py);
- a ``DeleteCitation`` is recorded in ``citation_deletions`` even for a PMID
  not stored (staff may have linked it), and every copy of that PMID stored
  before or after is marked deleted;
- ``citations.flagged_at`` is when the newest of a citation's flags was first
  seen: set here whenever a flag turns on, never when it stays on.
"""

from functools import lru_cache
from operator import itemgetter

from litref.db.migrations import CHILD_TABLES, CITATION_COLUMNS, DERIVED_CHILD_COLUMNS
from litref.db.writing import write_transaction
from litref.evidence.records import is_older_hash, with_grade
from litref.evidence.vocabularies import flags
from litref.evidence.vocabularies.flags import NOTICE_FLAGS

# Record-dict key → child table.
CHILD_KEYS = {
    "authors": "citation_authors",
    "mesh": "citation_mesh",
    "publication_types": "citation_publication_types",
    "keywords": "citation_keywords",
    "grants": "citation_grants",
    "databanks": "citation_databanks",
    "links": "citation_links",
}
_QUERY_CHUNK = 500
# Citations per INSERT statement: as many as SQLite's oldest limit of 999 values per
# statement allows (22). Each statement that fires the full-text trigger makes FTS5 write
# out its pending index (a savepoint per statement), so one row per statement
# (executemany) left a tiny index segment per citation to merge later: storing the
# update file's citations took 3.3 s of CPU that way, 2.5 s twenty at a time (bench/README.md).
_ROWS_PER_UPSERT = 999 // (len(CITATION_COLUMNS) + 1)


@lru_cache(maxsize=_ROWS_PER_UPSERT)  # one statement per chunk size
def _upsert_citations_sql(count):
    """Insert or update ``count`` citations; ``flagged_at`` moves only when a flag turns on."""
    columns = [*CITATION_COLUMNS, "flagged_at"]
    updates = [f"{c} = excluded.{c}" for c in CITATION_COLUMNS if c not in ("pmid", "added_at")]
    raised = " OR ".join(f"excluded.{c} > citations.{c}" for c in flags.COLUMNS)
    updates.append(f"flagged_at = CASE WHEN {raised} THEN excluded.updated_at ELSE citations.flagged_at END")
    row = f"({', '.join('?' for _ in columns)})"
    return (
        f"INSERT INTO citations ({', '.join(columns)}) "
        f"VALUES {', '.join(row for _ in range(count))} "
        f"ON CONFLICT(pmid) DO UPDATE SET {', '.join(updates)}"
    )


def _insert_child(table):
    """The INSERT of a child row: the record's columns, then those derived as it is written."""
    columns = [*CHILD_TABLES[table], *DERIVED_CHILD_COLUMNS.get(table, {})]
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"


def save_records(db, items, *, source, now):
    """Store parsed items (records and deletions) in one short write transaction.

    Returns counts: ``new``, ``updated``, ``unchanged`` (including copies older
    than the stored one), ``deleted``, the ``pmids`` of the records seen (stored
    or already up to date) and those ``changed`` (new or updated), whose
    candidacy for the claims the caller then works out (db/candidates.py:
    ``refresh_for_citations``).
    """
    records, delete_pmids = _split(items)
    for record in records.values():
        with_grade(record)  # a record parsed without its grade is graded here, before the lock
    with write_transaction(db):
        stored = _stored_versions(db, list(records))
        changed = [r for pmid, r in records.items() if _is_change(r, stored.get(pmid))]
        _write_changed(db, changed, stored, source=source, now=now)
        _rehash(db, records, stored)
        _flag_notice_targets(db, changed, now=now)
        deleted = mark_deleted(db, delete_pmids, source=source, now=now)
    new = sum(1 for r in changed if r["citation"]["pmid"] not in stored)
    return {
        "new": new,
        "updated": len(changed) - new,
        "unchanged": len(records) - len(changed),
        "deleted": deleted,
        "pmids": list(records),
        "changed": [r["citation"]["pmid"] for r in changed],
    }


def mark_deleted(db, pmids, *, source, now):
    """Record PubMed's deletions and flag the stored citations; returns how many were flagged.

    The rows stay (staff may have linked them), and a deletion of a PMID not
    stored is kept in citation_deletions: a curated link to it is flagged, and
    a copy of the record arriving later is stored as deleted.
    """
    count = 0
    with write_transaction(db):
        db.conn.executemany(
            "INSERT OR IGNORE INTO citation_deletions (pmid, first_seen, source) VALUES (?, ?, ?)",
            [(pmid, now, source) for pmid in pmids],
        )
        for chunk in _chunks(list(pmids)):
            cursor = db.execute(
                f"UPDATE citations SET is_deleted = 1, updated_at = ?, flagged_at = ? "
                f"WHERE is_deleted = 0 AND pmid IN ({_marks(chunk)})",
                [now, now, *chunk],
            )
            count += cursor.rowcount
    return count


def _split(items):
    """Records keyed by pmid (the newest copy in the batch wins) and deletions."""
    records, delete_pmids = {}, []
    for item in items:
        if "delete_pmids" in item:
            delete_pmids.extend(item["delete_pmids"])
            continue
        pmid = item["citation"]["pmid"]
        earlier = records.get(pmid)
        if earlier is None or _age(item["citation"]) >= _age(earlier["citation"]):
            records[pmid] = item
    return records, delete_pmids


def _age(citation):
    """What makes one copy of a record newer than another: DateRevised, then PMID version.
    A copy without DateRevised cannot show it is newer than one with it."""
    return (citation["date_revised"] or "", citation["pmid_version"] or 1)


def _stored_versions(db, pmids):
    """pmid → (record_hash, age) of the rows already stored."""
    stored = {}
    for chunk in _chunks(pmids):
        rows = db.execute(
            f"SELECT pmid, record_hash, date_revised, pmid_version FROM citations "
            f"WHERE pmid IN ({_marks(chunk)})",
            chunk,
        ).fetchall()
        stored.update({pmid: (record_hash, _age({"date_revised": revised, "pmid_version": version}))
                       for pmid, record_hash, revised, version in rows})
    return stored


def _is_change(record, stored):
    """New, newer than the stored copy, or the same age with other content (a
    correction PubMed made without a new date, or litref's transform changed)."""
    if stored is None:
        return True
    record_hash, stored_age = stored
    age = _age(record["citation"])
    if age != stored_age:
        return age > stored_age
    if is_older_hash(record_hash):
        return False  # of the same age, and its hash cannot tell: kept, given a new hash (_rehash)
    return record["citation"]["record_hash"] != record_hash


def _rehash(db, records, stored):
    """Give stored copies hashed by an older litref the hash of the same-aged copy at hand,
    without rewriting them: after an upgrade a re-import or fetch would otherwise rewrite
    every record once, and show long-flagged papers as just changed."""
    db.conn.executemany(
        "UPDATE citations SET record_hash = ? WHERE pmid = ?",
        [(r["citation"]["record_hash"], pmid) for pmid, r in records.items()
         if pmid in stored and is_older_hash(stored[pmid][0]) and _age(r["citation"]) == stored[pmid][1]],
    )


def _write_changed(db, records, stored, *, source, now):
    if not records:
        return
    kept = _flags_from_elsewhere(db, [r["citation"]["pmid"] for r in records])
    pmids = [r["citation"]["pmid"] for r in records if r["citation"]["pmid"] in stored]
    for table in CHILD_TABLES:
        for chunk in _chunks(pmids):
            db.execute(f"DELETE FROM {table} WHERE pmid IN ({_marks(chunk)})", chunk)
    _upsert_citations(
        db,
        [_citation_values(r["citation"], kept.get(r["citation"]["pmid"], {}), source, now)
         for r in records],
    )
    for key, table in CHILD_KEYS.items():
        db.conn.executemany(_insert_child(table), _child_rows(records, key, table))


def _upsert_citations(db, rows):
    """Upsert the citations' values (``_citation_values``), _ROWS_PER_UPSERT to a statement."""
    for start in range(0, len(rows), _ROWS_PER_UPSERT):
        chunk = rows[start : start + _ROWS_PER_UPSERT]
        db.conn.execute(_upsert_citations_sql(len(chunk)), [value for row in chunk for value in row])


def _child_rows(records, key, table):
    """A child table's rows: the pmid, the record's columns, then the derived ones."""
    values = itemgetter(*list(CHILD_TABLES[table])[1:])  # every table has two or more: a tuple
    derived = list(DERIVED_CHILD_COLUMNS.get(table, {}).values())
    return [
        (r["citation"]["pmid"], *values(child), *[derive(child) for derive in derived])
        for r in records
        for child in r[key]
    ]


def _flags_from_elsewhere(db, pmids):
    """pmid → flags its own record may not carry, and which it keeps whatever copy
    arrives: PubMed deleted it, or a stored notice is about it."""
    kept = {}
    notice_types = list(NOTICE_FLAGS)
    for chunk in _chunks(pmids):
        for (pmid,) in db.execute(
            f"SELECT pmid FROM citation_deletions WHERE pmid IN ({_marks(chunk)})", chunk
        ):
            kept.setdefault(pmid, {})["is_deleted"] = 1
        for pmid, reftype in db.execute(
            f"SELECT DISTINCT target_pmid, reftype FROM citation_links "
            f"WHERE target_pmid IN ({_marks(chunk)}) AND reftype IN ({_marks(notice_types)})",
            [*chunk, *notice_types],
        ):
            kept.setdefault(pmid, {})[NOTICE_FLAGS[reftype]] = 1
    return kept


def _flag_notice_targets(db, records, *, now):
    """Flag the stored articles that the notices among ``records`` are about."""
    targets = {}
    for record in records:
        for link in record["links"]:
            column = NOTICE_FLAGS.get(link["reftype"])
            if column and link["target_pmid"]:
                targets.setdefault(column, set()).add(link["target_pmid"])
    for column, pmids in targets.items():
        for chunk in _chunks(sorted(pmids)):
            db.execute(
                f"UPDATE citations SET {column} = 1, updated_at = ?, flagged_at = ? "
                f"WHERE {column} = 0 AND pmid IN ({_marks(chunk)})",
                [now, now, *chunk],
            )


def _citation_values(citation, kept_flags, source, now):
    """The upsert's values; a new row that arrives flagged is flagged now."""
    row = {**citation, "is_deleted": 0, "source": source, "added_at": now, "updated_at": now}
    for column, value in kept_flags.items():
        row[column] = max(row[column] or 0, value)
    flagged_at = now if any(row[column] for column in flags.COLUMNS) else None
    return [*map(row.get, CITATION_COLUMNS), flagged_at]


def _marks(values):
    return ", ".join("?" for _ in values)


def _chunks(values):
    for start in range(0, len(values), _QUERY_CHUNK):
        yield values[start : start + _QUERY_CHUNK]
