"""A local HTTP server that answers like NCBI's E-utilities for PubMed.

Tests route Bio.Entrez (or any client) to it through ``LITREF_EUTILS_URL``
and use it to check paging, the 9,999-record esearch cap, date slicing, the
history server and, above all, how the client survives the failures PubMed
really produces (429s, 5xx, truncated or HTML bodies, resets, hangs, a body
trickling in a byte at a time), and what a crash does: a request can be held ("hang") or cut off mid-body
("stall") until the test releases it, and the server can vanish ("gone").

PubMed's word on a query comes back as it does from NCBI: ``QueryTranslation``,
an ``ErrorList`` (PhraseNotFound, FieldNotFound) and a ``WarningList``
(PhraseIgnored, QuotedPhraseNotFound, OutputMessage) set per query with
``pubmed_messages``; a search that finds nothing says "No items found.".

Only esearch.fcgi and efetch.fcgi for db=pubmed are served.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import json
import re
import socket
import struct
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

SYNTHETIC_PMID_MIN = 99_000_000
# PubMed hands out at most the first 9,999 ids of any search.
ESEARCH_CAP = 9999
FAULT_KINDS = ("429", "500", "502", "503", "truncate", "reset", "html", "hang", "empty", "stall", "gone",
               "trickle")
ENDPOINTS = ("esearch", "efetch")
DATE_TYPES = ("edat", "mdat", "pdat")
# The esearch DTD's lists, each in the order it allows.
ERROR_KINDS = ("PhraseNotFound", "FieldNotFound")
WARNING_KINDS = ("PhraseIgnored", "QuotedPhraseNotFound", "OutputMessage")
NO_ITEMS = "No items found."

RETSTART_ERROR = (
    "Search Backend failed: Exception:\n'retstart' cannot be larger than 9998. "
    "For PubMed, ESearch can only retrieve the first 9,999 records matching the query. "
    "To obtain more than 9,999 PubMed records, consider using EDirect that contains "
    "additional logic to batch PubMed search results automatically so that an arbitrary "
    "number can be retrieved. For details see https://www.ncbi.nlm.nih.gov/books/NBK25499/"
)

# The DOCTYPEs are the real ones: Bio.Entrez.read() refuses XML without one and
# looks the DTD up among those it ships (esearch 20060628 and pubmed_250101 are).
ESEARCH_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" ?>\n'
    '<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch 20060628//EN" '
    '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">\n'
)
EFETCH_HEAD = (
    '<?xml version="1.0" ?>\n'
    '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
)
# Biopython does not ship efetch.dtd; PubMed sends this DOCTYPE all the same.
EFETCH_ERROR_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" ?>\n'
    '<!DOCTYPE eFetchResult PUBLIC "-//NLM//DTD efetch 20131226//EN" '
    '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20131226/efetch.dtd">\n'
)
XML_TYPE = "text/xml; charset=UTF-8"
MAINTENANCE_PAGE = (
    "<!DOCTYPE html>\n<html><head><title>NCBI - Service unavailable</title></head>"
    "<body><h1>We are sorry, the E-utilities are down for maintenance.</h1>"
    "<p>Please try again later.</p></body></html>\n"
)
MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclasses.dataclass(frozen=True)
class Article:
    """One PubMed record as the server stores it."""

    pmid: int
    xml: str  # one complete <PubmedArticle> or <PubmedBookArticle> element
    edat: dt.date  # entered PubMed
    mdat: dt.date  # last modified
    pdat: dt.date  # published


ARTICLE_TEMPLATE = """<PubmedArticle>
  <MedlineCitation Status="MEDLINE" Owner="NLM">
    <PMID Version="1">{pmid}</PMID>
    {date_revised}
    <Article PubModel="Print">
      <Journal>
        <ISSN IssnType="Print">0000-0000</ISSN>
        <JournalIssue CitedMedium="Print">
          <Volume>1</Volume>
          <Issue>1</Issue>
          <PubDate><Year>{pdat.year}</Year><Month>{pub_month}</Month></PubDate>
        </JournalIssue>
        <Title>Journal of Synthetic Records</Title>
        <ISOAbbreviation>J Synth Rec</ISOAbbreviation>
      </Journal>
      <ArticleTitle>{title}</ArticleTitle>
      <Pagination><MedlinePgn>1-2</MedlinePgn></Pagination>
      <Abstract><AbstractText>Synthetic abstract of record {pmid}.</AbstractText></Abstract>
      <AuthorList CompleteYN="Y">
        <Author ValidYN="Y"><LastName>Tester</LastName><ForeName>Tess</ForeName><Initials>T</Initials></Author>
      </AuthorList>
      <Language>eng</Language>
      <PublicationTypeList>
        <PublicationType UI="D016428">Journal Article</PublicationType>
      </PublicationTypeList>
    </Article>
    <MedlineJournalInfo>
      <Country>United States</Country>
      <MedlineTA>J Synth Rec</MedlineTA>
      <NlmUniqueID>0000000</NlmUniqueID>
      <ISSNLinking>0000-0000</ISSNLinking>
    </MedlineJournalInfo>
  </MedlineCitation>
  <PubmedData>
    <History>
      <PubMedPubDate PubStatus="entrez">{entrez_date}</PubMedPubDate>
    </History>
    <PublicationStatus>ppublish</PublicationStatus>
    <ArticleIdList>
      <ArticleId IdType="pubmed">{pmid}</ArticleId>
    </ArticleIdList>
  </PubmedData>
