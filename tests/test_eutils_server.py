"""Tests of the fake E-utilities server itself, spoken to over real HTTP."""

import datetime as dt
import http.client
import json
import os
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from Bio import Entrez
from Bio.Entrez.Parser import CorruptedXMLError
from lxml import etree

from litref.fetch.eutils import RouteToBaseUrl
from tests.eutils_server import RETSTART_ERROR, FakeEutils, synthetic_article

DTD_DIR = Path(Entrez.__file__).parent / "DTDs"
BASE = 99_000_000


def call(server, endpoint, *, post=False, timeout=5, **params):
    """One request to the server; returns the open response."""
    url = server.base_url + f"{endpoint}.fcgi"
    form = urllib.parse.urlencode({"db": "pubmed", **params})
    if post:
        request = urllib.request.Request(url, data=form.encode(), method="POST")
    else:
        request = urllib.request.Request(f"{url}?{form}")
    return urllib.request.urlopen(request, timeout=timeout)


def xml(server, endpoint, **params):
    with call(server, endpoint, **params) as response:
        return etree.fromstring(response.read())


def ids(root) -> list[int]:
    return [int(node.text) for node in root.iterfind("IdList/Id")]


def fetched_pmids(root) -> list[int]:
    return [int(node.text) for node in root.iterfind("PubmedArticle/MedlineCitation/PMID")]


def assert_valid(root, dtd_name):
    # lxml really validates; Bio.Entrez only uses the DTD to shape its result.
    dtd = etree.DTD(str(DTD_DIR / dtd_name))
    assert dtd.validate(root), dtd.error_log.filter_from_errors()


def dated(offset, edat, mdat=None, pdat=None):
    return synthetic_article(BASE + offset, edat=edat, mdat=mdat, pdat=pdat)


# -- corpus -------------------------------------------------------------------


def test_synthetic_article_is_valid_pubmed_xml():
    article = dated(7, dt.date(2024, 3, 5), mdat=dt.date(2025, 1, 2), pdat=dt.date(2023, 11, 1))
    root = etree.fromstring(article.xml)
    assert_valid(etree.fromstring(f"<PubmedArticleSet>{article.xml}</PubmedArticleSet>"), "pubmed_250101.dtd")
    assert root.findtext("MedlineCitation/PMID") == str(BASE + 7)
    assert root.findtext("MedlineCitation/DateRevised/Year") == "2025"
    assert root.findtext(".//PubDate/Month") == "Nov"
    assert root.findtext(".//PubMedPubDate[@PubStatus='entrez']/Day") == "05"
    assert "Synthetic" in root.findtext(".//ArticleTitle")


def test_synthetic_article_refuses_real_looking_records():
    with pytest.raises(ValueError, match="99000000"):
        synthetic_article(38_000_000, edat=dt.date(2024, 1, 1))
    with pytest.raises(ValueError, match="Synthetic"):
        synthetic_article(BASE, edat=dt.date(2024, 1, 1), title="Mesenchymal cells in lupus.")


def test_fixture_routes_environment(eutils):
    assert os.environ["LITREF_EUTILS_URL"] == eutils.base_url
    assert os.environ["NCBI_EMAIL"] == "tests@example.org"
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/entrez/eutils/", eutils.base_url)


def test_module_importable_under_both_names():
    import eutils_server

    assert eutils_server.FakeEutils is FakeEutils


# -- esearch ------------------------------------------------------------------


def test_esearch_count_ids_and_newest_first(eutils):
    eutils.set_query("lupus", [BASE + 2, BASE + 10, BASE + 5])
    with call(eutils, "esearch", term="lupus") as response:
        body = response.read()
        assert response.headers["Content-Type"] == "text/xml; charset=UTF-8"
        assert int(response.headers["Content-Length"]) == len(body)
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE eSearchResult')
    root = etree.fromstring(body)
    assert_valid(root, "esearch.dtd")
    assert root.findtext("Count") == "3"
    assert ids(root) == [BASE + 10, BASE + 5, BASE + 2]
    assert root.find("WebEnv") is None  # only with usehistory=y
    assert root.findtext("QueryTranslation") == "lupus[All Fields]"


