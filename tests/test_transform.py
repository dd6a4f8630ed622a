"""The pure transforms: PubMed XML and MEDLINE text → record dicts, and the markup helpers.

Every expected value comes from ``tests/fixtures/README.md`` and the fixture files
themselves. Fixtures are parsed once (``records(name)``); tests must not mutate
the records they get back.
"""

import functools
import gzip
import io
import os
import re
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from lxml import etree

from litref.evidence import markup
from litref.fetch import medline, pubmed_xml

FIXTURES = Path(__file__).parent / "fixtures"
JOURNAL = "Journal of Synthetic Test Records"


# ---------------------------------------------------------------------------
# helpers


@functools.lru_cache(maxsize=None)
def _items(name):
    """Every item a fixture yields, in order (parsed once per test session)."""
    return tuple(parse_file(name))


def parse_file(name):
    """A fresh parse of a fixture, whatever its format."""
    path = FIXTURES / name
    if name.endswith(".nbib"):
        with open(path, encoding="utf-8") as handle:
            return list(medline.parse(handle, name))
    opener = gzip.open if name.endswith(".gz") else open
    with opener(path, "rb") as handle:
        return list(pubmed_xml.parse(handle, name))


def records(name):
    """{pmid: record} for a fixture (delete items left out)."""
    return {item["citation"]["pmid"]: item for item in _items(name) if "citation" in item}


def record(pmid, name="edge-cases.xml"):
    return records(name)[pmid]


def citation(pmid, name="edge-cases.xml"):
    return record(pmid, name)["citation"]


def pick(mapping, *keys):
    """The listed keys of a dict, so a test states exact values without pinning every column."""
    return {key: mapping[key] for key in keys}


def author(position, last_name=None, fore_name=None, initials=None, suffix=None,
           collective_name=None, orcid=None, affiliations=None):
    return {
        "position": position, "last_name": last_name, "fore_name": fore_name,
        "initials": initials, "suffix": suffix, "collective_name": collective_name,
        "orcid": orcid, "affiliations": affiliations,
    }


def types(rec):
    return [pt["publication_type"] for pt in rec["publication_types"]]


def synthetic_xml(pmid, title, abstract=None):
    """One small synthetic PubmedArticle; ``title``/``abstract`` are raw XML content."""
    assert pmid >= 99000000 and "Synthetic" in title
    abstract_xml = (
        f"<Abstract><AbstractText>{abstract}</AbstractText></Abstract>" if abstract is not None else ""
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<PubmedArticleSet><PubmedArticle>'
        f'<MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">{pmid}</PMID>'
        '<Article PubModel="Print"><Journal><JournalIssue CitedMedium="Print">'
        "<PubDate><Year>2020</Year></PubDate></JournalIssue>"
        f"<Title>{JOURNAL}</Title></Journal><ArticleTitle>{title}</ArticleTitle>{abstract_xml}"
        "<Language>eng</Language></Article></MedlineCitation>"
        "<PubmedData><PublicationStatus>ppublish</PublicationStatus></PubmedData>"
        "</PubmedArticle></PubmedArticleSet>\n"
    ).encode("utf-8")


def parse_one(xml):
    (item,) = pubmed_xml.parse(io.BytesIO(xml), "synthetic test input")
    return item["citation"]


def parse_medline(text):
    (item,) = medline.parse(io.StringIO(text), "synthetic.nbib")
    return item


# Any tag with something after its name (an attribute), or an event handler anywhere in a tag.
TAG_WITH_ATTRIBUTE = re.compile(r"<[A-Za-z][\w:-]*\s[^>]*>")
HANDLER_IN_TAG = re.compile(r"<[^>]*\bon\w+\s*=", re.IGNORECASE)


def assert_inert_html(html):
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert "<a" not in html.lower()
    assert not TAG_WITH_ATTRIBUTE.search(html), html
    assert not HANDLER_IN_TAG.search(html), html
    for tag in re.findall(r"</?([A-Za-z][\w:-]*)", html):
        assert tag in {"p"} | markup.INLINE_TAGS | markup.MATHML_TAGS, (tag, html)


# ---------------------------------------------------------------------------
# edge-cases.xml: every record, the values of the README table

ALL_XML_PMIDS = list(range(99000001, 99000020))

# pmid: (plain title, pub_date, year, doi, entrez_date)
README_TABLE = {
    99000001: ("Synthetic record: a structured abstract about stromal cells in a test cohort.",
               "2020 Mar", 2020, "10.99999/synthetic.1", "2020-03-10"),
    99000002: ("Synthetic record: ptrend <0.01 in ex vivo cells",
               "2020 Apr", 2020, "10.99999/synthetic.2", "2020-04-05"),
    99000003: ("Synthetic record: a squared dose term in a model of nothing.",
               "2020", 2020, "10.99999/synthetic.3", "2020-05-01"),
    99000004: ("Synthetic record: a bimonthly issue dated with MedlineDate.",
               "2018 Jul-Aug", 2018, "10.99999/synthetic.4", "2018-08-20"),
    99000005: ("Synthetic record: a quarterly issue dated by season.",
               "2001 Spring", 2001, None, "2001-04-01"),
    99000006: ("Synthetic record: a report from a made-up study group.",
               "2021 Feb", 2021, "10.99999/synthetic.6", "2021-02-08"),
    99000007: ("Synthetic record: three ORCID spellings and two affiliations.",
               "2021 Apr", 2021, "10.99999/synthetic.7", "2021-04-12"),
    99000008: ("[Synthetic record: stromal cells in a French-language test article].",
               "2021 May", 2021, None, "2021-05-20"),
    99000009: ("Synthetic record: a test book chapter on stromal cells",
               "2019", 2019, None, "2019-07-01"),
    99000010: ("Synthetic record: an imaginary trial that was later retracted.",
               "2021 Jun", 2021, "10.99999/synthetic.10", "2021-06-03"),
    99000011: ("Retraction notice to: Synthetic record: an imaginary trial that was later retracted.",
               "2022 Jan", 2022, "10.99999/synthetic.11", "2022-01-10"),
    99000012: ("Synthetic record: an imaginary cohort whose table was corrected.",
               "2021 Jul", 2021, "10.99999/synthetic.12", "2021-07-05"),
    99000013: ("Erratum: Synthetic record: an imaginary cohort whose table was corrected.",
               "2021 Sep", 2021, "10.99999/synthetic.13", "2021-09-06"),
    99000014: ("Synthetic record: imaginary images that raised concern.",
               "2021 Oct", 2021, "10.99999/synthetic.14", "2021-10-04"),
    99000015: ("Expression of concern: Synthetic record: imaginary images that raised concern.",
               "2022 Mar", 2022, "10.99999/synthetic.15", "2022-03-07"),
    99000016: ("Synthetic record: two registered imaginary trials, funded and keyworded.",
               "2022 Apr", 2022, "10.99999/synthetic.16", "2022-03-02"),
    99000017: ("Synthetic record: an older imaginary study with MeSH indexing and no DOI.",
               "2015 Dec", 2015, None, "2015-12-01"),
    99000018: ("Synthetic record: the second version of a versioned imaginary article.",
               "2023", 2023, "10.99999/synthetic.18", "2023-02-14"),
    # The XML has <Month>06</Month>; pub_date prints it as PubMed does ("Jun"), like
    # every other record.
    99000019: ("Synthetic record: an imaginary article online ahead of print.",
               "2021 Jun 15", 2021, "10.99999/synthetic.19", "2021-06-16"),
}

