"""The literature search behind /search: what PubMed users type, answered from the
stored citations as readable cards, with facets.

A typed text (web/pubmed_query.py) becomes one SQL statement (``statement``)
for the whole page: words through the full-text index (bm25, title words
counting five times), authors, journals, DOIs and MeSH headings through the
indexes of migration m012; every match read once, with what the facets count,
from a covering index; the total, the facet counts and the page's PMIDs come
back together. Only the page shown is then read in full, with its matches
marked (web/highlight.py).

Relevance: citations with the words in the title or abstract first, best first;
then those found only by author, journal or MeSH heading, newest first.
Listing without a search reads the newest citations by index, and the facets of
the whole table are counted once per change of the data (``FacetCache``).
"""

from collections import Counter
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from datasette.database import QueryInterrupted
from markupsafe import escape

from litref.evidence.vocabularies import designs, flags, subjects
from litref.web import pubmed_query
from litref.web.fts import fts_words
from litref.web.highlight import excerpt_html, mark_authors, mark_html, marked_words

PAGE_SIZE = 20
MAX_PAGES = 50
JOURNALS_SHOWN = 10
SORTS = {"relevance": "Best match", "date": "Newest first"}
FLAG_COLUMNS = [flag["column"] for flag in flags.FLAGS]
# facet → its label, and the column of citations it counts.
FACETS = {
    "year": "Year", "design": "Study design", "subjects": "Subjects", "journal": "Journal",
    "flag": "Flagged",
}
FACET_COLUMNS = {"year": "c.year", "design": "c.study_design", "subjects": "c.subjects",
                 "journal": "c.journal"}
_FACET_SELECT = ("c.year, c.study_design AS design, c.subjects, c.journal, "
                 + ", ".join(f"c.{column}" for column in FLAG_COLUMNS))
ORDER = {"relevance": "score IS NULL, score, pmid DESC",
         "date": "year IS NULL, year DESC, pmid DESC"}
_TEXT = ("SELECT rowid AS pmid, bm25(citations_fts, 5.0, 1.0) AS score FROM citations_fts "
         "WHERE citations_fts MATCH :fts")
# A clause's field → the PMIDs it finds (the named parameter is its value).
_FIELD_SQL = {
    "author": "SELECT pmid FROM citation_authors WHERE name_key = :{p}_key "
              "AND initials LIKE :{p}_initials || '%'",
    "first_author": "SELECT pmid FROM citation_authors WHERE name_key = :{p}_key "
                    "AND initials LIKE :{p}_initials || '%' AND position = 1",
    "journal": "SELECT pmid FROM citations WHERE journal = :{p} COLLATE NOCASE "
               "UNION SELECT pmid FROM citations WHERE journal_iso = :{p} COLLATE NOCASE",
    "mesh": "SELECT pmid FROM citation_mesh WHERE descriptor = :{p} COLLATE NOCASE",
    "major_mesh": "SELECT pmid FROM citation_mesh WHERE descriptor = :{p} COLLATE NOCASE "
                  "AND major = 1",
    "pmid": "SELECT value AS pmid FROM json_each(:{p})",
    "doi": "SELECT pmid FROM citations WHERE doi = :{p} COLLATE NOCASE",
    "pmcid": "SELECT pmid FROM citations WHERE pmcid = :{p}",
}


@dataclass(frozen=True)
class Search:
    """What the search page was asked: the typed query, facet choices, sort, page."""

    query: pubmed_query.Query
    filters: tuple = ()  # (facet, value) pairs
    sort: str = "relevance"
    page: int = 1


def search_from_args(args):
    """A Search from the page's address (?q=...&year=2017&sort=date&page=2)."""
    filters = tuple((facet, args[facet]) for facet in FACETS if args.get(facet))
    sort = args.get("sort") if args.get("sort") in SORTS else "relevance"
    page = args.get("page", "1")
    page = min(int(page), MAX_PAGES) if page.isdigit() and int(page) > 0 else 1
    return Search(pubmed_query.parse(args.get("q")), filters, sort, page)


# --- what the words might be ------------------------------------------------------


