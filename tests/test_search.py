"""The search box (/search): what PubMed users type, read as PubMed reads it
(web/search_query.py), answered from the database (web/literature.py) with
matches marked inside the formatted text (web/highlight.py)."""

import html as html_module
import re
import sqlite3

import pytest

from litref.evidence.names import name_key
from litref.web import literature
from litref.web.highlight import excerpt_html, mark_authors, mark_html
from litref.web.search_query import Clause, author_clause, mapping_guesses, parse
from tests.helpers import HOSTILE
from tests.web_site import ATTACK_PMID

DENG_RCT = 28478399
HUGLE_REVIEW = 18947373
CDC_META_ANALYSIS = 33474834
MESH_INDEXED = 99000017  # MeSH: Lupus Erythematosus, Systemic; Mesenchymal Stem Cells; Humans; Animals
FORMATTED = 99000002


def results(site, query="", **arguments):
    """The PMIDs of the result cards, in order, and the page's HTML."""
    response = site.get(literature.address(literature.search_from_args({"q": query}), **arguments))
    assert response.status_code == 200, response.text
    return [int(p) for p in re.findall(r'id="result-(\d+)"', response.text)], response.text


def count(html):
    text = html_module.unescape(re.sub(r"<[^>]+>", " ", html))
    found = re.search(r"([\d,]+) citations?\b", text)
    return int(found.group(1).replace(",", ""))


# Reading what is typed


@pytest.mark.parametrize("typed, pmids", [
    ("28478399", (28478399,)), ("PMID: 28478399", (28478399,)), ("pmid:28478399", (28478399,)),
    ("PMID- 28478399", (28478399,)), ("28478399[pmid]", (28478399,)),
    ("28478399, 33474834 18947373", (28478399, 33474834, 18947373)),
    ("Deng D. A randomised trial. Ann Rheum Dis. 2017;76(8):1436-9. doi: 10.1136/x. PMID: 28478399.",
     (28478399,)),
])
def test_pmids_as_pubmed_users_paste_them(typed, pmids):
    assert parse(typed).pmids == pmids


@pytest.mark.parametrize("typed, doi", [
    ("10.1136/annrheumdis-2017-211073", "10.1136/annrheumdis-2017-211073"),
    ("doi: 10.1002/art.41632.", "10.1002/art.41632"),
    ("https://doi.org/10.1002/art.41632", "10.1002/art.41632"),
    ("http://dx.doi.org/10.1002/art.41632", "10.1002/art.41632"),
    ("10.1002/art.41632[doi]", "10.1002/art.41632"),
])
def test_dois_in_every_form(typed, doi):
    assert parse(typed).doi == doi


def test_field_tags_bind_back_to_the_previous_operator_or_tag_as_in_pubmed():
    query = parse('lupus AND Deng D[au] "Lupus Nephritis"[mh] NOT mice[mh] 2015:2020[dp] x[zz]')
    assert query.clauses == (Clause("author", "Deng D"), Clause("mesh", "Lupus Nephritis"),
                             Clause("mesh", "mice", excluded=True), Clause("year", "2015:2020"))
    assert query.words == "lupus x" and query.ignored == ("[zz]",)
    assert parse("stem cells[tiab]").words == '"stem cells"' and not parse("stem cells[tiab]").clauses


def test_the_automatic_mapping_guesses_only_what_could_be_a_name_a_journal_or_a_heading():
    assert mapping_guesses("Deng D")["author"] == ("deng", "D")
    assert mapping_guesses("Hügle")["author"] == ("hugle", "")
    assert mapping_guesses("van der Heijde D")["author"] == ("van der heijde", "D")
    assert mapping_guesses("Annals of the Rheumatic Diseases")["journal"] == "Annals of the Rheumatic Diseases"
    assert "author" not in mapping_guesses("Annals of the Rheumatic Diseases")  # five words: no name
    assert mapping_guesses('"lupus" nephritis') == {} and mapping_guesses("lupus OR sle") == {}
    assert author_clause("hügle t") == ("hugle", "T") and author_clause("Hügle") == ("hugle", "")