README_TYPES = {
    99000001: ["Journal Article", "Randomized Controlled Trial"],
    99000002: ["Journal Article"],
    99000003: ["Journal Article"],
    99000004: ["Journal Article"],
    99000005: ["Journal Article"],
    99000006: ["Journal Article", "Multicenter Study"],
    99000007: ["Journal Article"],
    99000008: ["Journal Article", "Review"],
    99000009: ["Review"],
    99000010: ["Journal Article", "Randomized Controlled Trial", "Retracted Publication"],
    99000011: ["Retraction of Publication"],
    99000012: ["Journal Article", "Observational Study"],
    99000013: ["Published Erratum"],
    99000014: ["Journal Article"],
    99000015: ["Expression of Concern"],
    99000016: ["Journal Article", "Clinical Trial", "Research Support, Non-U.S. Gov't"],
    99000017: ["Journal Article"],
    99000018: ["Journal Article"],
    99000019: ["Journal Article"],
}


def test_edge_cases_yields_the_19_records_in_file_order():
    items = _items("edge-cases.xml")
    assert [item["citation"]["pmid"] for item in items] == ALL_XML_PMIDS
    assert all(
        set(item) == {"citation", "authors", "mesh", "publication_types", "keywords",
                      "grants", "databanks", "links"}
        for item in items
    )


@pytest.mark.parametrize("pmid", ALL_XML_PMIDS)
def test_readme_table_values(pmid):
    title, pub_date, year, doi, entrez_date = README_TABLE[pmid]
    assert pick(citation(pmid), "pmid", "title", "pub_date", "year", "doi", "pmcid",
                "entrez_date", "date_revised") == {
        "pmid": pmid, "title": title, "pub_date": pub_date, "year": year, "doi": doi,
        "pmcid": None, "entrez_date": entrez_date, "date_revised": "2024-01-15",
    }
    assert types(record(pmid)) == README_TYPES[pmid]


def test_doi_is_the_readme_rule_for_every_record():
    without_doi = {99000005, 99000008, 99000009, 99000017}
    assert {
        pmid: citation(pmid)["doi"] for pmid in ALL_XML_PMIDS
    } == {
        pmid: None if pmid in without_doi else f"10.99999/synthetic.{pmid - 99000000}"
        for pmid in ALL_XML_PMIDS
    }


def test_journal_is_the_synthetic_journal_except_for_the_book():
    assert {
        pmid: (citation(pmid)["journal"], citation(pmid)["journal_iso"]) for pmid in ALL_XML_PMIDS
    } == {
        pmid: ("Synthetic Handbook of Test Records", None) if pmid == 99000009
        else (JOURNAL, "J Synth Test Rec")
        for pmid in ALL_XML_PMIDS
    }


def test_notice_flags_are_set_on_exactly_the_right_records():
    flagged = {
        flag: {pmid for pmid in ALL_XML_PMIDS if citation(pmid)[flag]}
        for flag in ("is_retracted", "has_erratum", "has_expression_of_concern", "is_book")
    }
    assert flagged == {
        "is_retracted": {99000010},
        "has_erratum": {99000012},
        "has_expression_of_concern": {99000014},
        "is_book": {99000009},
    }


def test_structured_abstract_and_copyright():
    rec = record(99000001)
    assert pick(rec["citation"], "abstract", "abstract_html", "copyright") == {
        "abstract": (
            "BACKGROUND: This synthetic record exists to test structured abstracts.\n\n"
            "PATIENTS AND METHODS: Twelve imaginary participants received a placebo test infusion.\n\n"
            "RESULTS: Nothing real happened to anyone.\n\n"
            "CONCLUSIONS: Parsers should keep every labelled part in order."
        ),
        "abstract_html": (
            "<p><b>BACKGROUND:</b> This synthetic record exists to test structured abstracts.</p>"
            "<p><b>PATIENTS AND METHODS:</b> Twelve imaginary participants received a placebo test infusion.</p>"
            "<p><b>RESULTS:</b> Nothing real happened to anyone.</p>"
            "<p><b>CONCLUSIONS:</b> Parsers should keep every labelled part in order.</p>"
        ),
        "copyright": "© 2020 The Testauthors. Synthetic record for software tests.",
    }


def test_structured_abstract_record_details():
    rec = record(99000001)
    assert pick(rec["citation"], "pmid_version", "status", "issn", "volume", "issue", "pages",
                "date_completed", "publication_status", "language", "title_html",
                "vernacular_title", "is_book", "authors") == {
        "pmid_version": 1,
        "status": "MEDLINE",
        "issn": "9999-0001",
        "volume": "1",
        "issue": "1",
        "pages": "1-9",
        "date_completed": "2020-06-01",
        "publication_status": "ppublish",
        "language": "eng",
        "title_html": "Synthetic record: a structured abstract about stromal cells in a test cohort.",
        "vernacular_title": None,
        "is_book": 0,
        "authors": "Testauthor A, Testauthor BB",
    }
    assert rec["authors"] == [
        author(1, "Testauthor", "Alpha", "A"),
        author(2, "Testauthor", "Beta B", "BB"),
    ]
    assert rec["publication_types"] == [
        {"publication_type": "Journal Article", "ui": "D016428"},
        {"publication_type": "Randomized Controlled Trial", "ui": "D016449"},
    ]
    assert (rec["mesh"], rec["keywords"], rec["grants"], rec["databanks"], rec["links"]) == (
        [], [], [], [], []
    )