async def interpretations(db, query):
    """How the query is searched: a list of (field, value as shown), and the SQL parts
    (each a SELECT of pmid and score, all joined by UNION ALL) with their parameters."""
    if query.is_identifier:
        field, value = _identifier(query)
        return [(field, value)], [_field_part(field, "id", value)]
    if not query.words:
        return [], []
    guesses = await _holding_guesses(db, query.words)
    exclusive = [(f, v) for f, v in guesses if _is_exclusive(f, v)]
    if exclusive:
        return [(f, v) for f, v in exclusive], [
            _field_part(f, f"guess{i}", v) for i, (f, v) in enumerate(exclusive)]
    words = fts_words(query.words)
    shown = [("words", query.words)] + [(f, v) for f, v in guesses]
    parts = [(_TEXT, {"fts": words})]
    parts += [_field_part(f, f"guess{i}", v) for i, (f, v) in enumerate(guesses)]
    return shown, parts


def _identifier(query):
    if query.pmids:
        return "pmid", query.pmids
    if query.doi:
        return "doi", query.doi
    return "pmcid", query.pmcid


async def _holding_guesses(db, words):
    """The automatic-mapping guesses (web/pubmed_query.py) that the database has."""
    found = []
    guesses = pubmed_query.mapping_guesses(words)
    if "mesh" in guesses:
        heading = await _first_value(
            db, "SELECT descriptor FROM citation_mesh WHERE descriptor = :v COLLATE NOCASE LIMIT 1",
            guesses["mesh"])
        if heading:
            found.append(("mesh", heading))
    if "journal" in guesses:
        journal = await _first_value(
            db, "SELECT journal FROM citations WHERE journal = :v COLLATE NOCASE "
                "UNION ALL SELECT journal_iso FROM citations WHERE journal_iso = :v COLLATE NOCASE "
                "LIMIT 1", guesses["journal"])
        if journal:
            found.append(("journal", journal))
    if "author" in guesses:
        key, initials = guesses["author"]
        rows = await db.execute(
            "SELECT 1 FROM citation_authors WHERE name_key = :key AND initials LIKE :initials || '%' "
            "LIMIT 1", {"key": key, "initials": initials})
        if rows.rows:
            found.append(("author", words))
    return found


async def _first_value(db, sql, value):
    rows = (await db.execute(sql, {"v": value})).rows
    return rows[0][0] if rows else None


def _is_exclusive(field, value):
    """A name with initials, or several words that are a journal or a surname: that is
    what was meant (as in PubMed), so the words are not searched as words too."""
    if field == "author":
        parts = value.split()
        return len(parts) > 1
    return field == "journal" and len(value.split()) > 1


def _field_part(field, name, value):
    """(SELECT pmid, NULL score ..., parameters) for a field clause or guess."""
    sql = _FIELD_SQL[field].format(p=name)
    if field in ("author", "first_author"):
        key, initials = pubmed_query.author_clause(value)
        params = {f"{name}_key": key, f"{name}_initials": initials}
    elif field == "pmid":
        params = {name: "[" + ",".join(str(int(p)) for p in value) + "]"}
    else:
        params = {name: value}
    return f"SELECT pmid, NULL AS score FROM ({sql})", params


# --- the statement ----------------------------------------------------------------


def _clause_base(query):
    """The first clause that finds PMIDs by index, to start from: started from the
    whole table, SQLite would read it in PMID order and test every row."""
    for index, clause in enumerate(query.clauses):
        if clause.field in _FIELD_SQL and not clause.excluded:
            return index, _field_part(clause.field, f"clause{index}", clause.value)
    return None, None


def _clause_filters(query, skip=None):
    """SQL conditions on citations c for the tagged clauses (each ANDed), with parameters."""
    conditions, params = [], {}
    for index, clause in enumerate(query.clauses):
        name = f"clause{index}"
        if index == skip:
            continue
        if clause.field == "year":
            span = pubmed_query.years(clause.value) or (0, -1)  # not a year: matches nothing
            condition = f"c.year BETWEEN :{name}_from AND :{name}_to"
            params.update({f"{name}_from": span[0], f"{name}_to": span[1]})
        elif clause.field == "title":
            condition = (f"c.pmid IN (SELECT rowid FROM citations_fts WHERE citations_fts MATCH "
                         f"'title : (' || fts_words(:{name}) || ')')")
            params[name] = clause.value
        else:
            sql, clause_params = _field_part(clause.field, name, clause.value)
            condition = f"c.pmid IN (SELECT pmid FROM ({sql}))"
            params.update(clause_params)
        conditions.append(f"NOT ({condition})" if clause.excluded else condition)
    return conditions, params


