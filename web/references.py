"""Full records behind a list of PMIDs, for the reference exports."""

import json

CITATION_COLUMNS = (
    "pmid, title, title_html, journal, journal_iso, volume, issue, pages, year, doi, pmcid, "
    "abstract, language, issn, is_book, is_retracted, has_expression_of_concern, is_deleted, "
    "authors_complete"
)
AUTHOR_COLUMNS = "pmid, last_name, fore_name, initials, suffix, collective_name"


def load_references(conn, pmids):
    """Reference dicts (see web/formats.py) in the order of ``pmids``; PMIDs not
    stored (a curated link not yet fetched) are left out."""
    ids = json.dumps(pmids)
    where = "WHERE pmid IN (SELECT value FROM json_each(?))"
    citations = {row["pmid"]: {**row, "author_list": []}
                 for row in _dicts(conn, f"SELECT {CITATION_COLUMNS} FROM citations {where}", ids)}
    sql = f"SELECT {AUTHOR_COLUMNS} FROM citation_authors {where} ORDER BY pmid, position"
    for author in _dicts(conn, sql, ids):
        citations[author.pop("pmid")]["author_list"].append(author)
    return [citations[pmid] for pmid in pmids if pmid in citations]


def _dicts(conn, sql, ids):
    cursor = conn.execute(sql, [ids])
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def unique_pmids(values):
    """PMIDs as integers, first occurrence kept; empty and non-numeric values skipped."""
    pmids = {}
    for value in values:
        if isinstance(value, dict):  # a foreign-key cell expanded by ?_labels=on
            value = value.get("value")
        text = str(value).strip() if value is not None else ""
        if text.isascii() and text.isdigit():
            pmids.setdefault(int(text), None)
    return list(pmids)