def test_an_abstract_label_is_escaped_in_the_html():
    xml = synthetic_xml(99000050, "Synthetic record with a hostile abstract label", "Body.")
    xml = xml.replace(
        b"<AbstractText>",
        b'<AbstractText Label="&lt;script&gt;alert(1)&lt;/script&gt; &amp; more">',
    )
    cit = parse_one(xml)
    assert cit["abstract_html"] == (
        "<p><b>&lt;script&gt;alert(1)&lt;/script&gt; &amp; more:</b> Body.</p>"
    )
    assert_inert_html(cit["abstract_html"])
    assert cit["abstract"] == "<script>alert(1)</script> & more: Body."


def test_inline_markup_with_a_literal_less_than():
    cit = citation(99000002)
    assert pick(cit, "title", "title_html", "abstract", "abstract_html") == {
        # Plain text: a real "<" and "&", no tags.
        "title": "Synthetic record: ptrend <0.01 in ex vivo cells",
        # HTML: the literal "<" escaped, the real <sub> and <i> kept.
        "title_html": "Synthetic record: p<sub>trend</sub> &lt;0.01 in <i>ex vivo</i> cells",
        "abstract": (
            "Synthetic abstract: IL-10 was higher in CD4+ T cells (n = 12; p < 0.05) "
            "& the effect was not real."
        ),
        "abstract_html": (
            "<p>Synthetic abstract: IL-10 was <b>higher</b> in CD4<sup>+</sup> T cells "
            "(<u>n</u> = 12; p &lt; 0.05) &amp; the effect was <b><i>not real</i></b>.</p>"
        ),
    }


def test_mathml_is_kept_without_namespace_prefix_or_attributes():
    cit = citation(99000003)
    assert cit["abstract"] == "Synthetic abstract: the response scaled with x2 across test doses."
    assert cit["abstract_html"] == (
        "<p>Synthetic abstract: the response scaled with "
        "<math><msup><mi>x</mi><mn>2</mn></msup></math> across test doses.</p>"
    )
    assert "mml" not in cit["abstract_html"]
    assert "xmlns" not in cit["abstract_html"]
    assert "=" not in cit["abstract_html"]
    assert pick(cit, "status", "pages", "issue", "publication_status") == {
        "status": "PubMed-not-MEDLINE", "pages": None, "issue": None,
        "publication_status": "epublish",
    }


def test_medline_date():
    cit = citation(99000004)
    assert pick(cit, "pub_date", "year", "pages", "volume", "issue") == {
        "pub_date": "2018 Jul-Aug", "year": 2018, "pages": "201-4", "volume": "12", "issue": "4",
    }


def test_season():
    assert pick(citation(99000005), "pub_date", "year", "doi") == {
        "pub_date": "2001 Spring", "year": 2001, "doi": None,
    }


def test_collective_name_author_and_display_string():
    rec = record(99000006)
    assert rec["authors"] == [
        author(1, "Testauthor", "Eta", "E"),
        author(2, collective_name="Synthetic Lupus Test Study Group"),
    ]
    assert rec["citation"]["authors"] == "Testauthor E, Synthetic Lupus Test Study Group"


def test_orcid_spellings_affiliations_and_suffix():
    rec = record(99000007)
    orcid = "0000-0002-1825-0097"
    department = "Department of Synthetic Records, Example Test University, Testville, Nowhere."
    assert rec["authors"] == [
        author(1, "Testauthor", "Theta", "T", orcid=orcid, affiliations=(
            department + "\n"
            "Institute of Placeholder Data, Testville, Nowhere. theta.testauthor@example.org."
        )),
        author(2, "Testauthor", "Iota", "I", orcid=orcid, affiliations=department),
        author(3, "Testauthor", "Kappa", "K", suffix="Jr", orcid=orcid),
    ]
    assert rec["citation"]["authors"] == "Testauthor T, Testauthor I, Testauthor K"


def test_vernacular_title_and_language():
    assert pick(citation(99000008), "title", "vernacular_title", "language", "doi", "abstract") == {
        "title": "[Synthetic record: stromal cells in a French-language test article].",
        "vernacular_title": (
            "Enregistrement synthétique : cellules stromales dans un article de test en français."
        ),
        "language": "fre",
        "doi": None,
        "abstract": "Synthetic abstract in English for a French-language test record.",
    }


def test_book_article():
    rec = record(99000009)
    assert pick(rec["citation"], "is_book", "journal", "journal_iso", "title", "title_html",
                "pub_date", "year", "status", "doi", "abstract", "date_revised", "entrez_date",
                "publication_status", "language", "authors") == {
        "is_book": 1,
        "journal": "Synthetic Handbook of Test Records",
        "journal_iso": None,
        "title": "Synthetic record: a test book chapter on stromal cells",
        "title_html": "Synthetic record: a test book chapter on stromal cells",
        "pub_date": "2019",
        "year": 2019,
        "status": None,
        "doi": None,
        "abstract": "Synthetic abstract: this imaginary chapter summarises imaginary evidence.",
        "date_revised": "2024-01-15",
        "entrez_date": "2019-07-01",
        "publication_status": "ppublish",
        "language": "eng",
        # The chapter's authors, not the book's editor (Testeditor M).
        "authors": "Testauthor N, Testauthor X",
    }
    assert rec["authors"] == [
        author(1, "Testauthor", "Nu", "N"),
        author(2, "Testauthor", "Xi", "X"),
    ]
    assert rec["publication_types"] == [{"publication_type": "Review", "ui": "D016454"}]
    assert (rec["mesh"], rec["links"]) == ([], [])


def test_retracted_article():
    rec = record(99000010)
    assert pick(rec["citation"], "is_retracted", "has_erratum", "has_expression_of_concern") == {
        "is_retracted": 1, "has_erratum": 0, "has_expression_of_concern": 0,
    }
    assert rec["links"] == [{
        "reftype": "RetractionIn",
        "target_pmid": 99000011,
        "refsource": "J Synth Test Rec. 2022 Jan;3(1):5. doi: 10.99999/synthetic.11",
    }]
    assert rec["publication_types"] == [
        {"publication_type": "Journal Article", "ui": "D016428"},
        {"publication_type": "Randomized Controlled Trial", "ui": "D016449"},
        {"publication_type": "Retracted Publication", "ui": "D016441"},
    ]


def test_retraction_notice_is_not_itself_retracted():
    rec = record(99000011)
    assert pick(rec["citation"], "is_retracted", "authors", "status") == {
        "is_retracted": 0, "authors": None, "status": "PubMed-not-MEDLINE",
    }
    assert rec["authors"] == []
    assert rec["links"] == [{
        "reftype": "RetractionOf",
        "target_pmid": 99000010,
        "refsource": "J Synth Test Rec. 2021 Jun;2(6):80-88. doi: 10.99999/synthetic.10",
    }]
    assert rec["publication_types"] == [
        {"publication_type": "Retraction of Publication", "ui": "D016440"},
    ]