def _facet_filters(filters):
    conditions, params = [], {}
    for index, (facet, value) in enumerate(filters):
        name = f"facet{index}"
        if facet == "flag":
            # An unknown flag matches nothing.
            conditions.append(f"c.{value} = 1" if value in FLAG_COLUMNS else "0")
        else:
            conditions.append(f"{FACET_COLUMNS[facet]} = :{name}")
            params[name] = int(value) if facet == "year" and value.isdigit() else value
    return conditions, params


def _filter_base(filters, facet_params):
    """The first facet choice as the PMIDs to start from (each has an index)."""
    facet, value = filters[0]
    if facet == "flag":
        column = value if value in FLAG_COLUMNS else "is_deleted AND 0"
        return f"SELECT pmid, NULL AS score FROM citations WHERE {column} = 1"
    return (f"SELECT pmid, NULL AS score FROM citations "
            f"WHERE {FACET_COLUMNS[facet].removeprefix('c.')} = :facet0")


def statement(search, parts):
    """One SQL statement for the whole page, and its parameters. Its rows are
    (kind, value, number): ("total", None, n), one row per facet value with its count,
    then ("page", pmid, None) for each citation of the page, in order.

    Every match is read once into ``m`` (MATERIALIZED): its PMID, relevance and the
    columns the facets count, from the covering index idx_citations_search_facets
    (the citations rows themselves hold the abstracts and are slow to read).
    """
    base_index = None
    conditions, params = [], {}
    if not parts:
        base_index, base = _clause_base(search.query)
        parts = [base] if base else []
    clause_conditions, clause_params = _clause_filters(search.query, skip=base_index)
    facet_conditions, facet_params = _facet_filters(search.filters)
    conditions += clause_conditions + facet_conditions
    params.update(clause_params, **facet_params)
    if not parts:  # no words and no field: every citation, as chosen in the facets
        parts = [(_filter_base(search.filters, facet_params), {})]
    for _, part_params in parts:
        params.update(part_params)
    # Each part on its own (bm25 works only beside its MATCH), then each PMID once.
    found = ", ".join(f"found{i} AS MATERIALIZED ({sql})" for i, (sql, _) in enumerate(parts))
    union = " UNION ALL ".join(f"SELECT pmid, score FROM found{i}" for i in range(len(parts)))
    best = union if len(parts) == 1 else f"SELECT pmid, min(score) AS score FROM ({union}) GROUP BY pmid"
    matches = (f"m AS MATERIALIZED (SELECT b.pmid, b.score, {_FACET_SELECT} FROM ({best}) AS b "
               f"JOIN citations c INDEXED BY idx_citations_search_facets ON c.pmid = b.pmid "
               f"WHERE {' AND '.join(conditions) or '1'})")
    start = (search.page - 1) * PAGE_SIZE
    arms = [
        "SELECT 'total', NULL, count(*) FROM m",
        *(f"SELECT '{facet}', {facet}, count(*) FROM m GROUP BY {facet}" for facet in ("year", "design", "subjects")),
        f"SELECT * FROM (SELECT 'journal', journal, count(*) AS n FROM m GROUP BY journal "
        f"ORDER BY n DESC, journal LIMIT {JOURNALS_SHOWN})",
        *(f"SELECT 'flag', '{column}', coalesce(sum({column}), 0) FROM m" for column in FLAG_COLUMNS),
        f"SELECT * FROM (SELECT 'page', pmid, NULL FROM m ORDER BY {ORDER[search.sort]} "
        f"LIMIT {PAGE_SIZE} OFFSET {start})",
    ]
    return f"WITH {found}, {matches} " + " UNION ALL ".join(arms), params


