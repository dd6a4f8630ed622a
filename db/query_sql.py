"""A parsed PubMed query (evidence/pubmed_query/) as SQL over the stored citations.

``condition(tree)`` is an SQL expression that is true for a row ``c`` of
citations that the query matches, read as PubMed reads it, as far as the
stored record allows:

- words and phrases ([tiab], [ti], [ab], [tw], untagged) through a full-text
  index of titles and abstracts (porter stemming, so "cell" finds "cells"); a
  part of the query made of words alone is one full-text search, AND, OR and
  NOT included, so each part costs one look-up however many words it has;
  ``title_only`` looks at titles alone;
- [mh] and [majr] through citation_mesh, with a /subheading when given. MeSH
  headings are matched as named: PubMed also finds the narrower headings under
  them ("explodes" them), which needs the MeSH tree litref does not store;
- [pt] through citation_publication_types; [au], [ta] (journal), [dp] (year)
  and [la] through their columns.

A term with a field no stored column holds matches nothing. ``fts`` names the
full-text index to search: the whole store's, or a batch's own (db/candidates.py),
so that checking a new batch costs the batch, not the database.
"""

from litref.evidence.claim_queries import HEADING_TAGS, TEXT_TAGS, fts_string

STORE_FTS = "citations_fts"
# Covering (pmid, year, study_design, ..., is_deleted): made by m012_search_lookups.
CITATION_FACETS_INDEX = "idx_citations_search_facets"
FTS_COLUMNS = {"ti": "title", "ab": "abstract"}  # the other text tags: title and abstract
MATCHES_NOTHING = ("0", [])


def condition(tree, *, title_only=False, fts=STORE_FTS):
    """(SQL expression over ``c``, parameters).

    Over the whole store each look-up gathers its rows once; over a batch (``fts``
    a batch's index) each row is looked up by its pmid instead, so that a heading
    given to tens of thousands of stored citations costs the batch's few rows."""
    if is_text_only(tree):
        return _full_text(fts_expression(tree, title_only=title_only), fts)
    if "op" in tree:
        return _combine(tree, title_only, fts)
    if "range" in tree:
        return _date_range(tree)
    return _term(tree, by_row=fts != STORE_FTS)


def is_text_only(tree):
    """True when every term of the (sub)query is words to look for in titles and abstracts."""
    if "op" in tree:
        return all(is_text_only(item) for item in tree["items"])
    return "term" in tree and tree.get("tag") in TEXT_TAGS


def fts_expression(tree, *, title_only=False):
    """A words-only (sub)query as one FTS5 expression: ``({title abstract} : "a" OR ...)``."""
    if "op" in tree:
        joined = f" {tree['op']} ".join(fts_expression(item, title_only=title_only) for item in tree["items"])
        return f"({joined})"
    columns = "title" if title_only else FTS_COLUMNS.get(tree.get("tag"), "title abstract")
    return f"{{{columns}}} : {fts_string(tree)}"


def _full_text(expression, fts):
    name = fts.rsplit(".", 1)[-1]  # MATCH takes the table's own name, without its schema
    return f"c.pmid IN (SELECT rowid FROM {fts} WHERE {name} MATCH ?)", [expression]


def _combine(tree, title_only, fts):
    """A mix of words and other fields: the words of an OR searched together, in one look-up."""
    items = tree["items"]
    if tree["op"] == "OR":
        words = [item for item in items if is_text_only(item)]
        if len(words) > 1:
            items = [{"op": "OR", "items": words}] + [item for item in items if not is_text_only(item)]
    parts = [condition(item, title_only=title_only, fts=fts) for item in items]
    params = [p for _, ps in parts for p in ps]
    if tree["op"] == "NOT":
        first, *rest = (sql for sql, _ in parts)
        return f"({first} AND NOT ({' OR '.join(rest)}))", params
    return "(" + f" {tree['op']} ".join(sql for sql, _ in parts) + ")", params


def _term(term, by_row):
    tag = term.get("tag")
    if tag in HEADING_TAGS:
        return _rows_with(*_heading(term), by_row)
    if tag == "pt":
        return _rows_with("citation_publication_types", "publication_type = ?", [term["term"]], by_row)
    if tag == "au":
        return _rows_with(*_author(term), by_row)
    if tag in ("ta", "jour"):
        return "(c.journal = ? COLLATE NOCASE OR c.journal_iso = ? COLLATE NOCASE)", [term["term"]] * 2
    if tag == "la":
        return "c.language LIKE ?", [term["term"][:3].lower() + "%"]
    if tag == "dp":
        return _year(term["term"], term["term"])
    return MATCHES_NOTHING


def _rows_with(table, where, params, by_row):
    """Citations with a row of ``table`` (keyed by pmid) meeting ``where``."""
    if by_row:
        # A record's own few rows, by m001's index on pmid: left to choose, SQLite may take
        # an index that starts with the heading and read every row given it, per record.
        return (f"EXISTS (SELECT 1 FROM {table} x INDEXED BY idx_{table}_pmid "
                f"WHERE x.pmid = c.pmid AND {where})", params)
    return f"c.pmid IN (SELECT pmid FROM {table} WHERE {where})", params


def _heading(term):
    # Exact names (staff's queries pass litref check, which holds them to MeSH's spelling):
    # m017's covering index on (descriptor, qualifier, major, pmid) then finds them at once.
    where, params = "descriptor = ?", [term["term"]]
    if term.get("qualifier"):
        where += " AND qualifier = ?"
        params.append(term["qualifier"])
    if term.get("tag") == "majr":
        where += " AND major = 1"
    return "citation_mesh", where, params


def _author(term):
    """'Deng D' → last name Deng, initials starting with D; 'Deng' → any initials."""
    last, _, initials = term["term"].rpartition(" ") if " " in term["term"] else (term["term"], "", "")
    return ("citation_authors", "last_name = ? COLLATE NOCASE AND coalesce(initials, '') LIKE ?",
            [last, initials + "%"])


def _date_range(tree):
    first, last = tree["range"]
    return _year(first, last) if tree.get("tag") == "dp" else MATCHES_NOTHING


def _year(first, last):
    years = [text[:4] for text in (first, last)]
    if not all(year.isdigit() for year in years):
        return MATCHES_NOTHING
    return "c.year BETWEEN ? AND ?", [int(years[0]), int(years[1])]