def test_erratum_flags_the_article_not_the_notice():
    article, notice = record(99000012), record(99000013)
    assert pick(article["citation"], "has_erratum", "is_retracted") == {
        "has_erratum": 1, "is_retracted": 0,
    }
    assert article["links"] == [{
        "reftype": "ErratumIn",
        "target_pmid": 99000013,
        "refsource": "J Synth Test Rec. 2021 Sep;2(9):120. doi: 10.99999/synthetic.13",
    }]
    assert pick(notice["citation"], "has_erratum", "is_retracted", "authors") == {
        "has_erratum": 0, "is_retracted": 0, "authors": None,
    }
    assert [(l["reftype"], l["target_pmid"]) for l in notice["links"]] == [("ErratumFor", 99000012)]
    assert notice["publication_types"] == [
        {"publication_type": "Published Erratum", "ui": "D016425"},
    ]


def test_expression_of_concern_flags_the_article_not_the_notice():
    article, notice = record(99000014), record(99000015)
    assert pick(article["citation"], "has_expression_of_concern", "is_retracted") == {
        "has_expression_of_concern": 1, "is_retracted": 0,
    }
    assert [(l["reftype"], l["target_pmid"]) for l in article["links"]] == [
        ("ExpressionOfConcernIn", 99000015),
    ]
    assert pick(notice["citation"], "has_expression_of_concern", "is_retracted", "authors") == {
        "has_expression_of_concern": 0, "is_retracted": 0, "authors": None,
    }
    assert [(l["reftype"], l["target_pmid"]) for l in notice["links"]] == [
        ("ExpressionOfConcernFor", 99000014),
    ]
    # Matched by name: the fixture's UI is empty on purpose.
    assert types(notice) == ["Expression of Concern"]


def test_databanks_grants_keywords_coi():
    rec = record(99000016)
    assert rec["databanks"] == [
        {"databank": "ClinicalTrials.gov", "accession": "NCT99000016"},
        {"databank": "ClinicalTrials.gov", "accession": "NCT99000017"},
    ]
    assert rec["grants"] == [
        {"grant_id": "SYNTH-TEST-0001", "acronym": "ST",
         "agency": "Synthetic Test Funding Agency", "country": "United States"},
        {"grant_id": None, "acronym": None,
         "agency": "Imaginary Research Trust", "country": "United Kingdom"},
    ]
    assert rec["keywords"] == [
        {"keyword": "mesenchymal stromal cells", "major": 0},
        {"keyword": "synthetic test record", "major": 0},
        {"keyword": "lupus nephritis", "major": 0},
    ]
    assert pick(rec["citation"], "coi_statement", "article_date") == {
        "coi_statement": "The Testauthors declare no competing interests; this record is synthetic.",
        "article_date": "2022-03-01",
    }
    assert rec["publication_types"][-1] == {
        "publication_type": "Research Support, Non-U.S. Gov't", "ui": "D013485",
    }


MESH_99000017 = [
    {"descriptor": "Animals", "descriptor_ui": "D000818",
     "qualifier": None, "qualifier_ui": None, "major": 0},
    {"descriptor": "Humans", "descriptor_ui": "D006801",
     "qualifier": None, "qualifier_ui": None, "major": 0},
    {"descriptor": "Lupus Erythematosus, Systemic", "descriptor_ui": "D008180",
     "qualifier": "immunology", "qualifier_ui": "Q000276", "major": 0},
    {"descriptor": "Lupus Erythematosus, Systemic", "descriptor_ui": "D008180",
     "qualifier": "therapy", "qualifier_ui": "Q000628", "major": 1},
    {"descriptor": "Mesenchymal Stem Cells", "descriptor_ui": "D059630",
     "qualifier": None, "qualifier_ui": None, "major": 1},
]


def test_no_abstract_no_doi_and_mesh_rows():
    rec = record(99000017)
    assert pick(rec["citation"], "abstract", "abstract_html", "copyright", "doi", "pmcid",
                "date_completed", "is_retracted") == {
        "abstract": None, "abstract_html": None, "copyright": None, "doi": None, "pmcid": None,
        "date_completed": "2016-02-01", "is_retracted": 0,
    }
    assert rec["mesh"] == MESH_99000017


def test_versioned_pmid():
    assert pick(citation(99000018), "pmid", "pmid_version", "publication_status", "pages") == {
        "pmid": 99000018, "pmid_version": 2, "publication_status": "epublish", "pages": None,
    }
    assert {citation(p)["pmid_version"] for p in ALL_XML_PMIDS if p != 99000018} == {1}


def test_ahead_of_print_in_process():
    assert pick(citation(99000019), "status", "publication_status", "article_date", "entrez_date",
                "volume", "issue", "pages", "doi", "year") == {
        "status": "In-Process",
        "publication_status": "aheadofprint",
        "article_date": "2021-06-15",
        "entrez_date": "2021-06-16",
        "volume": None,
        "issue": None,
        "pages": None,
        "doi": "10.99999/synthetic.19",
        "year": 2021,
    }


def test_dates_are_iso():
    iso = re.compile(r"^\d{4}-\d{2}-\d{2}$")
    for pmid in ALL_XML_PMIDS:
        cit = citation(pmid)
        for key in ("entrez_date", "date_revised", "date_completed", "article_date"):
            assert cit[key] is None or iso.match(cit[key]), (pmid, key, cit[key])


def test_gzipped_fixture_gives_the_same_records():
    assert parse_file("edge-cases.xml.gz") == list(_items("edge-cases.xml"))


# ---------------------------------------------------------------------------
# edge-cases-nodoctype.xml and update-with-delete.xml


def test_file_without_doctype_parses():
    recs = records("edge-cases-nodoctype.xml")
    assert list(recs) == [99000101, 99000102]
    assert pick(recs[99000101]["citation"], "title", "pub_date", "year", "abstract", "doi",
                "pages", "authors_complete") == {
        "title": "Synthetic record: first article in a file without a DOCTYPE.",
        "pub_date": "2022 Jan",
        "year": 2022,
        "abstract": "Synthetic abstract: a plain one-part abstract.",
        "doi": "10.99999/synthetic.101",
        "pages": "1-4",
        "authors_complete": 1,
    }
    assert pick(recs[99000102]["citation"], "title", "pub_date", "year", "abstract", "doi",
                "pages", "authors_complete") == {
        "title": "Synthetic record: second article in a file without a DOCTYPE.",
        "pub_date": "2022 Feb 3",
        "year": 2022,
        "abstract": None,
        "doi": "10.99999/synthetic.102",
        "pages": None,
        "authors_complete": 0,
    }
    assert types(recs[99000102]) == ["Review"]