def test_esearch_unknown_term_matches_nothing(eutils):
    root = xml(eutils, "esearch", term="nothing here")
    assert root.findtext("Count") == "0"
    assert ids(root) == []


def test_esearch_rejects_other_databases(eutils):
    root = xml(eutils, "esearch", term="lupus", db="pmc")
    assert "Invalid db" in root.findtext("ERROR")


def test_esearch_paging_with_retstart_and_retmax(eutils):
    eutils.set_query("many", [BASE + n for n in range(25)])
    assert len(ids(xml(eutils, "esearch", term="many"))) == 20  # PubMed's default retmax
    root = xml(eutils, "esearch", term="many", retstart=20, retmax=10)
    assert ids(root) == [BASE + n for n in range(4, -1, -1)]
    assert (root.findtext("Count"), root.findtext("RetMax"), root.findtext("RetStart")) == ("25", "5", "20")


def test_esearch_never_returns_past_9999(eutils):
    eutils.set_query("huge", range(BASE, BASE + 10_050))
    root = xml(eutils, "esearch", term="huge", retstart=9990, retmax=100)
    assert root.findtext("Count") == "10050"
    assert ids(root) == [BASE + 10_049 - n for n in range(9990, 9999)]
    error = xml(eutils, "esearch", term="huge", retstart=9999)
    assert_valid(error, "esearch.dtd")
    assert error.findtext("ERROR") == RETSTART_ERROR
    assert error.find("Count") is None


def test_esearch_date_parameters(eutils):
    eutils.add_articles([
        dated(1, dt.date(2024, 2, 29), pdat=dt.date(2020, 1, 1)),
        dated(2, dt.date(2024, 3, 1), pdat=dt.date(2024, 3, 1)),
        dated(3, dt.date(2024, 3, 31), pdat=dt.date(2024, 3, 31)),
        dated(4, dt.date(2025, 6, 1), pdat=dt.date(2025, 6, 1)),
    ])
    eutils.set_query("msc", [BASE + n for n in range(1, 5)])
    march = xml(eutils, "esearch", term="msc", datetype="edat", mindate="2024/03", maxdate="2024/03")
    assert ids(march) == [BASE + 3, BASE + 2]
    assert march.findtext("Count") == "2"
    open_ended = xml(eutils, "esearch", term="msc", datetype="edat", mindate="2024/03/31")
    assert ids(open_ended) == [BASE + 4, BASE + 3]
    by_year = xml(eutils, "esearch", term="msc", datetype="pdat", mindate="2020", maxdate="2020")
    assert ids(by_year) == [BASE + 1]


def test_appended_date_clauses_or_edat_and_mdat(eutils):
    eutils.add_articles([
        dated(1, dt.date(2026, 11, 18)),  # new
        dated(2, dt.date(2020, 1, 1), mdat=dt.date(2026, 12, 1)),  # old but revised
        dated(3, dt.date(2020, 1, 1), mdat=dt.date(2026, 11, 17)),  # revised just before
    ])
    eutils.set_query("lupus AND msc", [BASE + 1, BASE + 2, BASE + 3])
    term = '(lupus AND msc) AND ("2026/11/18"[EDAT] : "3000"[EDAT] OR "2026/11/18"[mdat] : "3000"[mdat])'
    root = xml(eutils, "esearch", term=term)
    assert ids(root) == [BASE + 2, BASE + 1]
    edat_only = '(lupus AND msc) AND ("2026/11/18"[EDAT] : "3000"[EDAT])'
    assert ids(xml(eutils, "esearch", term=edat_only)) == [BASE + 1]
    unknown_base = '(lupus) AND ("2026/11/18"[EDAT] : "3000"[EDAT])'
    assert xml(eutils, "esearch", term=unknown_base).findtext("Count") == "0"


def test_modify_revises_mdat_and_record(eutils):
    eutils.add_articles([dated(1, dt.date(2020, 1, 1))])
    eutils.set_query("q", [BASE + 1])
    eutils.modify(BASE + 1, dt.date(2026, 5, 4))
    root = xml(eutils, "esearch", term="q", datetype="mdat", mindate="2026/05/04")
    assert ids(root) == [BASE + 1]
    fetched = xml(eutils, "efetch", id=str(BASE + 1))
    assert fetched.findtext(".//DateRevised/Year") == "2026"