</PubmedArticle>"""

DATE_REVISED_RE = re.compile(r"<DateRevised>.*?</DateRevised>", re.S)


def _ymd(day: dt.date) -> str:
    return f"<Year>{day.year}</Year><Month>{day.month:02d}</Month><Day>{day.day:02d}</Day>"


def _date_revised(day: dt.date) -> str:
    return f"<DateRevised>{_ymd(day)}</DateRevised>"


def synthetic_article(
    pmid: int,
    *,
    edat: dt.date,
    mdat: dt.date | None = None,
    pdat: dt.date | None = None,
    title: str | None = None,
) -> Article:
    """Build a small PubMed-DTD-valid record that cannot be mistaken for a real one.

    The PMID range and the word "Synthetic" in the title keep made-up records
    out of real data: no real PMID is that high yet.
    """
    if pmid < SYNTHETIC_PMID_MIN:
        raise ValueError(f"synthetic PMIDs must be >= {SYNTHETIC_PMID_MIN}, got {pmid}")
    title = title if title is not None else f"Synthetic record {pmid} for fetch tests."
    if not re.search(r"\bSynthetic\b", title):
        raise ValueError(f"a synthetic title must contain the word 'Synthetic': {title!r}")
    mdat = mdat or edat
    pdat = pdat or edat
    xml = ARTICLE_TEMPLATE.format(
        pmid=pmid,
        date_revised=_date_revised(mdat),
        pdat=pdat,
        pub_month=MONTH_ABBR[pdat.month - 1],
        title=escape(title),
        entrez_date=_ymd(edat),
    )
    return Article(pmid=pmid, xml=xml, edat=edat, mdat=mdat, pdat=pdat)


class EutilsError(Exception):
    """A request PubMed answers with an <ERROR> element (HTTP 200)."""


DATE_TEXT = r"\d{4}(?:/\d{1,2}(?:/\d{1,2})?)?"
DATE_RE = re.compile(r"(\d{4})(?:/(\d{1,2})(?:/(\d{1,2}))?)?")
# `"2026/11/18"[EDAT] : "3000"[EDAT]`: the same tag on both ends.
CLAUSE_RE = re.compile(
    rf'"(?P<lo>{DATE_TEXT})"\[(?P<tag>EDAT|MDAT|PDAT)\]\s*:\s*"(?P<hi>{DATE_TEXT})"\[(?P=tag)\]',
    re.I,
)
# `(BASE) AND (CLAUSE OR CLAUSE ...)`; clauses are checked one by one afterwards.
LOOSE_CLAUSE = r'"[^"]*"\[\w+\]\s*:\s*"[^"]*"\[\w+\]'
DATED_TERM_RE = re.compile(
    rf"\((?P<base>.+)\) AND \((?P<clauses>{LOOSE_CLAUSE}(?: OR {LOOSE_CLAUSE})*)\)"
)
TRANSLATION_TOKEN_RE = re.compile(r'"[^"]*"(?:\[[^\]]*\])?|[\w-]+\[[^\]]*\]|[A-Za-z][\w-]*')
OPERATORS = {"AND", "OR", "NOT"}


def date_bounds(text: str) -> tuple[dt.date, dt.date]:
    """First and last day of a YYYY, YYYY/MM or YYYY/MM/DD period."""
    match = DATE_RE.fullmatch(text.strip())
    if not match:
        raise EutilsError(f"Invalid date format: {text}")
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        if day is not None:
            return dt.date(year, month, day), dt.date(year, month, day)
        if month is not None:
            last = calendar.monthrange(year, month)[1]
            return dt.date(year, month, 1), dt.date(year, month, last)
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    except ValueError as exc:
        raise EutilsError(f"Invalid date: {text}") from exc


def param_window(params: dict) -> tuple[str, dt.date, dt.date] | None:
    """The (datetype, min, max) window of esearch's date parameters, if any."""
    mindate, maxdate = params.get("mindate"), params.get("maxdate")
    if not mindate and not maxdate:
        return None
    # PubMed filters on publication date when no datetype is given.
    datetype = params.get("datetype", "pdat").lower()
    if datetype not in DATE_TYPES:
        raise EutilsError(f"Invalid datetype: {datetype}")
    low = date_bounds(mindate)[0] if mindate else dt.date.min
    high = date_bounds(maxdate)[1] if maxdate else dt.date.max
    return datetype, low, high