def test_update_file_new_version_then_deletions_last():
    items = _items("update-with-delete.xml")
    assert len(items) == 2
    assert items[-1] == {"delete_pmids": [99000004, 99000099]}
    rec = items[0]
    assert pick(rec["citation"], "pmid", "pmid_version", "title", "date_revised", "doi",
                "is_retracted") == {
        "pmid": 99000017,
        "pmid_version": 1,
        "title": "Synthetic record: an older imaginary study with MeSH indexing and no DOI (revised title).",
        "date_revised": "2024-06-30",
        "doi": None,
        "is_retracted": 1,
    }
    assert rec["publication_types"] == [
        {"publication_type": "Journal Article", "ui": "D016428"},
        {"publication_type": "Retracted Publication", "ui": "D016441"},
    ]
    assert rec["links"] == [{
        "reftype": "RetractionIn",
        "target_pmid": 99000020,
        "refsource": "J Synth Test Rec. 2024 Jun;16(6):1. doi: 10.99999/synthetic.20",
    }]
    assert rec["mesh"] == MESH_99000017


def test_record_hash_is_stable_across_parses_and_changes_with_content():
    first = {i["citation"]["pmid"]: i["citation"]["record_hash"] for i in parse_file("edge-cases.xml")}
    second = {i["citation"]["pmid"]: i["citation"]["record_hash"] for i in parse_file("edge-cases.xml")}
    assert first == second
    assert len(set(first.values())) == len(first)  # every record hashes differently
    assert all(re.fullmatch(r"rows:[0-9a-f]{40}", h) for h in first.values())
    updated = record(99000017, "update-with-delete.xml")["citation"]["record_hash"]
    assert updated != first[99000017]

    nbib_first = {r["citation"]["pmid"]: r["citation"]["record_hash"] for r in parse_file("edge-cases.nbib")}
    nbib_second = {r["citation"]["pmid"]: r["citation"]["record_hash"] for r in parse_file("edge-cases.nbib")}
    assert nbib_first == nbib_second
    assert len(set(nbib_first.values())) == 3


def _hashes_of(xml):
    return {i["citation"]["pmid"]: i["citation"]["record_hash"]
            for i in pubmed_xml.parse(io.BytesIO(xml), "test") if "citation" in i}


def test_record_hash_follows_what_litref_keeps_not_the_xml():
    xml = (FIXTURES / "edge-cases.xml").read_bytes()
    before = _hashes_of(xml)
    assert b"<CitationSubset>IM</CitationSubset>" in xml
    # CitationSubset is not stored: PubMed changing it is no change to the record.
    assert _hashes_of(xml.replace(b"<CitationSubset>IM</CitationSubset>", b"", 1)) == before
    # A keyword is stored: changing one is.
    assert b"<Keyword MajorTopicYN=\"N\">" in xml
    changed = _hashes_of(xml.replace(b"<Keyword MajorTopicYN=\"N\">", b"<Keyword MajorTopicYN=\"Y\">", 1))
    assert sum(changed[pmid] != before[pmid] for pmid in before) == 1


def test_record_hash_of_a_known_record_stays_the_same():
    """A Python whose marshal wrote other bytes would make every stored record look changed
    (rewritten once): this names the cause should it happen."""
    assert citation(99000001)["record_hash"] == "rows:7119219d7c816b7022c032bf34af3293adc93172"


