"""Writes of PubMed data: citations and their child tables.

Every writer takes a ``db`` and runs in one transaction, so a batch is either
stored whole or not at all. Staff curation lives in other tables and is never
touched here; a citation row is never deleted, only marked ``is_deleted``.
"""

from litref.db.migrations import CHILD_TABLES, CITATION_COLUMNS, DERIVED_CHILD_COLUMNS

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


def _upsert_citation_sql():
    columns = list(CITATION_COLUMNS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in ("pmid", "added_at"))
    return (
        f"INSERT INTO citations ({', '.join(columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)}) "
        f"ON CONFLICT(pmid) DO UPDATE SET {updates}"
    )


UPSERT_CITATION = _upsert_citation_sql()


def _insert_child(table):
    """The INSERT of a child row: the record's columns, then those derived as it is written."""
    columns = [*CHILD_TABLES[table], *DERIVED_CHILD_COLUMNS.get(table, {})]
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"


def save_records(db, items, *, source, now):
    """Store parsed items (records and deletions) in one transaction.

    Returns counts: ``new``, ``updated``, ``unchanged``, ``deleted``, the
    ``pmids`` of the records seen (stored or already up to date) and those
    ``changed`` (new or updated), whose candidacy for the claims the caller then
    works out (db/candidates.py: ``refresh_for_citations``).
    """
    records, delete_pmids = _split(items)
    with db.atomic():
        stored = _stored_versions(db, list(records))
        changed = [r for pmid, r in records.items() if _is_change(r, stored.get(pmid))]
        _write_changed(db, changed, stored, source=source, now=now)
        deleted = mark_deleted(db, delete_pmids, now=now)
    new = sum(1 for r in changed if r["citation"]["pmid"] not in stored)
    return {
        "new": new,
        "updated": len(changed) - new,
        "unchanged": len(records) - len(changed),
        "deleted": deleted,
        "pmids": list(records),
        "changed": [r["citation"]["pmid"] for r in changed],
    }


def mark_deleted(db, pmids, *, now):
    """Flag citations PubMed deleted. The rows stay: staff may have linked them."""
    count = 0
    with db.atomic():
        for chunk in _chunks(list(pmids)):
            cursor = db.execute(
                f"UPDATE citations SET is_deleted = 1, updated_at = ? "
                f"WHERE is_deleted = 0 AND pmid IN ({', '.join('?' for _ in chunk)})",
                [now, *chunk],
            )
            count += cursor.rowcount
    return count


def _split(items):
    """Records keyed by pmid (a later version in the same batch wins) and deletions."""
    records, delete_pmids = {}, []
    for item in items:
        if "delete_pmids" in item:
            delete_pmids.extend(item["delete_pmids"])
            continue
        pmid = item["citation"]["pmid"]
        earlier = records.get(pmid)
        if earlier is None or _version(item) >= _version(earlier):
            records[pmid] = item
    return records, delete_pmids


def _version(record):
    return record["citation"]["pmid_version"] or 1


def _stored_versions(db, pmids):
    """pmid → (record_hash, pmid_version, is_deleted) of the rows already stored."""
    stored = {}
    for chunk in _chunks(pmids):
        rows = db.execute(
            f"SELECT pmid, record_hash, pmid_version, is_deleted FROM citations "
            f"WHERE pmid IN ({', '.join('?' for _ in chunk)})",
            chunk,
        ).fetchall()
        stored.update({row[0]: row[1:] for row in rows})
    return stored


def _is_change(record, stored):
    if stored is None:
        return True
    record_hash, version, is_deleted = stored
    if _version(record) < (version or 1):
        return False  # never replace PMID version 2 by an older version 1
    return is_deleted or record["citation"]["record_hash"] != record_hash


def _write_changed(db, records, stored, *, source, now):
    if not records:
        return
    pmids = [r["citation"]["pmid"] for r in records if r["citation"]["pmid"] in stored]
    for table in CHILD_TABLES:
        for chunk in _chunks(pmids):
            db.execute(
                f"DELETE FROM {table} WHERE pmid IN ({', '.join('?' for _ in chunk)})", chunk
            )
    db.conn.executemany(
        UPSERT_CITATION, [_citation_values(r["citation"], source, now) for r in records]
    )
    for key, table in CHILD_KEYS.items():
        columns = list(CHILD_TABLES[table])
        derived = list(DERIVED_CHILD_COLUMNS.get(table, {}).values())
        rows = [
            [r["citation"]["pmid"], *(child[c] for c in columns[1:]), *(f(child) for f in derived)]
            for r in records
            for child in r[key]
        ]
        db.conn.executemany(_insert_child(table), rows)


def _citation_values(citation, source, now):
    row = {**citation, "is_deleted": 0, "source": source, "added_at": now, "updated_at": now}
    return [row.get(column) for column in CITATION_COLUMNS]


def _chunks(values):
    for start in range(0, len(values), _QUERY_CHUNK):
        yield values[start : start + _QUERY_CHUNK]