def term_windows(clauses: str) -> list[tuple[str, dt.date, dt.date]] | None:
    """Windows of appended `"FROM"[TAG] : "TO"[TAG]` clauses; None if one is malformed."""
    windows = []
    for clause in clauses.split(" OR "):
        match = CLAUSE_RE.fullmatch(clause.strip())
        if not match:
            return None
        low, high = date_bounds(match["lo"])[0], date_bounds(match["hi"])[1]
        windows.append((match["tag"].lower(), low, high))
    return windows


def query_translation(term: str) -> str:
    """A deterministic stand-in for PubMed's translation: bare words get [All Fields]."""

    def tag(match: re.Match) -> str:
        token = match[0]
        if token.upper() in OPERATORS or "[" in token or token.startswith('"'):
            return token
        return f"{token}[All Fields]"

    return TRANSLATION_TOKEN_RE.sub(tag, term)


def message_lists(errors: dict, warnings: dict, *, found: bool) -> str:
    """PubMed's ErrorList and WarningList (each only when not empty), in DTD order."""
    if not found:
        warnings = {**warnings, "OutputMessage": [*warnings.get("OutputMessage", []), NO_ITEMS]}
    parts = []
    for name, kinds, given in (("ErrorList", ERROR_KINDS, errors), ("WarningList", WARNING_KINDS, warnings)):
        items = "".join(f"<{kind}>{escape(text)}</{kind}>" for kind in kinds for text in given.get(kind, []))
        if items:
            parts.append(f"<{name}>{items}</{name}>")
    return "".join(parts)


def esearch_document(body: str) -> bytes:
    return (ESEARCH_HEAD + f"<eSearchResult>{body}</eSearchResult>\n").encode()


def esearch_error(message: str) -> bytes:
    return esearch_document(f"<ERROR>{escape(message)}</ERROR>")


def efetch_error(message: str) -> bytes:
    body = f"<eFetchResult>\n\t<ERROR>{escape(message)}</ERROR>\n</eFetchResult>\n"
    return (EFETCH_ERROR_HEAD + body).encode()


def efetch_document(articles: list[Article]) -> bytes:
    records = "".join(article.xml + "\n" for article in articles)
    return (EFETCH_HEAD + "<PubmedArticleSet>\n" + records + "</PubmedArticleSet>\n").encode()


def int_param(params: dict, name: str, default: int) -> int:
    value = params.get(name, "")
    if not value:
        return default
    if not value.isdigit():
        raise EutilsError(f"Invalid {name}: {value}")
    return int(value)


def capped_page(matched: list[int], params: dict, default_retmax: int) -> list[int]:
    """The slice PubMed returns: never past the 9,999th record."""
    retstart = int_param(params, "retstart", 0)
    retmax = int_param(params, "retmax", default_retmax)
    if retstart > ESEARCH_CAP - 1:
        raise EutilsError(RETSTART_ERROR)
    return matched[retstart : min(retstart + retmax, ESEARCH_CAP)]


@dataclasses.dataclass
class Fault:
    kind: str
    endpoint: str | None
    remaining: int
    seconds: float
    after: int = 0  # matching requests to let through before the fault starts
    # "hang" and "stall" set `reached` once a request is held, and hold it until
    # `released` is set (release()), `seconds` pass, or the server stops.
    reached: threading.Event = dataclasses.field(default_factory=threading.Event)
    released: threading.Event = dataclasses.field(default_factory=threading.Event)

    def release(self) -> None:
        self.released.set()