def test_record_hash_is_the_same_in_another_interpreter_run():
    script = ("import sys; from litref.fetch import pubmed_xml; "
              "print(sorted((i['citation']['pmid'], i['citation']['record_hash']) "
              "for i in pubmed_xml.parse(open(sys.argv[1], 'rb')) if 'citation' in i))")
    runs = {
        subprocess.run([sys.executable, "-c", script, str(FIXTURES / "edge-cases.xml")],
                       capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout
        for seed in (1, 2)
    }
    assert len(runs) == 1
    assert runs == {str(sorted(_hashes_of((FIXTURES / "edge-cases.xml").read_bytes()).items())) + "\n"}


# ---------------------------------------------------------------------------
# edge-cases.nbib (MEDLINE text)


def medline_names(rec):
    return [
        pick(a, "position", "last_name", "fore_name", "initials", "collective_name")
        for a in rec["authors"]
    ]


def test_medline_yields_three_records():
    assert list(records("edge-cases.nbib")) == [99000201, 99000202, 99000203]


def test_medline_full_record():
    rec = record(99000201, "edge-cases.nbib")
    assert pick(rec["citation"], "pmid", "pmid_version", "status", "title", "title_html",
                "pub_date", "year", "pages", "doi", "issn", "volume", "issue", "journal",
                "journal_iso", "article_date", "entrez_date", "date_completed",
                "date_revised", "publication_status", "language", "copyright", "abstract",
                "authors", "is_retracted", "has_erratum", "is_book") == {
        "pmid": 99000201,
        "pmid_version": 1,
        "status": "MEDLINE",
        "title": "Synthetic record: a MEDLINE-format test citation about stromal cells.",
        "title_html": "Synthetic record: a MEDLINE-format test citation about stromal cells.",
        "pub_date": "2020 May",
        "year": 2020,
        "pages": "21-29",
        "doi": "10.99999/synthetic.201",  # from the two joined LID lines (and AID)
        "issn": "9999-0001",
        "volume": "1",
        "issue": "3",
        "journal": "Journal of synthetic test records",
        "journal_iso": "J Synth Test Rec",
        "article_date": "2020-04-15",
        "entrez_date": "2020-04-16",
        "date_completed": "2020-06-01",
        "date_revised": "2024-01-15",
        "publication_status": "ppublish",
        "language": "eng",
        "copyright": "(c) 2020 The Testauthors. Synthetic record for software tests.",
        "abstract": (
            "BACKGROUND: This synthetic record exists to test the MEDLINE text format. METHODS: "
            "Twelve imaginary participants received a placebo test infusion. RESULTS: Nothing "
            "real happened to anyone. CONCLUSIONS: Continuation lines join with one space."
        ),
        "authors": "Testauthor A, Testauthor BB",
        "is_retracted": 0,
        "has_erratum": 1,  # EIN line
        "is_book": 0,
    }
    assert medline_names(rec) == [
        {"position": 1, "last_name": "Testauthor", "fore_name": "Alpha", "initials": "A",
         "collective_name": None},
        {"position": 2, "last_name": "Testauthor", "fore_name": "Beta B", "initials": "BB",
         "collective_name": None},
    ]
    assert rec["mesh"] == [
        {"descriptor": "Animals", "descriptor_ui": None, "qualifier": None,
         "qualifier_ui": None, "major": 0},
        {"descriptor": "Humans", "descriptor_ui": None, "qualifier": None,
         "qualifier_ui": None, "major": 0},
        {"descriptor": "Lupus Erythematosus, Systemic", "descriptor_ui": None,
         "qualifier": "immunology", "qualifier_ui": None, "major": 0},
        {"descriptor": "Lupus Erythematosus, Systemic", "descriptor_ui": None,
         "qualifier": "therapy", "qualifier_ui": None, "major": 1},
        {"descriptor": "Mesenchymal Stem Cells", "descriptor_ui": None,
         "qualifier": "immunology", "qualifier_ui": None, "major": 1},
    ]
    assert rec["keywords"] == [
        {"keyword": "mesenchymal stromal cells", "major": 0},
        {"keyword": "synthetic test record", "major": 0},
    ]
    assert rec["grants"] == [{
        "grant_id": "SYNTH-TEST-0201", "acronym": "ST",
        "agency": "Synthetic Test Funding Agency", "country": "United States",
    }]
    assert rec["databanks"] == [{"databank": "ClinicalTrials.gov", "accession": "NCT99000201"}]
    assert rec["links"] == [
        {"reftype": "CommentIn", "target_pmid": 99000298,
         "refsource": "J Synth Test Rec. 2020 Jul;1(5):77. doi: 10.99999/synthetic.298"},
        {"reftype": "ErratumIn", "target_pmid": 99000299,
         "refsource": "J Synth Test Rec. 2020 Sep;1(7):99. doi: 10.99999/synthetic.299"},
    ]
    assert rec["publication_types"] == [
        {"publication_type": "Journal Article", "ui": None},
        {"publication_type": "Randomized Controlled Trial", "ui": None},
        {"publication_type": "Research Support, Non-U.S. Gov't", "ui": None},
    ]


def test_medline_retracted_record_with_collective_author():
    rec = record(99000202, "edge-cases.nbib")
    assert pick(rec["citation"], "is_retracted", "pub_date", "year", "doi", "authors") == {
        "is_retracted": 1,
        "pub_date": "2018 Jul-Aug",
        "year": 2018,
        "doi": "10.99999/synthetic.202",
        "authors": "Testauthor G, Synthetic Lupus Test Study Group",
    }
    assert types(rec) == ["Journal Article", "Multicenter Study", "Retracted Publication"]
    assert rec["links"] == [{
        "reftype": "RetractionIn", "target_pmid": 99000203,
        "refsource": "J Synth Test Rec. 2019 Mar;13(3):1. doi: 10.99999/synthetic.203",
    }]
    assert medline_names(rec) == [
        {"position": 1, "last_name": "Testauthor", "fore_name": "Gamma", "initials": "G",
         "collective_name": None},
        {"position": 2, "last_name": None, "fore_name": None, "initials": None,
         "collective_name": "Synthetic Lupus Test Study Group"},
    ]
    assert rec["mesh"] == [
        {"descriptor": "Humans", "descriptor_ui": None, "qualifier": None,
         "qualifier_ui": None, "major": 0},
        {"descriptor": "Lupus Nephritis", "descriptor_ui": None,
         "qualifier": "drug therapy", "qualifier_ui": None, "major": 1},
        {"descriptor": "Glucocorticoids", "descriptor_ui": None,
         "qualifier": "adverse effects", "qualifier_ui": None, "major": 1},
    ]


def test_medline_retraction_notice_wrapped_lines():
    rec = record(99000203, "edge-cases.nbib")
    assert pick(rec["citation"], "status", "title", "is_retracted", "authors", "abstract",
                "article_date", "doi") == {
        "status": "PubMed-not-MEDLINE",
        "title": (
            "Retraction notice to: Synthetic record: a multicentre imaginary cohort "
            "that was later retracted."
        ),
        "is_retracted": 0,
        "authors": None,
        "abstract": None,
        "article_date": None,
        "doi": "10.99999/synthetic.203",
    }
    assert rec["authors"] == [] and rec["mesh"] == []
    # ROF is wrapped and Bio.Medline splits it into two items ("... PMID:", "99000202").
    assert rec["links"] == [{
        "reftype": "RetractionOf", "target_pmid": 99000202,
        "refsource": "J Synth Test Rec. 2018 Jul-Aug;12(4):301-309. doi: 10.99999/synthetic.202",
    }]
    assert types(rec) == ["Retraction of Publication"]


@pytest.mark.parametrize("line, expected", [
    # The fixture's form: id/acronym/agency/country.
    ("SYNTH-TEST-0901/ST/Synthetic Test Funding Agency/United States",
     {"grant_id": "SYNTH-TEST-0901", "acronym": "ST",
      "agency": "Synthetic Test Funding Agency", "country": "United States"}),
    # Grant numbers that contain slashes (Wellcome "067427/Z/02/Z", MRC "MR/N013700/1").
    ("SYNTH/0901/1/ST_/Synthetic Test Funding Agency/United Kingdom",
     {"grant_id": "SYNTH/0901/1", "acronym": "ST_",
      "agency": "Synthetic Test Funding Agency", "country": "United Kingdom"}),
    # No number and no acronym (NLM's example: "Howard Hughes Medical Institute/United States").
    ("Synthetic Test Foundation/United States",
     {"grant_id": None, "acronym": None,
      "agency": "Synthetic Test Foundation", "country": "United States"}),
], ids=["four-parts", "slashes-in-grant-number", "agency-and-country-only"])
def test_medline_grant_lines(line, expected):
    rec = parse_medline(
        f"PMID- 99000902\nTI  - Synthetic record: grant line parsing.\nGR  - {line}\n"
    )
    assert rec["grants"] == [expected]


def test_medline_authors_without_full_names():
    # Records before 2002 (and some later ones) have AU lines but no FAU lines.
    rec = parse_medline(
        "PMID- 99000903\nDP  - 1998 Mar\nTI  - Synthetic record: short author names only.\n"
        "AU  - Testauthor A\nAU  - Testauthor BB\n"
    )
    assert rec["citation"]["authors"] == "Testauthor A, Testauthor BB"
    assert [(a["position"], a["last_name"], a["initials"]) for a in rec["authors"]] == [
        (1, "Testauthor", "A"), (2, "Testauthor", "BB"),
    ]


# ---------------------------------------------------------------------------
# markup and security


def test_plain_text_and_safe_html_basics():
    assert markup.plain_text(None) is None
    assert markup.safe_html(None) is None
    assert markup.plain_text(etree.fromstring("<ArticleTitle>  \n </ArticleTitle>")) is None
    assert markup.safe_html(etree.fromstring("<ArticleTitle>  \n </ArticleTitle>")) is None
    element = etree.fromstring(
        "<AbstractText>Synthetic <!-- a comment -->text<?pi data?>\n   with   <i>space</i>  </AbstractText>"
    )
    assert markup.plain_text(element) == "Synthetic text with space"
    assert markup.safe_html(element) == "Synthetic text with <i>space</i>"


def test_escaped_script_in_title_stays_text():
    cit = parse_one(synthetic_xml(
        99000901, "Synthetic record: &lt;script&gt;alert(1)&lt;/script&gt; in a title"
    ))
    assert cit["title"] == "Synthetic record: <script>alert(1)</script> in a title"
    assert cit["title_html"] == "Synthetic record: &lt;script&gt;alert(1)&lt;/script&gt; in a title"
    assert_inert_html(cit["title_html"])


def test_real_script_img_and_attributes_are_removed():
    cit = parse_one(synthetic_xml(
        99000902,
        "Synthetic record: active content in an abstract",
        'Synthetic abstract: <script type="text/javascript">alert(1)</script> and '
        '<img src="x" onerror="alert(1)"/>picture and <i onclick="alert(2)">italic</i> and '
        '<a href="javascript:alert(3)">link</a> and '
        '<h:script xmlns:h="http://www.w3.org/1999/xhtml">x()</h:script> and '
        '<mml:math xmlns:mml="http://www.w3.org/1998/Math/MathML" display="block">'
        '<mml:mi mathvariant="bold" href="javascript:alert(4)">y</mml:mi></mml:math> and '
        '<unknown attr="1">kept <b style="color:red">bold</b></unknown>.',
    ))
    assert cit["abstract_html"] == (
        "<p>Synthetic abstract: alert(1) and picture and <i>italic</i> and link and x() and "
        "<math><mi>y</mi></math> and kept <b>bold</b>.</p>"
    )
    assert_inert_html(cit["abstract_html"])
    for word in ("onerror", "onclick", "javascript", "href", "src", "style", "attr"):
        assert word not in cit["abstract_html"]
    # Unknown elements keep their text only, in the plain text too.
    assert cit["abstract"] == (
        "Synthetic abstract: alert(1) and picture and italic and link and x() and y and kept bold."
    )


def test_escaped_markup_in_abstract_is_escaped_in_html():
    cit = parse_one(synthetic_xml(
        99000903,
        "Synthetic record: escaped markup in an abstract",
        "Synthetic abstract: &lt;img src=x onerror=alert(1)&gt; and "
        "<![CDATA[<script>alert(2)</script>]]> end.",
    ))
    assert cit["abstract_html"] == (
        "<p>Synthetic abstract: &lt;img src=x onerror=alert(1)&gt; and "
        "&lt;script&gt;alert(2)&lt;/script&gt; end.</p>"
    )
    assert "&lt;script&gt;" in cit["abstract_html"]
    assert_inert_html(cit["abstract_html"])
    assert cit["abstract"] == (
        "Synthetic abstract: <img src=x onerror=alert(1)> and <script>alert(2)</script> end."
    )


def test_medline_text_is_escaped_in_html():
    rec = parse_medline(
        "PMID- 99000904\nTI  - Synthetic record: <script>alert(1)</script> & more.\n"
        "AB  - Synthetic abstract: <img src=x onerror=alert(1)>.\n"
    )
    assert pick(rec["citation"], "title", "title_html", "abstract_html") == {
        "title": "Synthetic record: <script>alert(1)</script> & more.",
        "title_html": "Synthetic record: &lt;script&gt;alert(1)&lt;/script&gt; &amp; more.",
        "abstract_html": "<p>Synthetic abstract: &lt;img src=x onerror=alert(1)&gt;.</p>",
    }
    assert_inert_html(rec["citation"]["title_html"])
    assert_inert_html(rec["citation"]["abstract_html"])


def test_external_entities_are_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SYNTHETIC-SECRET-MARKER")
    xml = synthetic_xml(
        99000905, "Synthetic record: entity &xxe; here", "Synthetic abstract: &xxe; here"
    ).replace(
        b"<PubmedArticleSet>",
        f'<!DOCTYPE PubmedArticleSet [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>\n'
        "<PubmedArticleSet>".encode(),
        1,
    )
    cit = parse_one(xml)
    for key in ("title", "title_html", "abstract", "abstract_html"):
        assert "SYNTHETIC-SECRET-MARKER" not in (cit[key] or ""), key
    assert cit["title_html"] == "Synthetic record: entity here"


# ---------------------------------------------------------------------------
# errors


def test_not_pubmed_xml_is_rejected_with_its_name():
    path = FIXTURES / "not-pubmed.xml"
    with open(path, "rb") as handle, pytest.raises(pubmed_xml.NotPubmedXML) as error:
        list(pubmed_xml.parse(handle, str(path)))
    assert str(path) in str(error.value)


@pytest.mark.parametrize("body", [
    b"",
    b"   \n",
    (FIXTURES / "edge-cases.xml").read_bytes()[:20000],  # cut short in the middle of an article
    b'<?xml version="1.0"?>\n<PubmedArticleSet>\n  <PubmedArticle>\n',
], ids=["empty", "blank", "truncated-fixture", "truncated-small"])
def test_damaged_documents_raise_not_pubmed_xml(body):
    with pytest.raises(pubmed_xml.NotPubmedXML) as error:
        list(pubmed_xml.parse(io.BytesIO(body), "efetch of search synthetic-test"))
    assert "efetch of search synthetic-test" in str(error.value)


def test_efetch_error_body_raises_with_the_error_text():
    body = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b"<eFetchResult>\n\t<ERROR>Synthetic test error: cannot retrieve history data</ERROR>\n"
        b"</eFetchResult>\n"
    )
    with pytest.raises(pubmed_xml.NotPubmedXML) as error:
        list(pubmed_xml.parse(io.BytesIO(body), "efetch of search synthetic-test"))
    assert "Synthetic test error: cannot retrieve history data" in str(error.value)
    assert "efetch of search synthetic-test" in str(error.value)