def read_statement(rows):
    """(facet counts, total, page PMIDs) from the rows of ``statement``."""
    counts = {facet: Counter() for facet in FACETS}
    total, page = 0, []
    for kind, value, number in rows:
        if kind == "total":
            total = number
        elif kind == "page":
            page.append(value)
        elif number:
            counts[kind][value] = number
    return counts, total, page


def facet_lists(counts, search):
    """Each facet as staff see it: values in a sensible order with their counts and the
    address that adds (or removes) the choice."""
    chosen = dict(search.filters)
    labels = {
        "design": {d["code"]: d["label"] for d in designs.DESIGNS},
        "subjects": {s["code"]: s["label"].split(":")[0] for s in subjects.SUBJECTS},
        "flag": {f["column"]: f["label"] for f in flags.FLAGS},
    }
    order = {
        "year": lambda item: -(item[0] or 0),
        "design": lambda item: designs.RANK.get(item[0], 99),
        "subjects": lambda item: subjects.CODES.index(item[0]) if item[0] in subjects.CODES else 99,
        "journal": lambda item: (-item[1], item[0] or ""),
        "flag": lambda item: FLAG_COLUMNS.index(item[0]),
    }
    facets = []
    for facet, label in FACETS.items():
        items = sorted(((v, n) for v, n in counts[facet].items() if v is not None), key=order[facet])
        if facet == "journal":
            items = items[:JOURNALS_SHOWN]
        values = [{
            "value": value, "count": count,
            "label": labels.get(facet, {}).get(value, str(value)),
            "chosen": str(value) == chosen.get(facet),
            "href": address(search, **{facet: None if str(value) == chosen.get(facet) else value}),
        } for value, count in items]
        facets.append({"name": facet, "label": label, "values": values,
                       "chosen": chosen.get(facet)})
    return facets


class FacetCache:
    """Facets of the whole table, counted once per change of the citations: at
    1,000,000 citations they take seconds, and the list page shows them every time."""

    KEY_SQL = "SELECT (SELECT max(pmid) FROM citations), (SELECT max(updated_at) FROM citations)"

    def __init__(self):
        self._stored = {}

    async def counts(self, db):
        key = tuple((await db.execute(self.KEY_SQL)).rows[0])
        if self._stored.get(db.name, (None,))[0] != key:
            self._stored[db.name] = (key, await _table_facets(db))
        return self._stored[db.name][1]


async def _table_facets(db):
    counts = {facet: Counter() for facet in FACETS}
    for facet, column in FACET_COLUMNS.items():
        sql = f"SELECT {column.removeprefix('c.')}, count(*) FROM citations GROUP BY 1"
        counts[facet].update(dict((await db.execute(sql, custom_time_limit=60_000)).rows))
    for column in FLAG_COLUMNS:
        rows = await db.execute(f"SELECT count(*) FROM citations WHERE {column} = 1")
        counts["flag"][column] = rows.rows[0][0]
    counts["total"] = sum(counts["year"].values())
    return counts


# --- the page ---------------------------------------------------------------------


def address(search, **changes):
    """The /search address of ``search`` with facet choices (or q, sort) changed;
    a change to None removes that choice. Any change goes back to page 1."""
    arguments = {"q": search.query.text, **dict(search.filters), "sort": search.sort}
    arguments.update(changes)
    if arguments.get("sort") == "relevance":
        arguments.pop("sort")
    pairs = [(key, str(value)) for key, value in arguments.items() if value not in (None, "")]
    return "/search" + ("?" + urlencode(pairs) if pairs else "")