class FakeEutils:
    """PubMed's esearch/efetch on 127.0.0.1, with a corpus, canned queries and faults."""

    def __init__(self, articles=(), *, queries: dict[str, list[int]] | None = None):
        self._lock = threading.Lock()
        self._articles: dict[int, Article] = {}
        self._queries: dict[str, list[int]] = {}
        self._rejected: dict[str, str] = {}
        self._messages: dict[str, tuple[dict, dict]] = {}  # term -> (errors, warnings)
        self._history: dict[str, list[int]] = {}
        self._faults: list[Fault] = []
        self._holding: list[Fault] = []  # faults holding a request right now
        self._stopping = threading.Event()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self.requests: list[dict] = []
        # When each of `requests` arrived (time.monotonic() of this process), for
        # tests that measure the spacing of requests.
        self.request_times: list[float] = []
        self.add_articles(articles)
        for term, pmids in (queries or {}).items():
            self.set_query(term, pmids)

    # -- corpus -------------------------------------------------------------

    def add_articles(self, articles) -> None:
        with self._lock:
            for article in articles:
                self._articles[article.pmid] = article

    def set_query(self, term: str, pmids) -> None:
        with self._lock:
            self._queries[term] = [int(pmid) for pmid in pmids]

    def reject_query(self, term: str, message: str) -> None:
        """esearch answers <ERROR>message</ERROR>, as PubMed does for a malformed query."""
        with self._lock:
            self._rejected[term] = message

    def pubmed_messages(self, term: str, *, errors=None, warnings=None) -> None:
        """esearch of ``term`` adds PubMed's ErrorList and WarningList, e.g.
        ``warnings={"QuotedPhraseNotFound": ['"stem cell mobilisation"']}``; the search
        itself still answers as set_query says, as PubMed searches the rest."""
        errors, warnings = errors or {}, warnings or {}
        unknown = (set(errors) - set(ERROR_KINDS)) | (set(warnings) - set(WARNING_KINDS))
        if unknown:
            raise ValueError(f"unknown message kinds {sorted(unknown)}; expected {ERROR_KINDS + WARNING_KINDS}")
        with self._lock:
            self._messages[term] = (errors, warnings)

    def phrase_not_found(self, term: str, phrase: str) -> None:
        self.pubmed_messages(term, errors={"PhraseNotFound": [phrase]})

    def modify(self, pmid: int, mdat: dt.date, xml: str | None = None) -> None:
        """Simulate PubMed revising a record: new mdat and (by default) DateRevised."""
        with self._lock:
            article = self._articles[pmid]
            if xml is None:
                xml = DATE_REVISED_RE.sub(_date_revised(mdat), article.xml, count=1)
            self._articles[pmid] = dataclasses.replace(article, mdat=mdat, xml=xml)

    # -- faults -------------------------------------------------------------

    def inject(
        self, kind: str, *, times: int = 1, endpoint: str | None = None,
        seconds: float | None = None, after: int = 0,
    ) -> Fault:
        """Make `times` requests to `endpoint` (None: any) fail as `kind`, after letting `after` through.

        Kinds: 429/500/502/503 status codes; "truncate" (half the body, no
        length); "reset" (half the body, then a TCP reset); "html" (maintenance
        page); "empty"; "hang" (hold the request, then answer normally);
        "trickle" (the normal answer, one byte every `seconds`, so no single read
        waits long but the whole response takes for ever);
        "stall" (send half the body, hold, then drop the connection); "gone"
        (the whole server shuts down, this request unanswered). Returns the
        Fault, whose `reached` event and release() let a test act while a
        request is held.
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; expected one of {FAULT_KINDS}")
        if endpoint not in (None, *ENDPOINTS):
            raise ValueError(f"unknown endpoint {endpoint!r}")
        if times < 1:
            raise ValueError("times must be at least 1")
        fault = Fault(kind, endpoint, times, 30.0 if seconds is None else seconds, after)
        with self._lock:
            self._faults.append(fault)
        return fault

    def _take_fault(self, endpoint: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.endpoint in (None, endpoint):
                    if fault.after:
                        fault.after -= 1
                        return None
                    fault.remaining -= 1
                    if not fault.remaining:
                        self._faults.remove(fault)
                    return fault
        return None

    def _hold(self, fault: Fault) -> bool:
        """Hold a request for `fault`; True if the server is stopping (then give up)."""
        with self._lock:
            self._holding.append(fault)
        try:
            if self._stopping.is_set():  # stop() may have released the others already
                return True
            fault.reached.set()
            fault.released.wait(fault.seconds)
            return self._stopping.is_set()
        finally:
            with self._lock:
                self._holding.remove(fault)

    def _record(self, endpoint: str, method: str, params: dict, fault: Fault | None) -> None:
        entry = {"endpoint": endpoint, "method": method, "params": params,
                 "fault": fault.kind if fault else None}
        with self._lock:
            self.requests.append(entry)
            self.request_times.append(time.monotonic())

    # -- answers ------------------------------------------------------------

    def answer(self, endpoint: str, params: dict) -> bytes:
        """The normal (fault-free) body for a request."""
        try:
            if params.get("db") != "pubmed":
                raise EutilsError(f"Invalid db name specified: {params.get('db', '')}")
            return self._esearch(params) if endpoint == "esearch" else self._efetch(params)
        except EutilsError as exc:
            return esearch_error(str(exc)) if endpoint == "esearch" else efetch_error(str(exc))

    def _esearch(self, params: dict) -> bytes:
        term = params.get("term", "")
        with self._lock:
            if term in self._rejected:
                raise EutilsError(self._rejected[term])
            errors, warnings = self._messages.get(term, ({}, {}))
            matched = self._match(term, param_window(params))
            ids = capped_page(matched, params, default_retmax=20)
            history = ""
            if params.get("usehistory", "").lower() == "y":
                webenv = f"MCID_{uuid.uuid4().hex}"
                self._history[webenv] = matched
                history = f"<QueryKey>1</QueryKey><WebEnv>{webenv}</WebEnv>"
        id_list = "".join(f"<Id>{pmid}</Id>" for pmid in ids)
        return esearch_document(
            f"<Count>{len(matched)}</Count><RetMax>{len(ids)}</RetMax>"
            f"<RetStart>{int_param(params, 'retstart', 0)}</RetStart>{history}"
            f"<IdList>{id_list}</IdList><TranslationSet/>"
            f"<QueryTranslation>{escape(query_translation(term))}</QueryTranslation>"
            + message_lists(errors, warnings, found=bool(matched))
        )

    def _match(self, term: str, window) -> list[int]:
        """PMIDs the term matches, newest (highest) first, as PubMed's default sort."""
        pmids = self._term_pmids(term)
        if window:
            pmids = [pmid for pmid in pmids if self._in_windows(pmid, [window])]
        return sorted(set(pmids), reverse=True)

    def _term_pmids(self, term: str) -> list[int]:
        shape = DATED_TERM_RE.fullmatch(term)
        if shape and shape["base"] in self._queries:
            windows = term_windows(shape["clauses"])
            if windows is not None:
                base = self._queries[shape["base"]]
                return [pmid for pmid in base if self._in_windows(pmid, windows)]
        return self._queries.get(term, [])

    def _in_windows(self, pmid: int, windows) -> bool:
        article = self._articles.get(pmid)
        if article is None:  # a query may name PMIDs the corpus lacks: they have no dates
            return False
        return any(low <= getattr(article, kind) <= high for kind, low, high in windows)

    def _efetch(self, params: dict) -> bytes:
        with self._lock:
            pmids = self._efetch_pmids(params)
            articles = [self._articles[pmid] for pmid in pmids if pmid in self._articles]
        return efetch_document(articles)

    def _efetch_pmids(self, params: dict) -> list[int]:
        if params.get("id", "").strip():
            ids = [part.strip() for part in params["id"].split(",")]
            return list(dict.fromkeys(int(part) for part in ids if part.isdigit()))
        webenv = params.get("WebEnv", "")
        if not webenv:
            raise EutilsError("Empty id list - nothing todo")
        if webenv not in self._history or params.get("query_key", "1") != "1":
            query_key = params.get("query_key", "")
            raise EutilsError(f"Cannot retrieve history data. query_key: {query_key}, WebEnv: {webenv}")
        return capped_page(self._history[webenv], params, default_retmax=20)

    # -- server lifecycle ---------------------------------------------------

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("FakeEutils is not running; call start() first")
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/entrez/eutils/"

    def start(self) -> FakeEutils:
        if self._httpd is not None:
            raise RuntimeError("FakeEutils is already running")
        self._stopping.clear()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.fake = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
            name="fake-eutils", daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop at once, even while a "hang" handler sleeps (it wakes and gives up)."""
        if self._httpd is None:
            return
        self._stopping.set()
        with self._lock:
            for fault in self._holding:
                fault.release()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()
        self._httpd = self._thread = None

    def __enter__(self) -> FakeEutils:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a sleeping handler must never hold up shutdown
    fake: FakeEutils

    def server_bind(self) -> None:
        # HTTPServer.server_bind does a reverse DNS lookup (getfqdn) we do not need.
        super(ThreadingHTTPServer, self).server_bind()
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request, client_address) -> None:
        # Clients that time out or hang up mid-fault are expected; anything else is a bug.
        if not isinstance(sys.exception(), ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self._serve(parse_qs(urlsplit(self.path).query, keep_blank_values=True))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
        self._serve({**parse_qs(urlsplit(self.path).query, keep_blank_values=True), **form})

    def log_message(self, format, *args) -> None:  # noqa: A002 - the base class's name
        pass  # keep test output clean

    def _serve(self, query: dict[str, list[str]]) -> None:
        endpoint = self._endpoint()
        if endpoint is None:
            self._send(404, b"Not found", "text/plain")
            return
        fake = self.server.fake
        params = {name: values[0] for name, values in query.items()}
        fault = fake._take_fault(endpoint)
        fake._record(endpoint, self.command, params, fault)
        if fault and fault.kind == "hang":
            if fake._hold(fault):
                return  # the server is stopping: give up without answering
            fault = None
        if fault and fault.kind == "trickle":
            self._send_trickle(fake.answer(endpoint, params), fault.seconds)
        elif fault and fault.kind in ("stall", "gone"):
            self._send_crash(fault, lambda: fake.answer(endpoint, params))
        elif fault:
            self._send_fault(fault.kind, lambda: fake.answer(endpoint, params))
        else:
            self._send(200, fake.answer(endpoint, params), XML_TYPE)

    def _endpoint(self) -> str | None:
        path = urlsplit(self.path).path
        for endpoint in ENDPOINTS:
            if path == f"/entrez/eutils/{endpoint}.fcgi":
                return endpoint
        return None

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _send_fault(self, kind: str, normal_body) -> None:
        if kind == "429":
            body = json.dumps({"error": "API rate limit exceeded", "count": "4"})
            self._send(429, body.encode(), "application/json")
        elif kind in ("500", "502", "503"):
            self._send(int(kind), self._error_page(int(kind)), "text/html")
        elif kind == "html":
            self._send(200, MAINTENANCE_PAGE.encode(), "text/html")
        elif kind == "empty":
            self._send(200, b"", XML_TYPE)
        elif kind == "truncate":
            self._send_truncated(normal_body())
        else:
            self._send_reset(normal_body())

    def _error_page(self, status: int) -> bytes:
        reason = self.responses[status][0]
        page = f"<html><head><title>{status} {reason}</title></head><body><h1>{reason}</h1></body></html>\n"
        return page.encode()

    def _send_truncated(self, body: bytes) -> None:
        # No Content-Length: the client reads to EOF and cannot tell the body is cut.
        self.send_response(200)
        self.send_header("Content-Type", XML_TYPE)
        self.end_headers()
        self.wfile.write(body[: len(body) // 2])
        self.close_connection = True

    def _send_half(self, body: bytes) -> None:
        """Headers announcing the whole body, then only its first half."""
        self.send_response(200)
        self.send_header("Content-Type", XML_TYPE)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2])

    def _send_crash(self, fault: Fault, normal_body) -> None:
        fake = self.server.fake
        if fault.kind == "stall":
            self._send_half(normal_body())
            self.wfile.flush()
            fake._hold(fault)
        else:  # "gone": handlers run in their own threads, so one may stop its server
            fake.stop()
        self.close_connection = True

    def _send_trickle(self, body: bytes, pause: float) -> None:
        """Headers at once, then the body a byte at a time; stops when the server stops."""
        self.send_response(200)
        self.send_header("Content-Type", XML_TYPE)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        for byte in body:
            if self.server.fake._stopping.wait(pause):
                break
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
        self.close_connection = True

    def _send_reset(self, body: bytes) -> None:
        # Announce the full length, send half, then close with SO_LINGER 0 so the
        # kernel sends a RST instead of a FIN: an abrupt drop, not a clean close.
        self._send_half(body)
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True