@pytest.mark.parametrize("text", [
    "Synthetic test: this is not a MEDLINE file.\n",
    "<html><body>Synthetic maintenance page</body></html>\n",
    "TY  - JOUR\nTI  - Synthetic record: a RIS file\nER  - \n",
], ids=["prose", "html", "ris"])
def test_text_without_pmid_raises_not_medline(text):
    with pytest.raises(medline.NotMedline) as error:
        list(medline.parse(io.StringIO(text), "synthetic-upload.txt"))
    assert "synthetic-upload.txt" in str(error.value)


# ---------------------------------------------------------------------------
# memory: the parser streams and frees finished articles
#
# ~40 MB in 2,000 articles of ~20 KB. tracemalloc makes every Python allocation
# slow (the transform makes hundreds per article), so the bytes are in a few large
# pieces rather than in 20,000 small articles: this keeps the test at a few seconds
# while a parser that kept its records would still pass 30 MB of traced memory
# (~42 MB measured), and one that kept the tree would grow its RSS by ~90 MB.

MEMORY_ARTICLES = 2_000
MEMORY_ABSTRACT = "Synthetic abstract: " + " ".join(
    f"memory-test-filler-{k:02d}-" + "synthetic" * 62 for k in range(17)
)
ARTICLE_HEAD = (
    '<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">{pmid}</PMID>'
    '<Article PubModel="Print"><Journal><JournalIssue CitedMedium="Print"><PubDate><Year>2020</Year>'
    "</PubDate></JournalIssue><Title>" + JOURNAL + "</Title></Journal>"
    "<ArticleTitle>Synthetic record {pmid} for the memory test.</ArticleTitle>"
    "<Abstract><AbstractText>" + MEMORY_ABSTRACT + "</AbstractText></Abstract>"
    "</Article></MedlineCitation><PubmedData><PublicationStatus>ppublish</PublicationStatus>"
    "<ReferenceList>"
)
# References are most of a real article's bytes and the parser ignores them: they
# make the tree libxml2 builds big without adding Python work.
REFERENCES = "".join(
    f"<Reference><Citation>Testauthor A. Synthetic reference {i}. J Synth Test Rec. "
    f"2019;1:{i}-9.</Citation></Reference>"
    for i in range(80)
)
ARTICLE_TAIL = "</ReferenceList></PubmedData></PubmedArticle>\n"


