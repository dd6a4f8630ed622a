"""A parsed PubMed query (evidence/pubmed_query.py) as SQL over the stored citations.

``condition(tree)`` is an SQL expression that is true for a row ``c`` of
citations that the query matches, read as PubMed reads it, as far as the
stored record allows:

- words and phrases ([tiab], [ti], [ab], [tw], untagged) through the full-text
  index of titles and abstracts (porter stemming, so "cell" finds "cells");
  ``title_only`` looks at titles alone;
- [mh] and [majr] through citation_mesh, with a /subheading when given. MeSH
  headings are matched as named: PubMed also finds the narrower headings under
  them ("explodes" them), which needs the MeSH tree litref does not store;
- [pt] through citation_publication_types; [au], [ta] (journal), [dp] (year)
  and [la] through their columns.

A term with a field no stored column holds matches nothing. ``scope`` (an SQL
subquery of pmids) limits every full-text look-up to those rows, so that
checking a new batch costs the batch, not the database.
"""

from litref.evidence.claim_queries import HEADING_TAGS, TEXT_TAGS, fts_string

FTS_COLUMNS = {"ti": "title", "ab": "abstract"}  # the other text tags: title and abstract
MATCHES_NOTHING = ("0", [])


def condition(tree, *, title_only=False, scope=None):
    """(SQL expression over ``c``, parameters)."""
    if "op" in tree:
        return _combine(tree, title_only, scope)
    if "range" in tree:
        return _date_range(tree)
    return _term(tree, title_only, scope)


def _combine(tree, title_only, scope):
    parts = [condition(item, title_only=title_only, scope=scope) for item in tree["items"]]
    params = [p for _, ps in parts for p in ps]
    if tree["op"] == "NOT":
        first, *rest = (sql for sql, _ in parts)
        return f"({first} AND NOT ({' OR '.join(rest)}))", params
    return "(" + f" {tree['op']} ".join(sql for sql, _ in parts) + ")", params


def _term(term, title_only, scope):
    tag = term.get("tag")
    if tag in TEXT_TAGS:
        return _full_text(term, "title" if title_only else FTS_COLUMNS.get(tag), scope)
    if tag in HEADING_TAGS:
        return _heading(term)
    if tag == "pt":
        return ("c.pmid IN (SELECT pmid FROM citation_publication_types WHERE publication_type = ?)",
                [term["term"]])
    if tag == "au":
        return _author(term)
    if tag in ("ta", "jour"):
        return "(c.journal = ? COLLATE NOCASE OR c.journal_iso = ? COLLATE NOCASE)", [term["term"]] * 2
    if tag == "la":
        return "c.language LIKE ?", [term["term"][:3].lower() + "%"]
    if tag == "dp":
        return _year(term["term"], term["term"])
    return MATCHES_NOTHING


def _full_text(term, column, scope):
    match = f"{{{column}}} : {fts_string(term)}" if column else f"{{title abstract}} : {fts_string(term)}"
    within = f" AND rowid IN ({scope})" if scope else ""
    return f"c.pmid IN (SELECT rowid FROM citations_fts WHERE citations_fts MATCH ?{within})", [match]


def _heading(term):
    sql = "c.pmid IN (SELECT pmid FROM citation_mesh WHERE descriptor = ? COLLATE NOCASE"
    params = [term["term"]]
    if term.get("qualifier"):
        sql += " AND qualifier = ? COLLATE NOCASE"
        params.append(term["qualifier"])
    if term.get("tag") == "majr":
        sql += " AND major = 1"
    return sql + ")", params


def _author(term):
    """'Deng D' → last name Deng, initials starting with D; 'Deng' → any initials."""
    last, _, initials = term["term"].rpartition(" ") if " " in term["term"] else (term["term"], "", "")
    return ("c.pmid IN (SELECT pmid FROM citation_authors WHERE last_name = ? COLLATE NOCASE "
            "AND coalesce(initials, '') LIKE ?)", [last, initials + "%"])


def _date_range(tree):
    first, last = tree["range"]
    return _year(first, last) if tree.get("tag") == "dp" else MATCHES_NOTHING


def _year(first, last):
    years = [text[:4] for text in (first, last)]
    if not all(year.isdigit() for year in years):
        return MATCHES_NOTHING
    return "c.year BETWEEN ? AND ?", [int(years[0]), int(years[1])]
