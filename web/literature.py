"""The literature search behind /search: what PubMed users type, answered from the
stored citations as readable cards, with facets.

A typed text (web/search_query.py) becomes one SQL statement (``statement``)
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

from litref.evidence.vocabularies import designs, flags, subjects
from litref.web import search_query
from litref.web.fts import fts_words
from litref.web.highlight import excerpt_html, mark_authors, mark_html, marked_words

PAGE_SIZE = 20
MAX_PAGES = 50
COUNTED = 10_000  # matches read and counted at most (bench/README.md: the page at 1,000,000)
UNION_LIMIT = 20_000  # an author, journal or heading guessed from the words, at most
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
# The same order where a match b meets its citation c.
_JOINED_ORDER = {"relevance": "b.score IS NULL, b.score, b.pmid DESC",
                 "date": "c.year IS NULL, c.year DESC, b.pmid DESC"}
_TEXT = ("SELECT rowid AS pmid, bm25(citations_fts, 5.0, 1.0) AS score FROM citations_fts "
         "WHERE citations_fts MATCH :fts")
# A clause's field → the PMIDs it finds (the named parameter is its value).
_FIELD_SQL = {
    "author": "SELECT pmid FROM citation_authors WHERE name_key = :{p}_key "
              "AND initials LIKE :{p}_initials || '%'",
    "first_author": "SELECT pmid FROM citation_authors WHERE name_key = :{p}_key "
                    "AND initials LIKE :{p}_initials || '%' AND position = 1",
    # A journal by its title or by its abbreviation, whichever was typed (_journal_field):
    # one index, whose PMIDs come in order.
    "journal": "SELECT pmid FROM citations WHERE journal = :{p} COLLATE NOCASE",
    "journal_iso": "SELECT pmid FROM citations WHERE journal_iso = :{p} COLLATE NOCASE",
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

    query: search_query.Query
    filters: tuple = ()  # (facet, value) pairs
    sort: str = "relevance"
    page: int = 1


def search_from_args(args):
    """A Search from the page's address (?q=...&year=2017&sort=date&page=2)."""
    filters = tuple((facet, args[facet]) for facet in FACETS if args.get(facet))
    sort = args.get("sort") if args.get("sort") in SORTS else "relevance"
    page = args.get("page", "1")
    page = min(int(page), MAX_PAGES) if page.isdigit() and int(page) > 0 else 1
    return Search(search_query.parse(args.get("q")), filters, sort, page)


# --- what the words might be ------------------------------------------------------


async def interpretations(db, query):
    """How the query is searched: (what it was searched as, a list of (field, value);
    the SQL parts, each a SELECT of pmid and score, joined by UNION ALL, with their
    parameters; readings left out because too broad, as (field, value))."""
    if query.is_identifier:
        field, value = _identifier(query)
        return [(field, value)], [_field_part(field, "id", value)], []
    if not query.words:
        return [], [], []
    guesses = await _holding_guesses(db, query.words)
    exclusive = [(f, v) for f, v in guesses if _is_exclusive(f, v)]
    if exclusive:
        return exclusive, [_field_part(f, f"guess{i}", v) for i, (f, v) in enumerate(exclusive)], []
    added, offered = [], []
    for field, value in guesses:
        (added if await _is_narrow(db, field, value) else offered).append((field, value))
    parts = [(_TEXT, {"fts": fts_words(query.words)})]
    parts += [_field_part(f, f"guess{i}", v) for i, (f, v) in enumerate(added)]
    return [("words", query.words), *added], parts, offered


async def _is_narrow(db, field, value):
    """Whether a reading of the words finds few enough citations to be added to the
    words' own: a general MeSH heading or a common surname (Inflammation, Wang) on
    tens of thousands would bury the words' best matches and slow every page. Those
    are offered as a search of their own instead."""
    sql, params = _field_part(field, "v", value)
    rows = await db.execute(f"SELECT count(*) FROM (SELECT 1 FROM ({sql}) LIMIT {UNION_LIMIT + 1})",
                            params)
    return rows.rows[0][0] <= UNION_LIMIT


def _identifier(query):
    if query.pmids:
        return "pmid", query.pmids
    if query.doi:
        return "doi", query.doi
    return "pmcid", query.pmcid