def test_reject_query_answers_error_with_200(eutils):
    eutils.reject_query("lupus[badfield", "Invalid query")
    with call(eutils, "esearch", term="lupus[badfield") as response:
        assert response.status == 200
        root = etree.fromstring(response.read())
    assert_valid(root, "esearch.dtd")
    assert root.findtext("ERROR") == "Invalid query"


def test_phrase_not_found(eutils):
    eutils.phrase_not_found("zzqx lupus", "zzqx")
    root = xml(eutils, "esearch", term="zzqx lupus")
    assert_valid(root, "esearch.dtd")
    assert root.findtext("Count") == "0"
    assert root.findtext("ErrorList/PhraseNotFound") == "zzqx"
    assert root.findtext("WarningList/OutputMessage") == "No items found."


def test_pubmed_messages_in_dtd_order_beside_the_results(eutils):
    eutils.add_articles([dated(1, dt.date(2024, 1, 1))])
    eutils.set_query("q", [BASE + 1])
    eutils.pubmed_messages("q", errors={"FieldNotFound": ["[tiabs]"], "PhraseNotFound": ["zzqx"]},
                           warnings={"OutputMessage": ["Note."], "PhraseIgnored": ["the"]})
    root = xml(eutils, "esearch", term="q")
    assert_valid(root, "esearch.dtd")
    assert ids(root) == [BASE + 1]
    assert [e.tag for e in root.find("ErrorList")] == ["PhraseNotFound", "FieldNotFound"]
    assert [e.text for e in root.find("WarningList")] == ["the", "Note."]
    assert root.find("WarningList/OutputMessage").text == "Note."  # found something: no "No items"
    with pytest.raises(ValueError):
        eutils.pubmed_messages("q", warnings={"TermIgnored": ["x"]})


def test_a_search_that_finds_nothing_says_so(eutils):
    root = xml(eutils, "esearch", term="nothing here")
    assert root.findtext("Count") == "0"
    assert root.find("ErrorList") is None
    assert [e.text for e in root.find("WarningList")] == ["No items found."]


# -- efetch -------------------------------------------------------------------


