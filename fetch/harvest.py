"""Running one search against PubMed: what to ask for, and the records it yields.

``harvest`` searches with the history server and fetches the records in
batches, yielding what happens as plain events: ``Searched`` once PubMed
answered the search (with PubMed's word on the query: its translation,
ErrorList and WarningList), a ``Batch`` of parsed records per efetch, and
``Finished`` with the outcome. It never touches the database: whoever runs it
stores each event as it comes (litref/pipeline.py), so each batch can be
committed on its own and a failure keeps the finished ones.

Incremental by default: after a successful run, the next one asks only for
records that entered PubMed (EDAT) or were modified (MDAT: retractions,
corrections, late MeSH indexing) since that run, less a few days of overlap.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from litref.fetch.eutils import ESEARCH_CAP, efetch_history, efetch_ids, esearch

# Records per efetch, and per write transaction (stored whole or not at all): at 1,000,000
# citations 100 records hold the write lock about a tenth of a second (bench/README.md).
BATCH_SIZE = 100
OVERLAP = timedelta(days=3)
EARLIEST = date(1800, 1, 1)  # before PubMed's oldest entrez date


@dataclass(frozen=True)
class Search:
    """A search to run, and how to name it in messages."""
    name: str
    query: str
    where: str  # where staff can correct it: "searches.yml line 12"


# PubMed's esearch warnings that say it searched without a term of the query:
# the run then stores what PubMed found, but is not "ok".
TERM_WARNINGS = {
    "PhraseIgnored": "PubMed ignored {}",
    "QuotedPhraseNotFound": "PubMed could not find the quoted phrase {}",
}
# PubMed's esearch errors: a term it cannot find, a field tag it does not know.
TERM_ERRORS = {
    "PhraseNotFound": "PubMed cannot find {} in its index",
    "FieldNotFound": "PubMed does not know the field {}",
}


@dataclass(frozen=True)
class Searched:
    query_translation: str | None
    count: int
    # PubMed's ErrorList and WarningList: {"PhraseNotFound": ["..."], ...}, only
    # the kinds it filled.
    errors: dict = field(default_factory=dict)
    warnings: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Batch:
    items: list
    pmids: list = field(default_factory=list)  # of the records in items


@dataclass(frozen=True)
class Finished:
    status: str  # ok | warning | failed | incomplete (evidence/vocabularies/run_statuses.py)
    error: str | None = None
    missing_pmids: frozenset = frozenset()


def plan_run(query, previous, *, full=False, since=None):
    """("full" | "incremental", since date or None) for a search.

    ``previous`` is the last successful run ({"started", "query"}) or None. A
    search whose query changed since then is fetched whole: the old run says
    nothing about what the new query finds.
    """
    if since is not None:
        return "incremental", since
    if full or previous is None or previous["query"] != query:
        return "full", None
    started = datetime.fromisoformat(previous["started"]).date()
    return "incremental", started - OVERLAP


def incremental_term(query, since):
    """The query limited to records entered or modified on or after ``since``."""
    day = since.strftime("%Y/%m/%d")
    return f'({query}) AND ("{day}"[EDAT] : "3000"[EDAT] OR "{day}"[MDAT] : "3000"[MDAT])'


def harvest(settings, search, *, since=None, today=None):
    """Yield Searched, then a Batch per efetch, then Finished. Raises PubMedError."""
    what = f"search {search.name!r}"
    term = search.query if since is None else incremental_term(search.query, since)
    first = esearch(settings, term, what, usehistory="y", retmax=ESEARCH_CAP)
    count = int(first["Count"])
    searched = Searched(first.get("QueryTranslation"), count,
                        pubmed_lists(first, "ErrorList"), pubmed_lists(first, "WarningList"))
    yield searched
    if searched.errors:
        yield Finished("failed", (
            f"{what}: {_terms(searched.errors, TERM_ERRORS)}, so the query does not mean what "
            f"it says; nothing was fetched. Fix the spelling or the field tag in {search.where} "
            "(`litref check` helps)."
        ))
        return
    if count == 0 and since is None:
        yield Finished("failed", (
            f"{what}: PubMed found nothing for this query. Check it in PubMed's own "
            f"search box and correct it in {search.where}."
        ))
        return
    results = [first] if count <= ESEARCH_CAP else _windows(settings, term, what, EARLIEST, today or date.today())
    listed, received = set(), set()
    for result in results:
        listed.update(int(pmid) for pmid in result["IdList"])
        for batch in _batches(settings, result, what):
            received.update(batch.pmids)
            yield batch
    yield _outcome(what, count, listed, received, searched.warnings, search.where)


def pubmed_lists(result, name):
    """PubMed's ErrorList or WarningList of an esearch result as plain data: the kinds
    it filled, each a list of text."""
    return {kind: [str(item) for item in items] for kind, items in result.get(name, {}).items() if items}


def _terms(lists, wording):
    """'PubMed cannot find "x" in its index; PubMed ignored "y"' for the kinds in wording."""
    return "; ".join(
        template.format(", ".join(_quoted(term) for term in lists[kind]))
        for kind, template in wording.items() if kind in lists
    )


def _quoted(term):
    """PubMed sends a quoted phrase with its quotes, other terms without."""
    return '"' + term.strip('"') + '"'


def _outcome(what, count, listed, received, warnings, where):
    missing = listed - received
    unreachable = count - len(listed)
    ignored = _terms(warnings, TERM_WARNINGS)
    warned = (
        f"{ignored}, so the results may not be what the query says. What PubMed found is "
        f"stored; correct the query in {where} (`litref check` helps)."
    ) if ignored else None
    if missing or unreachable > 0:
        shortfall = _shortfall_message(what, count, len(received), missing, unreachable)
        return Finished("incomplete", f"{shortfall} {warned}" if warned else shortfall, frozenset(missing))
    if warned:
        return Finished("warning", f"{what}: {warned}")
    return Finished("ok")


def _windows(settings, term, what, start, end):
    """esearch results by entrez-date windows, halving any window over the cap."""
    result = esearch(
        settings, term, f"{what} ({start} to {end})", usehistory="y", retmax=ESEARCH_CAP,
        datetype="edat", mindate=start.strftime("%Y/%m/%d"), maxdate=end.strftime("%Y/%m/%d"),
    )
    if int(result["Count"]) <= ESEARCH_CAP or start == end:
        yield result
        return
    middle = start + (end - start) // 2
    yield from _windows(settings, term, what, start, middle)
    yield from _windows(settings, term, what, middle + timedelta(days=1), end)


def _batches(settings, result, what):
    """The records of one esearch result, a Batch per efetch."""
    total = len(result["IdList"])
    for retstart in range(0, total, BATCH_SIZE):
        batch_what = f"{what}: records {retstart + 1}-{min(retstart + BATCH_SIZE, total)}"
        items = efetch_history(
            settings, result["WebEnv"], result["QueryKey"], retstart, BATCH_SIZE, batch_what
        )
        yield Batch(items, record_pmids(items))


def _shortfall_message(what, count, stored, missing, unreachable):
    parts = [f"{what}: PubMed counted {count} records but {stored} were stored."]
    if missing:
        parts.append(f"{len(missing)} listed PMIDs were not returned by efetch (see missing_pmids).")
    if unreachable > 0:
        parts.append(
            f"{unreachable} could not be listed: more than 9,999 entered PubMed on a single day."
        )
    parts.append("The next run tries again.")
    return " ".join(parts)


def fetch_by_id(settings, pmids):
    """A Batch per efetch of named PMIDs (curated citations not yet stored)."""
    for start in range(0, len(pmids), BATCH_SIZE):
        chunk = pmids[start : start + BATCH_SIZE]
        items = efetch_ids(settings, chunk, f"curated citations {chunk[0]}-{chunk[-1]}")
        yield Batch(items, record_pmids(items))


def record_pmids(items):
    """The PMIDs of the records among parsed items (deletions are not records)."""
    return list(dict.fromkeys(item["citation"]["pmid"] for item in items if "citation" in item))
