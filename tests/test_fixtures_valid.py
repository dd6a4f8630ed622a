"""The fixtures and the sample are what they claim to be.

- every PubMed XML fixture validates against Biopython's shipped
  pubmed_250101.dtd (lxml, no network); sample/pubmed-sample.xml does not, on
  purpose: it holds only what was seen (see sample/build_sample.py);
- fixtures are synthetic: PMIDs >= 99000000, "Synthetic" titles, test DOIs,
  fake authors;
- every article in the sample is a record of sample/reference-records.json
  with the same identifiers, title, journal, year and authors, and the sample
  is exactly what sample/build_sample.py builds;
- edge-cases.nbib parses with Bio.Medline; the .gz files are as described.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import re
import zlib
from pathlib import Path

import Bio.Entrez
import pytest
import yaml
from Bio import Entrez, Medline
from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SAMPLE = ROOT / "sample" / "pubmed-sample.xml"
REFERENCE = ROOT / "sample" / "reference-records.json"
DTD_FILE = Path(Bio.Entrez.__file__).parent / "DTDs" / "pubmed_250101.dtd"
DOCTYPE = (
    '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">'
)

PUBMED_FIXTURES = ["edge-cases.xml", "edge-cases-nodoctype.xml", "update-with-delete.xml"]
WITH_DOCTYPE = ["edge-cases.xml", "update-with-delete.xml"]
FAKE_LAST_NAMES = {"Testauthor", "Testauteur", "Testeditor"}
SYNTHETIC_DOI = re.compile(r"^10\.99999/synthetic\.\d+$")


def parse(path: Path) -> etree._ElementTree:
    return etree.parse(str(path), etree.XMLParser(no_network=True, resolve_entities=False))


@pytest.fixture(scope="module")
def dtd() -> etree.DTD:
    return etree.DTD(str(DTD_FILE))


@pytest.fixture(scope="module")
def reference() -> dict[str, dict]:
    data = json.loads(REFERENCE.read_text(encoding="utf-8"))
    return {r["pmid"]: r for r in data["records"] if r.get("pmid")}


def articles(tree: etree._ElementTree) -> list[etree._Element]:
    return [el for el in tree.getroot() if el.tag in ("PubmedArticle", "PubmedBookArticle")]


def plain(el: etree._Element | None) -> str | None:
    return None if el is None else "".join(el.itertext())


# --- DTD validity ---------------------------------------------------------

@pytest.mark.parametrize("path", [FIXTURES / n for n in PUBMED_FIXTURES], ids=lambda p: p.name)
def test_validates_against_shipped_dtd(dtd, path):
    tree = parse(path)
    valid = dtd.validate(tree)
    errors = [str(e)[:300] for e in dtd.error_log.filter_from_errors()][:10]
    assert valid, "\n".join(errors)


@pytest.mark.parametrize("path", [FIXTURES / n for n in WITH_DOCTYPE], ids=lambda p: p.name)
def test_doctype_is_pubmed_250101(path):
    assert parse(path).docinfo.doctype == DOCTYPE


def test_nodoctype_fixture_has_no_doctype():
    tree = parse(FIXTURES / "edge-cases-nodoctype.xml")
    assert tree.docinfo.doctype == ""
    assert tree.getroot().tag == "PubmedArticleSet"


def test_validation_catches_misordered_elements(dtd):
    """Guard against a DTD that silently accepts anything."""
    text = (FIXTURES / "edge-cases.xml").read_text(encoding="utf-8")
    broken = text.replace("<Language>fre</Language>",
                          "<Language>fre</Language><VernacularTitle>x</VernacularTitle>", 1)
    tree = etree.fromstring(broken.encode("utf-8"), etree.XMLParser(no_network=True))
    assert not dtd.validate(tree)


def test_biopython_reads_edge_cases_offline():
    with open(FIXTURES / "edge-cases.xml", "rb") as handle:
        record = Entrez.read(handle, escape=True)
    assert len(record["PubmedArticle"]) == 18
    assert len(record["PubmedBookArticle"]) == 1


def test_litref_reads_every_sample_record():
    from litref.fetch import pubmed_xml

    with open(SAMPLE, "rb") as handle:
        records = list(pubmed_xml.parse(handle, "sample"))
    assert len(records) == len(articles(parse(SAMPLE))) == 22


# --- fixtures are synthetic ----------------------------------------------

@pytest.mark.parametrize("name", PUBMED_FIXTURES)
def test_fixture_pmids_are_synthetic(name):
    tree = parse(FIXTURES / name)
    pmids = [el.text for el in tree.iter("PMID")]
    pmids += [el.text for el in tree.iter("ArticleId") if el.get("IdType") == "pubmed"]
    assert pmids
    assert all(int(p) >= 99000000 for p in pmids), pmids


@pytest.mark.parametrize("name", PUBMED_FIXTURES)
def test_fixture_titles_dois_authors_are_synthetic(name):
    tree = parse(FIXTURES / name)
    for art in articles(tree):
        title = plain(art.find(".//ArticleTitle"))
        assert title and "Synthetic" in title, title
        book_title = plain(art.find(".//BookTitle"))
        assert book_title is None or "Synthetic" in book_title
    dois = [el.text for el in tree.iter("ArticleId") if el.get("IdType") == "doi"]
    dois += [el.text for el in tree.iter("ELocationID") if el.get("EIdType") == "doi"]
    assert all(SYNTHETIC_DOI.match(d) for d in dois), dois
    last_names = {el.text for el in tree.iter("LastName")}
    assert last_names <= FAKE_LAST_NAMES, last_names
    for el in tree.iter("CollectiveName"):
        assert "Synthetic" in el.text
    for el in tree.iter("AccessionNumber"):
        assert el.text.startswith("NCT9900")


def test_edge_cases_cover_every_numbered_case():
    tree = parse(FIXTURES / "edge-cases.xml")
    pmids = [art.findtext(".//PMID") for art in articles(tree)]
    assert pmids == [str(n) for n in range(99000001, 99000020)]
    comments = [c.text for c in tree.getroot().iter(etree.Comment)]
    for pmid in pmids:
        assert any(f"({pmid})" in c for c in comments), f"no case comment for {pmid}"


def test_update_file_shape():
    root = parse(FIXTURES / "update-with-delete.xml").getroot()
    assert root[-1].tag == "DeleteCitation"
    assert [p.text for p in root[-1]] == ["99000004", "99000099"]
    art = articles(root.getroottree())[0]
    assert art.findtext(".//PMID") == "99000017"
    types = [el.text for el in art.iter("PublicationType")]
    assert "Retracted Publication" in types
    assert [el.get("RefType") for el in art.iter("CommentsCorrections")] == ["RetractionIn"]


def test_not_pubmed_is_xhtml():
    root = parse(FIXTURES / "not-pubmed.xml").getroot()
    assert root.tag == "{http://www.w3.org/1999/xhtml}html"
    assert not list(root.iter("PMID"))


# --- MEDLINE text ---------------------------------------------------------

NBIB_KEYS = {
    "99000201": {"PMID", "OWN", "STAT", "DCOM", "LR", "IS", "VI", "IP", "DP", "TI", "PG", "LID",
                 "AB", "CI", "FAU", "AU", "AUID", "AD", "LA", "SI", "GR", "PT", "DEP", "PL", "TA",
                 "JT", "JID", "SB", "CIN", "EIN", "MH", "OTO", "OT", "EDAT", "MHDA", "CRDT",
                 "PHST", "AID", "PST", "SO"},
    "99000202": {"PMID", "OWN", "STAT", "DCOM", "LR", "IS", "VI", "IP", "DP", "TI", "PG", "LID",
                 "AB", "FAU", "AU", "AD", "CN", "LA", "PT", "PL", "TA", "JT", "JID", "SB", "RIN",
                 "MH", "EDAT", "MHDA", "CRDT", "PHST", "AID", "PST", "SO"},
    "99000203": {"PMID", "OWN", "STAT", "LR", "IS", "VI", "IP", "DP", "TI", "PG", "LID", "LA",
                 "PT", "PL", "TA", "JT", "JID", "ROF", "EDAT", "MHDA", "CRDT", "PHST", "AID",
                 "PST", "SO"},
}


def test_nbib_parses_with_bio_medline():
    with open(FIXTURES / "edge-cases.nbib", encoding="utf-8") as handle:
        records = list(Medline.parse(handle))
    assert [r["PMID"] for r in records] == list(NBIB_KEYS)
    for rec in records:
        assert set(rec) == NBIB_KEYS[rec["PMID"]], rec["PMID"]
        assert "Synthetic" in rec["TI"]
        assert all(name.startswith("Testauthor ") for name in rec.get("AU", []))
    first, retracted, notice = records
    assert first["LID"] == "10.99999/synthetic.201 [doi] SYNTH-99000201 [pii]"
    assert "Lupus Erythematosus, Systemic/immunology/*therapy" in first["MH"]
    assert first["SI"] == ["ClinicalTrials.gov/NCT99000201"]
    assert "Retracted Publication" in retracted["PT"]
    assert retracted["CN"] == ["Synthetic Lupus Test Study Group"]
    assert notice["TI"].endswith("that was later retracted.")
    assert re.search(r"PMID: (\d+)", " ".join(notice["ROF"])).group(1) == "99000202"


# --- gzip -----------------------------------------------------------------

def test_gz_decompresses_to_edge_cases():
    packed = (FIXTURES / "edge-cases.xml.gz").read_bytes()
    assert packed[:2] == b"\x1f\x8b"
    assert gzip.decompress(packed) == (FIXTURES / "edge-cases.xml").read_bytes(), (
        "edge-cases.xml changed: regenerate edge-cases.xml.gz (tests/fixtures/README.md)"
    )


def test_corrupt_gz_has_gzip_header_and_fails():
    data = (FIXTURES / "corrupt.xml.gz").read_bytes()
    assert data[:3] == b"\x1f\x8b\x08"
    with pytest.raises((zlib.error, gzip.BadGzipFile, EOFError)):
        gzip.decompress(data)


# --- the real-citation sample --------------------------------------------

def test_sample_matches_reference_records(reference):
    tree = parse(SAMPLE)
    seen = []
    for art in articles(tree):
        pmid = art.findtext("MedlineCitation/PMID")
        assert pmid in reference, f"PMID {pmid} is not in reference-records.json"
        rec = reference[pmid]
        seen.append(pmid)
        assert plain(art.find(".//ArticleTitle")) == rec["title"]
        assert art.findtext(".//Journal/Title") == rec["journal"]
        assert art.findtext(".//Journal/ISOAbbreviation") == rec["journal_iso"]
        assert art.findtext(".//PubDate/Year") == str(rec["year"])
        assert art.findtext(".//JournalIssue/Volume") == rec["volume"]
        assert art.findtext(".//JournalIssue/Issue") == rec["issue"]
        ids = {el.get("IdType"): el.text for el in art.iter("ArticleId")}
        assert ids.get("pubmed") == pmid
        assert ids.get("doi") == rec["doi"]
        assert ids.get("pmc") == rec["pmcid"]
        authors = [
            f"{a.findtext('LastName')} {a.findtext('Initials')}" if a.find("LastName") is not None
            else a.findtext("CollectiveName")
            for a in art.iter("Author")
        ]
        assert authors == (rec["authors"] or [])
        nct = [el.text for el in art.iter("AccessionNumber")]
        assert nct == rec["nct_ids"]
    assert sorted(seen) == sorted(reference), "sample should hold every record with a PMID"


def test_sample_has_no_invented_content(reference):
    """Nothing that was not seen: no abstract, dates, MeSH (check tags included), MEDLINE
    status, language, cited medium or journal code; publication types only where the
    reference record names one word for word, without a note saying it was read in."""
    tree = parse(SAMPLE)
    for tag in ("Abstract", "DateCompleted", "DateRevised", "History", "Month", "Day",
                "ArticleDate", "ChemicalList", "KeywordList", "GrantList", "MeshHeadingList",
                "Language", "MedlineJournalInfo", "PublicationStatus"):
        assert not list(tree.iter(tag)), tag
    assert not [el for el in tree.iter("MedlineCitation") if el.get("Status") or el.get("Owner")]
    assert not [el for el in tree.iter("JournalIssue") if el.get("CitedMedium")]
    for art in articles(tree):
        seen = "; ".join(reference[art.findtext("MedlineCitation/PMID")]["publication_types"] or [])
        for name in (el.text for el in art.iter("PublicationType")):
            assert re.search(rf"(^|; ){re.escape(name)}( \([^)]*(manuscript|NIHMS)[^)]*\))?(;|$)",
                             seen, re.IGNORECASE), (name, seen)


def test_sample_is_what_the_script_builds(reference):
    spec = importlib.util.spec_from_file_location("build_sample", ROOT / "sample" / "build_sample.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    xml, _ = module.build_document(module.load_records(REFERENCE))
    assert xml == SAMPLE.read_bytes(), "re-run: python sample/build_sample.py"


# --- saved searches ---------------------------------------------------------

def test_searches_yml_is_well_formed():
    data = yaml.safe_load((ROOT / "searches.yml").read_text(encoding="utf-8"))
    names = [s["name"] for s in data["searches"]]
    assert len(names) == len(set(names))
    for search in data["searches"]:
        assert set(search) == {"name", "query", "description"}
        assert re.fullmatch(r"[a-z0-9-]+", search["name"])
        query = search["query"]
        assert query.count('"') % 2 == 0, search["name"]
        depth = 0
        for char in query:
            depth += (char == "(") - (char == ")")
            assert depth >= 0, search["name"]
        assert depth == 0, search["name"]