async def _holding_guesses(db, words):
    """The automatic-mapping guesses (web/search_query.py) that the database has."""
    found = []
    guesses = search_query.mapping_guesses(words)
    if "mesh" in guesses:
        heading = await _first_value(
            db, "SELECT descriptor FROM citation_mesh WHERE descriptor = :v COLLATE NOCASE LIMIT 1",
            guesses["mesh"])
        if heading:
            found.append(("mesh", heading))
    if "journal" in guesses:
        journal = await _journal_field(db, guesses["journal"])
        if journal:
            found.append(journal)
    if "author" in guesses:
        key, initials = guesses["author"]
        rows = await db.execute(
            "SELECT 1 FROM citation_authors WHERE name_key = :key AND initials LIKE :initials || '%' "
            "LIMIT 1", {"key": key, "initials": initials})
        if rows.rows:
            found.append(("author", words))
    return found


async def _journal_field(db, typed):
    """("journal", title) when a stored journal title is what was typed, else
    ("journal_iso", abbreviation) when an abbreviation is, else None."""
    for column in ("journal", "journal_iso"):
        spelling = await _first_value(
            db, f"SELECT {column} FROM citations WHERE {column} = :v COLLATE NOCASE LIMIT 1", typed)
        if spelling:
            return column, spelling
    return None


async def resolve_journals(db, search):
    """The search with each [ta] clause searching the column that holds what was typed."""
    clauses = []
    for clause in search.query.clauses:
        if clause.field == "journal":
            found = await _journal_field(db, clause.value)
            clause = replace(clause, field=found[0]) if found else clause
        clauses.append(clause)
    return replace(search, query=replace(search.query, clauses=tuple(clauses)))


async def _first_value(db, sql, value):
    rows = (await db.execute(sql, {"v": value})).rows
    return rows[0][0] if rows else None


def _is_exclusive(field, value):
    """A name with initials, or several words that are a journal or a surname: that is
    what was meant (as in PubMed), so the words are not searched as words too."""
    if field == "author":
        parts = value.split()
        return len(parts) > 1
    return field in ("journal", "journal_iso") and len(value.split()) > 1


def _field_part(field, name, value):
    """(SELECT pmid, NULL score ..., parameters) for a field clause or guess."""
    sql = _FIELD_SQL[field].format(p=name)
    if field in ("author", "first_author"):
        key, initials = search_query.author_clause(value)
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
            span = search_query.years(clause.value) or (0, -1)  # not a year: matches nothing
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

    The matches are read once into ``m`` (MATERIALIZED), in the page's order: PMID,
    relevance and the columns the facets count, from the covering index
    idx_citations_search_facets (the citations rows hold the abstracts and are slow
    to read). Only the first COUNTED are read and counted: a total above that is
    "more than COUNTED", and the facets count those first ones.
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
    whole = None
    if len(parts) == 1 and "fts" not in parts[0][1] and not conditions and search.sort == "relevance":
        # An author, journal or heading alone: newest first, the first COUNTED by
        # index; the total counts them all, by index too.
        whole = parts[0][0]
        parts = [(f"SELECT * FROM ({whole}) ORDER BY pmid DESC LIMIT {COUNTED + 1}", parts[0][1])]
    # Each part on its own (bm25 works only beside its MATCH), then each PMID once.
    found = ", ".join(f"found{i} AS MATERIALIZED ({sql})" for i, (sql, _) in enumerate(parts))
    union = " UNION ALL ".join(f"SELECT pmid, score FROM found{i}" for i in range(len(parts)))
    best = union if len(parts) == 1 else f"SELECT pmid, min(score) AS score FROM ({union}) GROUP BY pmid"
    # Without conditions the total is every match; with them, those of m (at most
    # COUNTED + 1: "more than COUNTED").
    total = (f"SELECT 'total', NULL, (SELECT count(*) FROM ({whole or best}))" if not conditions
             else "SELECT 'at least', NULL, (SELECT count(*) FROM m)")
    if not conditions and search.sort == "relevance":  # the best first, before reading them
        best = f"SELECT * FROM ({best}) ORDER BY {ORDER['relevance']} LIMIT {COUNTED + 1}"
    matches = (f"m AS MATERIALIZED (SELECT b.pmid, b.score, {_FACET_SELECT} FROM ({best}) AS b "
               f"JOIN citations c INDEXED BY idx_citations_search_facets ON c.pmid = b.pmid "
               f"WHERE {' AND '.join(conditions) or '1'} "
               f"ORDER BY {_JOINED_ORDER[search.sort]} LIMIT {COUNTED + 1})")
    start = (search.page - 1) * PAGE_SIZE
    # Each flag a bit: one pass counts every combination of flags.
    flag_bits = " + ".join(f"{1 << bit} * {column}" for bit, column in enumerate(FLAG_COLUMNS))
    arms = [
        total,
        *(f"SELECT '{facet}', {facet}, count(*) FROM counted GROUP BY {facet}"
          for facet in ("year", "design", "subjects")),
        f"SELECT * FROM (SELECT 'journal', journal, count(*) AS n FROM counted GROUP BY journal "
        f"ORDER BY n DESC, journal LIMIT {JOURNALS_SHOWN})",
        f"SELECT 'flags', {flag_bits} AS bits, count(*) FROM counted GROUP BY bits",
        f"SELECT * FROM (SELECT 'page', pmid, NULL FROM counted ORDER BY {ORDER[search.sort]} "
        f"LIMIT {PAGE_SIZE} OFFSET {start})",
    ]
    # m has one more than COUNTED, to tell "more than"; the page and the facets read
    # the first COUNTED (m is stored in the page's order).
    counted = f"counted AS (SELECT * FROM m LIMIT {COUNTED})"
    return f"WITH {found}, {matches}, {counted} " + " UNION ALL ".join(arms), params


