"""A fetch history for the web tests: saved searches, their runs and hits, written
through db/runs.py exactly as `litref fetch` writes them, with synthetic records.

Two fetches (each a few runs one after another, as `litref fetch` runs them):
- EARLIER (2098): finds SEEN_BEFORE and FLAGGED_LATER; the run of "synthetic-other"
  fails and a later run of it succeeds (a failure put right);
- LATEST (2099): finds NEW_PMIDS, sees SEEN_BEFORE again unchanged, finds
  FLAGGED_LATER retracted (in a run PubMed warned about: it ignored a phrase of
  the query, WARNED_PHRASE), and the run of "synthetic-broken" fails (unresolved).
The dates are far from the demo's own (the day the tests run), so nothing the
demo imported counts as brought in by these fetches.
"""

import io

from litref.db import runs
from litref.db.database import open_db
from litref.fetch import pubmed_xml
from tests.web_site import ATTACK_XML, build_site_db

SEARCH = "synthetic-msc"
OTHER_SEARCH = "synthetic-other"
BROKEN_SEARCH = "synthetic-broken"
SEEN_BEFORE = 99000960
FLAGGED_LATER = 99000961
NEW_PMIDS = [99000962, 99000963]
LATEST_FETCH_START = "2099-01-01T03:00:00+00:00"
WARNED_PHRASE = '"synthetic other phrase"'

# The web tests' attack record, found again by the saved search (unchanged).
ATTACK_ARTICLE = ATTACK_XML[ATTACK_XML.index("<PubmedArticle>"):ATTACK_XML.index("</PubmedArticleSet>")]


def synthetic_article(pmid, title, publication_types=("Journal Article",)):
    types = "".join(f"<PublicationType>{t}</PublicationType>" for t in publication_types)
    return f"""<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM">
<PMID Version="1">{pmid}</PMID><Article PubModel="Print"><Journal><JournalIssue CitedMedium="Print">
<Volume>9</Volume><Issue>1</Issue><PubDate><Year>2024</Year></PubDate></JournalIssue>
<Title>Journal of Synthetic Test Records</Title><ISOAbbreviation>J Synth Test Rec</ISOAbbreviation>
</Journal><ArticleTitle>{title}</ArticleTitle><Pagination><MedlinePgn>1-9</MedlinePgn></Pagination>
<Abstract><AbstractText>Synthetic abstract about mesenchymal stromal cells.</AbstractText></Abstract>
<AuthorList CompleteYN="Y"><Author ValidYN="Y"><LastName>Testauthor</LastName><ForeName>Fetch</ForeName>
<Initials>F</Initials></Author></AuthorList><Language>eng</Language>
<PublicationTypeList>{types}</PublicationTypeList></Article></MedlineCitation>
<PubmedData><PublicationStatus>ppublish</PublicationStatus></PubmedData></PubmedArticle>"""


def parsed(*articles):
    xml = f"<PubmedArticleSet>{''.join(articles)}</PubmedArticleSet>".encode()
    return list(pubmed_xml.parse(io.BytesIO(xml), "test"))


def record(pmid, retracted=False):
    types = ("Journal Article", "Retracted Publication") if retracted else ("Journal Article",)
    return synthetic_article(pmid, f"Synthetic record {pmid} found by a saved search", types)


def run(db, search, started, finished, items, status="ok", error=None, warnings=None):
    query = f"{search}[tiab]"
    run_id = runs.start_run(db, {"name": search, "query": query}, mode="incremental", since=None, now=started)
    runs.note_search_result(db, run_id, query_translation=f'"{search}"[Title/Abstract]',
                            count_reported=len(items), errors={}, warnings=warnings or {})
    if items:
        runs.save_fetch_batch(db, run_id, search, items, now=started)
    runs.finish_run(db, run_id, status=status, now=finished, error=error)


def add_fetch_history(db):
    """Write both fetches into ``db`` (an open sqlite_utils Database)."""
    runs.save_searches(db, [
        {"name": SEARCH, "query": "synthetic-msc[tiab]", "description": "Synthetic saved search"},
        {"name": OTHER_SEARCH, "query": "synthetic-other[tiab]", "description": "Another"},
        {"name": BROKEN_SEARCH, "query": "synthetic-broken[tiab]", "description": "Fails"},
    ], now="2098-01-01T00:00:00+00:00")
    run(db, SEARCH, "2098-01-01T03:00:00+00:00", "2098-01-01T03:01:00+00:00",
        parsed(record(SEEN_BEFORE), record(FLAGGED_LATER)))
    run(db, OTHER_SEARCH, "2098-01-01T03:01:10+00:00", "2098-01-01T03:01:20+00:00", [],
        status="failed", error="PubMed stayed unreachable (synthetic)")
    run(db, OTHER_SEARCH, "2098-06-01T03:00:00+00:00", "2098-06-01T03:01:00+00:00", [])
    run(db, SEARCH, LATEST_FETCH_START, "2099-01-01T03:01:00+00:00",
        parsed(*(record(p) for p in NEW_PMIDS), record(SEEN_BEFORE), ATTACK_ARTICLE))
    run(db, OTHER_SEARCH, "2099-01-01T03:01:30+00:00", "2099-01-01T03:02:00+00:00",
        parsed(record(FLAGGED_LATER, retracted=True)), status="warning",
        error=f"PubMed could not find the quoted phrase {WARNED_PHRASE} (synthetic)",
        warnings={"QuotedPhraseNotFound": [WARNED_PHRASE]})
    run(db, BROKEN_SEARCH, "2099-01-01T03:02:10+00:00", "2099-01-01T03:02:20+00:00", [],
        status="failed", error="PubMed did not know a phrase in the query (synthetic)")


def build_fetched_site_db(path):
    """The web tests' site database (tests/web_site.py) with both fetches written in."""
    build_site_db(path)
    database = open_db(path)
    add_fetch_history(database)
    database.close()
    return path