async def run(db, search, facet_cache, describe):
    """Everything the search page shows. ``describe(db, rows)`` adds to citation rows
    what every page shows of a citation (web/pages.py)."""
    shown, parts = await interpretations(db, search.query)
    browsing = search.query.is_empty
    too_broad = False
    if browsing and not search.filters:
        counts = await facet_cache.counts(db)
        total, page_pmids = counts["total"], await _newest(db, search)
    else:
        sql, params = statement(search, parts)
        try:
            counts, total, page_pmids = read_statement((await db.execute(sql, params)).rows)
        except QueryInterrupted:
            too_broad = True
            counts, total, page_pmids = {facet: Counter() for facet in FACETS}, 0, []
    cards = await _cards(db, page_pmids, search, shown, describe)
    last_page = min(MAX_PAGES, max(1, -(-total // PAGE_SIZE)))
    return {
        "search": search, "shown": shown, "total": total, "too_broad": too_broad,
        "cards": cards, "facets": facet_lists(counts, search),
        "sorts": [{"code": code, "label": label, "chosen": code == search.sort,
                   "href": address(search, sort=code)} for code, label in SORTS.items()],
        "pages": _pages(search, last_page), "only_links": _only_links(search, shown),
        "ignored": search.query.ignored, "browsing": browsing,
        "field_names": pubmed_query.FIELD_NAMES,
    }


async def _newest(db, search):
    order = ORDER[search.sort].replace("score IS NULL, score, ", "")
    start = (search.page - 1) * PAGE_SIZE
    rows = await db.execute(
        f"SELECT pmid FROM citations ORDER BY {order} LIMIT {PAGE_SIZE} OFFSET {start}")
    return [row[0] for row in rows.rows]


def _pages(search, last_page):
    return {
        "current": search.page, "last": last_page,
        "previous": search.page > 1 and address(replace(search, page=1), page=search.page - 1),
        "next": search.page < last_page and address(search, page=search.page + 1),
    }


def _only_links(search, shown):
    """For a search that also looked in authors, journals or MeSH: the address of
    each reading alone (one click to "only the articles by this author")."""
    if len(shown) < 2:
        return []
    tags = {"author": "au", "journal": "ta", "mesh": "mh", "words": "tiab"}
    return [{"field": field, "value": value,
             "href": address(search, q=f'"{value}"[{tags[field]}]' if field == "mesh" or field == "words"
                             else f"{value}[{tags[field]}]")}
            for field, value in shown]


async def _cards(db, pmids, search, shown, describe):
    """The page's citations, in order, with titles and abstracts marked."""
    if not pmids:
        return []
    ids = "[" + ",".join(map(str, pmids)) + "]"
    rows = {row["pmid"]: dict(row) for row in (await db.execute(
        "SELECT pmid, title, title_html, abstract, abstract_html, authors, journal, journal_iso, "
        "year, pub_date, study_design, subjects, has_erratum, doi, pmcid, "
        + ", ".join(FLAG_COLUMNS) + " FROM citations WHERE pmid IN (SELECT value FROM json_each(:ids))",
        {"ids": ids})).rows}
    marks = await _marks(db, ids, search.query, shown)
    cards = await describe(db, [rows[pmid] for pmid in pmids if pmid in rows])
    author = _author_shown(search.query, shown)
    for card in cards:
        title_words, abstract_words = marks.get(card["pmid"], (set(), set()))
        card["title_markup"] = mark_html(card["title_markup"], title_words)
        card["excerpt_markup"] = excerpt_html(card["abstract_html"], abstract_words) or (
            mark_html(str(_escaped(card["abstract"])), abstract_words) if card["abstract"] else None)
        card["authors_markup"] = mark_authors(card["authors"], *author) if author else None
    return cards


def _escaped(text):
    return escape(text[:400])


def _author_shown(query, shown):
    for field, value in shown:
        if field == "author":
            return pubmed_query.author_clause(value)
    for clause in query.clauses:
        if clause.field in ("author", "first_author") and not clause.excluded:
            return pubmed_query.author_clause(clause.value)
    return None


async def _marks(db, ids, query, shown):
    """pmid → (words marked in the title, words marked in the abstract)."""
    texts = [value for field, value in shown if field == "words"]
    texts += [c.value for c in query.clauses if c.field == "title" and not c.excluded]
    if not texts:
        return {}
    rows = await db.execute(
        "SELECT citations_fts.rowid, highlight(citations_fts, 0, char(57344), char(57345)), "
        "highlight(citations_fts, 1, char(57344), char(57345)) "
        "FROM json_each(:ids) p CROSS JOIN citations_fts ON citations_fts.rowid = p.value "
        "WHERE citations_fts MATCH :fts",
        {"ids": ids, "fts": " OR ".join(f"({fts_words(text)})" for text in texts)})
    return {pmid: (marked_words(title), marked_words(abstract)) for pmid, title, abstract in rows.rows}