def read_statement(rows):
    """(facet counts, total, whether the total is exact, page PMIDs) from the rows of
    ``statement``."""
    counts = {facet: Counter() for facet in FACETS}
    total, exact, page = 0, True, []
    for kind, value, number in rows:
        if kind in ("total", "at least"):
            total, exact = number, kind == "total" or number <= COUNTED
        elif kind == "page":
            page.append(value)
        elif kind == "flags":
            for bit, column in enumerate(FLAG_COLUMNS):
                if value & (1 << bit):
                    counts["flag"][column] += number
        elif number:
            counts[kind][value] = number
    return counts, total, exact, page


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
    search = await resolve_journals(db, search)
    shown, parts, offered = await interpretations(db, search.query)
    browsing = search.query.is_empty
    too_broad, exact = False, True
    if browsing and not search.filters:
        counts = await facet_cache.counts(db)
        total, page_pmids = counts["total"], await _newest(db, search)
    else:
        sql, params = statement(search, parts)
        try:
            counts, total, exact, page_pmids = read_statement((await db.execute(sql, params)).rows)
        except QueryInterrupted:
            too_broad = True
            counts, total, page_pmids = {facet: Counter() for facet in FACETS}, 0, []
    cards = await _cards(db, page_pmids, search, shown, describe)
    last_page = min(MAX_PAGES, max(1, -(-min(total, COUNTED) // PAGE_SIZE)))
    return {
        "search": search, "shown": shown, "total": total if exact else COUNTED, "exact": exact,
        "too_broad": too_broad, "counted": COUNTED, "facets_partial": total > COUNTED and not browsing,
        "offered": _reading_links(search, offered),
        "cards": cards, "facets": facet_lists(counts, search),
        "sorts": [{"code": code, "label": label, "chosen": code == search.sort,
                   "href": address(search, sort=code)} for code, label in SORTS.items()],
        "pages": _pages(search, last_page), "only_links": _only_links(search, shown),
        "ignored": search.query.ignored, "browsing": browsing,
        "field_names": search_query.FIELD_NAMES,
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


TAGS = {"author": "au", "journal": "ta", "journal_iso": "ta", "mesh": "mh", "words": "tiab"}


def _reading_link(search, field, value):
    """The address of a search for one reading alone: "Hügle[au]", '"Inflammation"[mh]'."""
    typed = f'"{value}"[{TAGS[field]}]' if field in ("mesh", "words") else f"{value}[{TAGS[field]}]"
    return {"field": field, "value": value, "href": address(search, q=typed)}


def _reading_links(search, readings):
    return [_reading_link(search, field, value) for field, value in readings]


def _only_links(search, shown):
    """For a search that also looked in authors, journals or MeSH: the address of
    each reading alone (one click to "only the articles by this author")."""
    return _reading_links(search, shown) if len(shown) > 1 else []


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
        # Around the first match (web/pages.py gave the start of the abstract).
        card["excerpt"] = excerpt_html(card["abstract_html"], abstract_words) or card["excerpt"]
        card["authors_markup"] = mark_authors(card["authors"], *author) if author else None
    return cards


def _author_shown(query, shown):
    for field, value in shown:
        if field == "author":
            return search_query.author_clause(value)
    for clause in query.clauses:
        if clause.field in ("author", "first_author") and not clause.excluded:
            return search_query.author_clause(clause.value)
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