def test_efetch_by_ids_keeps_order_and_omits_unknown(eutils):
    eutils.add_articles([dated(n, dt.date(2024, 1, n)) for n in (1, 2, 3)])
    with call(eutils, "efetch", id=f"{BASE + 3},{BASE + 999},{BASE + 1}", retmode="xml") as response:
        body = response.read()
        assert int(response.headers["Content-Length"]) == len(body)
        assert response.headers["Content-Type"] == "text/xml; charset=UTF-8"
    assert body.startswith(b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet')
    root = etree.fromstring(body)
    assert_valid(root, "pubmed_250101.dtd")
    assert fetched_pmids(root) == [BASE + 3, BASE + 1]


def test_efetch_by_post(eutils):
    eutils.add_articles([dated(n, dt.date(2024, 1, 1)) for n in range(250)])
    id_list = ",".join(str(BASE + n) for n in range(250))
    with call(eutils, "efetch", post=True, id=id_list, rettype="abstract") as response:
        root = etree.fromstring(response.read())
    assert len(fetched_pmids(root)) == 250
    assert eutils.requests[-1]["method"] == "POST"
    assert eutils.requests[-1]["params"]["rettype"] == "abstract"


def test_history_efetch_pages_and_cap(eutils):
    eutils.add_articles([dated(n, dt.date(2024, 1, 1)) for n in range(10_050)])
    eutils.set_query("huge", range(BASE, BASE + 10_050))
    search = xml(eutils, "esearch", term="huge", usehistory="y", retmax=0)
    assert ids(search) == []
    history = {"WebEnv": search.findtext("WebEnv"), "query_key": search.findtext("QueryKey")}
    assert history["WebEnv"].startswith("MCID_") and history["query_key"] == "1"
    page = xml(eutils, "efetch", retstart=2, retmax=3, **history)
    assert fetched_pmids(page) == [BASE + 10_047, BASE + 10_046, BASE + 10_045]
    last = xml(eutils, "efetch", retstart=9997, retmax=5, **history)
    assert fetched_pmids(last) == [BASE + 52, BASE + 51]
    past_cap = xml(eutils, "efetch", retstart=9999, retmax=5, **history)
    assert past_cap.tag == "eFetchResult" and "9998" in past_cap.findtext("ERROR")


def test_efetch_unknown_webenv_is_an_error(eutils):
    root = xml(eutils, "efetch", WebEnv="MCID_nope", query_key="1")
    assert root.tag == "eFetchResult"
    assert "Cannot retrieve history data" in root.findtext("ERROR")


def test_requests_record_tool_and_email(eutils):
    xml(eutils, "esearch", term="x", tool="litref", email="tests@example.org")
    assert eutils.requests == [{
        "endpoint": "esearch",
        "method": "GET",
        "params": {"db": "pubmed", "term": "x", "tool": "litref", "email": "tests@example.org"},
        "fault": None,
    }]


# -- faults -------------------------------------------------------------------


def test_fault_429_like_ncbi(eutils):
    eutils.inject("429")
    with pytest.raises(urllib.error.HTTPError) as caught:
        call(eutils, "esearch", term="x")
    assert caught.value.code == 429
    assert json.loads(caught.value.read()) == {"error": "API rate limit exceeded", "count": "4"}
    assert eutils.requests[-1]["fault"] == "429"


@pytest.mark.parametrize("status", [500, 502, 503])
def test_fault_server_errors(eutils, status):
    eutils.inject(str(status))
    with pytest.raises(urllib.error.HTTPError) as caught:
        call(eutils, "efetch", id=str(BASE))
    assert caught.value.code == status
    assert caught.value.headers["Content-Type"] == "text/html"
    assert b"<html>" in caught.value.read()


def test_fault_truncate_cuts_body_without_length(eutils):
    eutils.set_query("many", [BASE + n for n in range(20)])
    with call(eutils, "esearch", term="many") as response:
        full = response.read()
    eutils.inject("truncate")
    with call(eutils, "esearch", term="many") as response:
        assert response.status == 200 and "Content-Length" not in response.headers
        cut = response.read()
    assert full.startswith(cut) and 0 < len(cut) < len(full)
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(cut)


def test_fault_reset_drops_connection_mid_body(eutils):
    eutils.add_articles([dated(n, dt.date(2024, 1, 1)) for n in range(5)])
    eutils.inject("reset", endpoint="efetch")
    with call(eutils, "efetch", id=",".join(str(BASE + n) for n in range(5))) as response:
        assert response.status == 200
        with pytest.raises((http.client.IncompleteRead, ConnectionResetError)):
            response.read()


def test_fault_html_maintenance_page(eutils):
    eutils.inject("html")
    with call(eutils, "esearch", term="x") as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "text/html"
        assert b"maintenance" in response.read()


def test_fault_empty_body(eutils):
    eutils.inject("empty")
    with call(eutils, "efetch", id=str(BASE)) as response:
        assert (response.status, response.headers["Content-Type"]) == (200, "text/xml; charset=UTF-8")
        assert response.read() == b""


def test_fault_hang_outlasts_client_timeout(eutils):
    eutils.inject("hang", seconds=2)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        call(eutils, "esearch", term="x", timeout=0.5)
    assert time.monotonic() - started < 1.5


def test_stop_is_fast_and_ends_a_hanging_handler():
    server = FakeEutils().start()
    server.inject("hang", seconds=30)
    before = set(threading.enumerate())
    with pytest.raises(TimeoutError):
        call(server, "esearch", term="x", timeout=0.2)
    sleepers = [thread for thread in threading.enumerate() if thread not in before]
    assert sleepers  # the handler is still asleep in the server
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 1
    for thread in sleepers:
        thread.join(timeout=1)
    assert not any(thread.is_alive() for thread in sleepers)


def test_faults_are_fifo_counted_and_per_endpoint(eutils):
    eutils.inject("503", endpoint="efetch")
    eutils.inject("empty", times=2)
    statuses = []
    for endpoint in ("esearch", "efetch", "efetch", "esearch"):
        try:
            with call(eutils, endpoint, term="x", id=str(BASE)) as response:
                statuses.append((response.status, len(response.read())))
        except urllib.error.HTTPError as error:
            statuses.append((error.code, None))
    assert [request["fault"] for request in eutils.requests] == ["empty", "503", "empty", None]
    assert statuses[:3] == [(200, 0), (503, None), (200, 0)]
    assert statuses[3][1] > 0


def test_fault_after_lets_requests_through_first(eutils):
    eutils.inject("500", endpoint="efetch", after=2)
    for _ in range(3):
        try:
            call(eutils, "efetch", id=str(BASE)).close()
        except urllib.error.HTTPError:
            pass
    assert [request["fault"] for request in eutils.requests] == [None, None, "500"]


def test_inject_refuses_unknown_faults(eutils):
    with pytest.raises(ValueError):
        eutils.inject("teapot")
    with pytest.raises(ValueError):
        eutils.inject("429", endpoint="esummary")


# -- through real Bio.Entrez --------------------------------------------------


@pytest.fixture
def entrez(eutils, monkeypatch):
    monkeypatch.setattr(Entrez, "email", "tests@example.org")
    urllib.request.install_opener(urllib.request.build_opener(RouteToBaseUrl(eutils.base_url)))
    yield eutils
    urllib.request.install_opener(None)  # urlopen builds a fresh default opener again


def test_bio_entrez_routed_to_fake(entrez):
    entrez.add_articles([dated(n, dt.date(2024, 1, 1)) for n in range(250)])
    entrez.set_query("lupus AND msc", [BASE + n for n in range(250)])
    record = Entrez.read(Entrez.esearch(db="pubmed", term="lupus AND msc", usehistory="y"))
    assert record["Count"] == "250"
    assert record["IdList"][:2] == [str(BASE + 249), str(BASE + 248)]
    assert record["WebEnv"].startswith("MCID_") and record["QueryKey"] == "1"
    few = Entrez.efetch(db="pubmed", id=[BASE + 1, BASE + 2], retmode="xml").read()
    assert b"<PMID Version=\"1\">99000002</PMID>" in few
    many = Entrez.read(Entrez.efetch(db="pubmed", id=list(range(BASE, BASE + 250)), retmode="xml"))
    assert len(many["PubmedArticle"]) == 250
    assert [r["method"] for r in entrez.requests] == ["GET", "GET", "POST"]  # Bio.Entrez POSTs >= 200 ids
    assert entrez.requests[0]["params"]["tool"] == "biopython"
    assert entrez.requests[0]["params"]["email"] == "tests@example.org"


def test_bio_entrez_reads_pubmed_error_and_warning_lists(entrez):
    entrez.set_query("q", [BASE])
    entrez.pubmed_messages("q", errors={"PhraseNotFound": ["mesenchymel"]}, warnings={
        "QuotedPhraseNotFound": ['"stem cell mobilisation"'], "PhraseIgnored": ["of"]})
    record = Entrez.read(Entrez.esearch(db="pubmed", term="q"))
    assert record["ErrorList"]["PhraseNotFound"] == ["mesenchymel"]
    assert record["ErrorList"]["FieldNotFound"] == []
    assert record["WarningList"]["QuotedPhraseNotFound"] == ['"stem cell mobilisation"']
    assert record["WarningList"]["PhraseIgnored"] == ["of"]
    assert record["QueryTranslation"] == "q[All Fields]"


def test_bio_entrez_sees_pubmed_errors(entrez):
    entrez.reject_query("bad[", "Invalid query")
    with pytest.raises(RuntimeError, match="Invalid query"):
        Entrez.read(Entrez.esearch(db="pubmed", term="bad["))
    entrez.set_query("q", [BASE])
    entrez.inject("truncate", endpoint="esearch")
    with pytest.raises(CorruptedXMLError):
        Entrez.read(Entrez.esearch(db="pubmed", term="q"))