def test_name_keys_fold_case_accents_and_punctuation():
    assert {name_key(n) for n in ("Hügle", "HUGLE", "hügle", "Hu\u0308gle")} == {"hugle"}
    assert name_key("García-López") == "garcia lopez" and name_key("Ødegård") == "odegard"
    assert name_key("O'Brien") == name_key("O’Brien") == "o brien" and name_key(" - ") is None


@pytest.mark.parametrize("text", HOSTILE)
def test_any_text_gives_a_page_never_an_error(site, text):
    response = site.get(literature.address(literature.search_from_args({"q": text})))
    assert response.status_code == 200
    assert "<script>alert" not in response.text


# Answers


@pytest.mark.parametrize("typed, expected", [
    ("Deng D", DENG_RCT), ("deng", DENG_RCT), ("Hügle", HUGLE_REVIEW), ("HUGLE T", HUGLE_REVIEW),
    ("Hugle T[au]", HUGLE_REVIEW), ("Ann Rheum Dis", DENG_RCT), ("annals of the rheumatic diseases", DENG_RCT),
    ("Ann Rheum Dis[ta]", DENG_RCT), ("PMID: 28478399", DENG_RCT), ("10.1136/ANNRHEUMDIS-2017-211073", DENG_RCT),
    ("PMC8169527", CDC_META_ANALYSIS), ("lupus erythematosus, systemic", MESH_INDEXED),
    ('"Mesenchymal Stem Cells"[mh]', MESH_INDEXED), ("Mesenchymal Stem Cells[majr]", MESH_INDEXED),
])
def test_what_pubmed_users_type_finds_the_article(site, typed, expected):
    found, _ = results(site, typed)
    assert expected in found


def test_a_name_with_initials_is_only_an_author_a_single_word_also_words(site):
    found, html = results(site, "Deng D")
    assert found == [DENG_RCT]
    assert '<mark>Deng D</mark>, Zhang P' in html  # the author marked in the card
    found, html = results(site, "Hügle")
    assert found == [HUGLE_REVIEW]
    assert "words in the title or abstract <strong>Hügle</strong>" in html  # searched as words too
    assert 'href="/search?q=H%C3%BCgle%5Bau%5D"' in html  # one click: only the author


def test_a_mesh_heading_also_finds_the_words_which_come_first(site, site_db):
    found, html = results(site, "Mesenchymal Stem Cells")
    with sqlite3.connect(site_db) as conn:
        indexed = {row[0] for row in conn.execute(
            "SELECT pmid FROM citation_mesh WHERE descriptor = 'Mesenchymal Stem Cells'")}
        words = [row[0] for row in conn.execute(
            "SELECT rowid FROM citations_fts WHERE citations_fts MATCH '\"mesenchymal\" \"stem\" \"cells\"' "
            "ORDER BY bm25(citations_fts, 5.0, 1.0), rowid DESC")]
    assert indexed and words
    assert set(found) == indexed | set(words)
    assert found[:len(words)] == words  # best text matches first, then the MeSH-only ones
    assert count(html) == len(found)


def test_facets_count_the_whole_result_and_narrow_it(site):
    found, html = results(site, "synthetic OR lupus OR cells")
    total = count(html)
    assert total > literature.PAGE_SIZE  # more than one page
    year_counts = [int(n.replace(",", "")) for n in re.findall(
        r'<section class="facet facet-year">.*?</section>', html, re.S)[0].split('class="count">')[1:]
        for n in [n.split("<")[0]]]
    assert sum(year_counts) == total
    narrowed, narrowed_html = results(site, "synthetic OR lupus OR cells", design="rct")
    assert 0 < count(narrowed_html) < total
    assert 'class="chosen"' in narrowed_html
    second, second_html = results(site, "synthetic OR lupus OR cells", page=2)
    assert second and not set(second) & set(found)
    assert 'rel="prev"' in second_html


def test_newest_first_sorts_by_year(site, site_db):
    found, _ = results(site, "synthetic", sort="date")
    with sqlite3.connect(site_db) as conn:
        years = [conn.execute("SELECT year FROM citations WHERE pmid = ?", [p]).fetchone()[0] for p in found]
    assert years == sorted(years, key=lambda y: -(y or 0))