def _rss_bytes():
    """Resident memory of this process: libxml2's tree is invisible to tracemalloc."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return None


def test_parse_streams_in_flat_memory(tmp_path):
    path = tmp_path / "synthetic-big.xml"
    with open(path, "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<PubmedArticleSet>\n')
        for n in range(MEMORY_ARTICLES):
            out.write(ARTICLE_HEAD.format(pmid=99100000 + n) + REFERENCES + ARTICLE_TAIL)
        out.write("</PubmedArticleSet>\n")
    assert 35e6 < path.stat().st_size < 50e6

    rss_before = _rss_bytes()
    rss_peak = rss_before
    count = 0
    tracemalloc.start()
    try:
        with open(path, "rb") as handle:
            for item in pubmed_xml.parse(handle, str(path)):
                count += 1
                if rss_before is not None and count % 100 == 0:
                    rss_peak = max(rss_peak, _rss_bytes())
        traced_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert count == MEMORY_ARTICLES
    assert item["citation"]["pmid"] == 99100000 + MEMORY_ARTICLES - 1
    assert len(item["citation"]["abstract"]) == len(MEMORY_ABSTRACT)
    # Python side: records and element proxies do not pile up.
    assert traced_peak < 30 * 2**20, f"traced peak {traced_peak / 2**20:.1f} MiB"
    # C side: finished articles are cleared from the tree.
    if rss_before is not None:
        grew = rss_peak - rss_before
        assert grew < 40 * 2**20, f"RSS grew {grew / 2**20:.1f} MiB while parsing"


def _one(xml):
    return next(pubmed_xml.parse(io.BytesIO(xml.encode()), "inline"))["citation"]


def _untitled_article(pmid, title_xml):
    return (
        f'<PubmedArticleSet><PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM">'
        f'<PMID Version="1">{pmid}</PMID><Article PubModel="Print"><Journal><JournalIssue '
        f'CitedMedium="Print"><PubDate><Year>2021</Year></PubDate></JournalIssue>'
        f"<Title>Synthetic Journal</Title></Journal>{title_xml}<Language>fre</Language>"
        f"</Article></MedlineCitation></PubmedArticle></PubmedArticleSet>"
    )


def test_empty_article_title_falls_back_to_the_vernacular_title():
    # Real update files hold such records (54 of 20,788 in pubmed21n1298).
    citation = _one(_untitled_article(
        99000601, "<ArticleTitle/><VernacularTitle>Synthetique: titre <i>original</i></VernacularTitle>"
    ))
    assert (citation["title"], citation["title_html"], citation["vernacular_title"]) == (
        "Synthetique: titre original", "Synthetique: titre <i>original</i>", "Synthetique: titre original",
    )


def test_record_without_any_title_is_shown_as_pubmed_shows_it():
    citation = _one(_untitled_article(99000602, "<ArticleTitle/>"))
    assert (citation["title"], citation["title_html"]) == ("[No title available]", "[No title available]")


def test_a_wrapper_given_twice_is_read_through_every_copy():
    # The DTD allows one JournalIssue, History and ArticleIdList; a record breaking it
    # is read as a path lookup reads it: the first of each field under any copy.
    xml = (
        '<PubmedArticleSet><PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM">'
        '<PMID Version="1">99000603</PMID><Article PubModel="Print"><Journal>'
        "<JournalIssue><Issue>4</Issue></JournalIssue>"
        "<JournalIssue><Volume>7</Volume><Issue>5</Issue><PubDate><Year>2001</Year></PubDate></JournalIssue>"
        "<Title>Synthetic Journal</Title></Journal><ArticleTitle>Synthetic twice-wrapped record</ArticleTitle>"
        "</Article></MedlineCitation><PubmedData>"
        "<History/><History><PubMedPubDate PubStatus='entrez'><Year>2001</Year><Month>2</Month>"
        "<Day>3</Day></PubMedPubDate></History>"
        "<ArticleIdList/><ArticleIdList><ArticleId IdType='doi'>10.99999/synthetic.603</ArticleId>"
        "</ArticleIdList></PubmedData></PubmedArticle></PubmedArticleSet>"
    )
    citation = _one(xml)
    assert [citation[k] for k in ("volume", "issue", "year", "entrez_date", "doi")] == [
        "7", "4", 2001, "2001-02-03", "10.99999/synthetic.603",
    ]


def test_a_book_without_its_book_element_is_stored_with_what_it_has():
    citation = _one(
        '<PubmedArticleSet><PubmedBookArticle><BookDocument><PMID Version="1">99000604</PMID>'
        "<ArticleTitle>Synthetic chapter of a book PubMed did not describe</ArticleTitle>"
        "</BookDocument></PubmedBookArticle></PubmedArticleSet>"
    )
    assert (citation["pmid"], citation["is_book"], citation["journal"], citation["title"]) == (
        99000604, 1, None, "Synthetic chapter of a book PubMed did not describe",
    )