def test_an_empty_search_lists_every_citation_newest_first_with_the_facets(site, site_db):
    found, html = results(site)
    with sqlite3.connect(site_db) as conn:
        newest = [row[0] for row in conn.execute(
            f"SELECT pmid FROM citations ORDER BY pmid DESC LIMIT {literature.PAGE_SIZE}")]
        total = conn.execute("SELECT count(*) FROM citations").fetchone()[0]
    assert found == newest and count(html) == total
    assert "Every citation</h1>" in html and "facet-journal" in html and "facet-flag" in html
    found, html = results(site, flag="is_retracted")
    assert 99000010 in found and count(html) == len(found)


def test_nothing_found_says_what_to_do(site):
    _, html = results(site, "PMID: 99999998")
    assert "No stored citation has that PMID" in html and "pubmed.ncbi.nlm.nih.gov/?term=" in html
    _, html = results(site, "zzzyxw")
    assert "Nothing found" in html


def test_titles_keep_their_formatting_and_matches_are_marked_inside_it(site):
    _, html = results(site, "synthetic ex vivo")
    card = html[html.index(f'id="result-{FORMATTED}"'):].split("</article>")[0]
    assert ("<mark>Synthetic</mark> record: p<sub>trend</sub> &lt;0.01 in <i><mark>ex</mark> "
            "<mark>vivo</mark></i> cells") in card
    assert "CD4<sup>+</sup>" in card  # the excerpt is cut from the formatted abstract


def test_the_attack_record_stays_text_in_every_part_of_a_card(site):
    found, html = results(site, "synthetic script")
    assert ATTACK_PMID in found
    card = html[html.index(f'id="result-{ATTACK_PMID}"'):].split("</article>")[0]
    assert "<script" not in card and "<img" not in card and "&lt;script&gt;" in card


def test_marks_never_enter_tags_formulas_or_break_escaping():
    assert mark_html('<i class="x">cells</i> & cells', {"cells", "&"}) == (
        '<i class="x"><mark>cells</mark></i> & <mark>cells</mark>')
    assert mark_html("<math><mi>x</mi></math> x", {"x"}) == "<math><mi>x</mi></math> <mark>x</mark>"
    assert mark_html("a &amp; b", {"&"}) == "a <mark>&amp;</mark> b"
    assert mark_authors("Deng D, Dengler DX, Deng A", "deng", "D") == (
        "<mark>Deng D</mark>, Dengler DX, Deng A")


def test_an_excerpt_starts_near_the_first_match_and_keeps_labels_and_formatting():
    abstract = ("<p><b>BACKGROUND:</b> " + "Filler words here. " * 20 + "</p>"
                "<p><b>RESULTS:</b> CD4<sup>+</sup> cells rose.</p>")
    excerpt = str(excerpt_html(abstract, {"rose"}))
    assert excerpt.startswith("… ") and "<b>RESULTS:</b> CD4<sup>+</sup> cells <mark>rose</mark>." in excerpt
    opening = str(excerpt_html(abstract, set()))
    assert opening.startswith("<b>BACKGROUND:</b> Filler") and opening.endswith(" …")
    assert excerpt_html(None, {"x"}) is None and excerpt_html("<p>broken", {"x"}) is None


def test_a_reading_too_broad_to_add_is_offered_as_a_search_of_its_own(site, monkeypatch):
    monkeypatch.setattr(literature, "UNION_LIMIT", 0)  # as a general heading at 1,000,000
    found, html = results(site, "Mesenchymal Stem Cells")
    assert MESH_INDEXED not in found  # its words are not in its title or abstract
    assert "Also a search of its own" in html
    assert 'href="/search?q=%22Mesenchymal+Stem+Cells%22%5Bmh%5D"' in html
    assert MESH_INDEXED in results(site, '"Mesenchymal Stem Cells"[mh]')[0]


def test_past_what_is_counted_the_page_says_more_than(site, monkeypatch):
    monkeypatch.setattr(literature, "COUNTED", 5)
    found, html = results(site, "synthetic", design="other")  # a condition: counted from the first 5
    assert "More than 5 citations (the choices on the left count the first 5)" in html
    assert len(found) == 5
    _, html = results(site, "synthetic")  # no condition: the total is exact
    assert re.search(r"\b2\d citations \(the choices on the left count the first 5\)", html)
    assert "More than" not in html
