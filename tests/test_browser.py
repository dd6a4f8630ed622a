"""What staff see, in a real browser (Debian's chromium, driven by Playwright) against
a real `litref serve`: the demo database plus the synthetic records of the web tests.

- a reviewer's session: sign in, link a candidate, change a stance in one click,
  fix a mistake, export the claim's evidence as BibTeX;
- titles and abstracts keep their formatting, checked by computed style and layout;
- no page linked from the home page speaks SQL;
- the one search box finds what PubMed users type;
- the lists staff work from, and "What changed" after a fetch from a local
  E-utilities server.

Screenshots go to tests/artifacts/ (the README's copies live in docs/screenshots/).
`make test` installs chromium; without it these tests fail rather than skip.
"""

import contextlib
import datetime as dt
import os
import re
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from tests.eutils_server import FakeEutils, synthetic_article
from tests.browser import PASSWORD, screenshot, serving_with_staff, signed_in
from tests.helpers import LITREF, serving
from tests.web_site import UNLINKED_CLAIM, build_site_db

PROJECT = Path(__file__).resolve().parents[1]
CLAIM = "lupus-us-prevalence"  # "...one of the 1.5 million Americans...", contradicted
CANDIDATE = 28840094  # a candidate for it in the demo
CANDIDATE_TITLE = "The risk benefit ratio of glucocorticoids in SLE"
HUGLE_REVIEW = 18947373  # Hügle T, van Laar JM
CDC_META_ANALYSIS = 33474834  # curated: contradicts it
GEORGIA_REGISTRY = 24504808  # curated: contradicts it
DENG_RCT = 28478399  # Deng D ... Ann Rheum Dis 2017, doi 10.1136/annrheumdis-2017-211073
FORMATTED = 99000002  # title: p<sub>trend</sub>, <i>ex vivo</i>; abstract: <b>, <sup>, <u>
STRUCTURED = 99000001  # abstract with BACKGROUND/RESULTS... labels
MATHML = 99000003  # abstract with an msup formula
MESH_INDEXED = 99000017  # MeSH "Lupus Erythematosus, Systemic"
SQL_WORDING = re.compile(r"\bSQL\b|Run SQL|Custom SQL|\bsql\b")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db_path = build_site_db(tmp_path_factory.mktemp("browser") / "demo.db")
    with contextlib.closing(sqlite3.connect(db_path)) as conn, conn:
        # A formatted title among a claim's evidence, as well as among its candidates.
        conn.execute("INSERT INTO claim_evidence (claim_id, pmid, stance, note, reviewer, reviewed_at) "
                     "VALUES (?, ?, 'context', 'Synthetic note', 'tester', '2026-01-01T00:00:00+00:00')",
                     [UNLINKED_CLAIM, FORMATTED])
    with serving_with_staff(db_path) as base:
        yield base


# --- a reviewer's session -----------------------------------------------------------


def test_home_page_for_visitors(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + "/")
    expect(page.locator("h1")).to_have_text("How is our website doing?")
    contradicted = page.locator(".status-card.status-contradicted")
    expect(contradicted.locator(".count")).to_have_text("2")
    contradicted.locator("a").click()
    expect(page.locator(f'.claim-list a[href="/claim/{CLAIM}"]')).to_be_visible()
    expect(page.locator(".claim-list > li")).to_have_count(2)
    page.goto(server + "/")
    expect(page.locator(".changes-summary")).to_contain_text("See what changed")
    screenshot(page, "home.png")
    page.close()


def test_a_reviewer_links_a_candidate_and_sees_it_on_the_claim_page(server, browser):
    with signed_in(browser, server, viewport={"width": 1280, "height": 900}, accept_downloads=True) as page:
        page.goto(f"{server}/claim/{CLAIM}")
        expect(page.locator("blockquote.claim-text")).to_contain_text("1.5 million Americans")

        candidate = page.locator(f"#candidate-{CANDIDATE}")
        candidate.locator("select[name=stance]").select_option("context")
        note = candidate.locator("textarea[name=note]")  # room for a real note
        note.fill("Background on drug harms,\nnot on prevalence")
        assert note.evaluate("n => n.rows") >= 2
        candidate.locator("form:not(.dismiss) button[type=submit]").click()

        linked = page.locator(f".stance-group-context #evidence-{CANDIDATE}")
        expect(linked).to_contain_text(CANDIDATE_TITLE)
        expect(linked).to_contain_text("Reviewed by alice")
        expect(page.locator(f"#candidate-{CANDIDATE}")).to_have_count(0)
        expect(page.locator("#history + ul.history")).to_contain_text(f"alice linked PMID {CANDIDATE}")
        page.evaluate("window.scrollTo(0, 0)")  # the claim, its status and evidence
        screenshot(page, "claim.png", full_page=False)

        with page.expect_download() as download:
            page.locator(".exports a", has_text="BibTeX").click()
        bibtex = Path(download.value.path()).read_text()
        assert "@article{" in bibtex
        assert CANDIDATE_TITLE in bibtex
        assert str(CDC_META_ANALYSIS) in bibtex
        assert "Clinic staff's stance: Context (alice" in bibtex  # the staff's judgement goes along


def test_a_stance_changes_in_one_click_and_keeps_its_note(server, browser):
    with signed_in(browser, server, viewport={"width": 1280, "height": 900}) as page:
        page.goto(f"{server}/claim/{CLAIM}")
        card = page.locator(f"#evidence-{CDC_META_ANALYSIS}")
        note = card.locator(".note").inner_text()
        expect(card.locator("button[aria-pressed=true]")).to_have_text("Contradicts")
        card.locator("button[name=stance][value=mixed]").click()  # the one step
        moved = page.locator(f".stance-group-mixed #evidence-{CDC_META_ANALYSIS}")
        expect(moved).to_be_visible()
        expect(moved.locator("button[aria-pressed=true]")).to_have_text("Mixed")
        assert moved.locator(".note").inner_text() == note
        expect(page.locator("#history + ul.history")).to_contain_text(
            f"alice changed PMID {CDC_META_ANALYSIS}")
        moved.locator("button[name=stance][value=contradicts]").click()  # and back
        expect(page.locator(f".stance-group-contradicts #evidence-{CDC_META_ANALYSIS}")).to_be_visible()


def test_a_refused_change_keeps_the_form_and_says_why(server, browser):
    with signed_in(browser, server) as page:
        page.goto(f"{server}/claim/{CLAIM}")
        form = page.locator("#link-any + form")
        form.locator("input[name=pmid]").fill("12345")
        form.locator("select[name=stance]").select_option("supports")
        form.locator("button[type=submit]").click()
        expect(form.locator(".form-message.error")).to_contain_text("That PMID is not in the database")
        expect(form.locator("input[name=pmid]")).to_have_value("12345")


def test_without_javascript_a_reviewer_removes_a_link_and_lands_back_on_the_claim(server, browser):
    with signed_in(browser, server, java_script_enabled=False) as page:
        page.goto(f"{server}/claim/{CLAIM}")
        card = page.locator(f"#evidence-{GEORGIA_REGISTRY}")
        card.locator("details.remove summary").click()
        card.locator("details.remove button[type=submit]").click()
        expect(page).to_have_url(f"{server}/claim/{CLAIM}")
        expect(page.locator(".message-info")).to_contain_text("Link removed")
        expect(page.locator(f"#evidence-{GEORGIA_REGISTRY}")).to_have_count(0)
        expect(page.locator("#history + ul.history")).to_contain_text(f"removed PMID {GEORGIA_REGISTRY}")


def test_evidence_sorts_by_year_or_by_grade(server, browser):
    page = browser.new_page()
    page.goto(f"{server}/claim/stem-cell-therapy-stops-organ-damage")
    page.locator(".evidence-order a", has_text="Newest first").click()
    years = [int(y) for y in page.locator(".stance-group").first.locator("cite + *, .citation-meta").evaluate_all(
        "nodes => nodes.map(n => (n.textContent.match(/ (\\d{4})\\./) || [0, 0])[1])")]
    assert years == sorted(years, reverse=True) and len(years) > 1
    expect(page.locator(".evidence-order strong")).to_have_text("Newest first")
    page.close()


def test_citation_page_and_a_phone_sized_claim_page(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server}/citation/{CDC_META_ANALYSIS}")
    expect(page.locator("h1")).to_contain_text("Prevalence of Systemic Lupus Erythematosus")
    expect(page.locator(".linked-claims")).to_contain_text("1.5 million Americans")
    screenshot(page, "citation.png")
    page.set_viewport_size({"width": 390, "height": 844})
    for path in (f"/claim/{CLAIM}", "/search?q=lupus", "/claims"):
        page.goto(server + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} scrolls sideways on a phone ({width}px)"
    page.goto(f"{server}/claim/{CLAIM}")
    screenshot(page, "claim-phone.png")
    page.close()


def test_a_reviewer_works_through_the_review_queue(demo_server, browser):
    """Link a candidate with a stance and the design read, mark one not relevant, and
    mark a claim's candidates checked with nothing found."""
    with signed_in(browser, demo_server, viewport={"width": 1100, "height": 900}) as page:
        page.goto(demo_server + "/review")
        first = page.locator("section.queue-claim").first
        claim_id = first.get_attribute("id").removeprefix("queue-")
        cards = first.locator("article.candidate")
        linked_pmid = cards.nth(0).get_attribute("id").rsplit("-", 1)[1]
        dismissed_pmid = cards.nth(1).get_attribute("id").rsplit("-", 1)[1]
        screenshot(page, "review.png", full_page=False)

        card = cards.nth(0)
        card.locator("select[name=study_design]").select_option("rct")
        card.locator("select[name=subjects]").select_option("humans")
        card.locator("button[name=stance][value=supports]").click()
        expect(page.locator(f"#queue-{claim_id}-{linked_pmid}")).to_have_count(0)

        card = page.locator(f"#queue-{claim_id}-{dismissed_pmid}")
        card.locator("input[name=reason]").fill("Synthetic reason: about another disease")
        card.locator("form.dismiss button").click()
        expect(page.locator(f"#queue-{claim_id}-{dismissed_pmid}")).to_have_count(0)

        page.goto(f"{demo_server}/claim/{claim_id}")
        linked = page.locator(f".stance-group-supports #evidence-{linked_pmid}")
        expect(linked).to_contain_text("Reviewed by alice")
        expect(linked.locator(".grade-notes")).to_contain_text("from a reviewer's assessment")
        expect(page.locator("#dismissed")).to_contain_text("Synthetic reason: about another disease")
        expect(page.locator("#history + ul.history")).to_contain_text("marked not relevant")

        empty_claim = _claim_without_evidence(page, demo_server)
        page.goto(f"{demo_server}/claim/{empty_claim}")
        page.locator("form.checked input[name=note]").fill("Went through all candidates")
        page.locator("form.checked button").click()
        expect(page.locator(".claim-status .badge")).to_have_text("No evidence found")
        page.goto(demo_server + "/review")
        expect(page.locator(f"#queue-{empty_claim}")).to_have_count(0)


def _claim_without_evidence(page, server):
    """A claim in the review queue with no evidence linked (status unreviewed)."""
    page.goto(server + "/review")
    section = page.locator("section.queue-claim:has(.status-unreviewed)").first
    return section.get_attribute("id").removeprefix("queue-")


# --- formatting, by what the browser shows ----------------------------------------------

STYLE = """selector => [...document.querySelectorAll(selector)].map(element => {
    const style = getComputedStyle(element), parent = getComputedStyle(element.parentElement);
    return {verticalAlign: style.verticalAlign, fontStyle: style.fontStyle,
            fontWeight: Number(style.fontWeight), decoration: style.textDecorationLine,
            smaller: parseFloat(style.fontSize) < parseFloat(parent.fontSize),
            background: style.backgroundColor, text: element.textContent};
})"""


def styles(page, selector):
    found = page.evaluate(STYLE, selector)
    assert found, f"nothing matches {selector} on {page.url}"
    return found


def assert_formatted(page, scope):
    """Every <sup>, <sub>, <i>, <b> and <u> inside ``scope`` shows as what it means."""
    checks = {
        "sup": lambda s: s["verticalAlign"] == "super" and s["smaller"],
        "sub": lambda s: s["verticalAlign"] == "sub" and s["smaller"],
        "i": lambda s: s["fontStyle"] == "italic",
        "b": lambda s: s["fontWeight"] >= 700,
        "u": lambda s: "underline" in s["decoration"],
    }
    seen = 0
    for tag, shows in checks.items():
        for style in page.evaluate(STYLE, f"{scope} {tag}"):
            assert shows(style), f"<{tag}>{style['text']}</{tag}> in {scope} on {page.url}: {style}"
            seen += 1
    return seen


def test_titles_and_abstracts_keep_their_formatting_on_the_citation_page(server, browser):
    page = browser.new_page()
    page.goto(f"{server}/citation/{FORMATTED}")
    assert [s["text"] for s in styles(page, "h1 sub")] == ["trend"]
    assert assert_formatted(page, "h1.citation-heading") == 2  # sub and i
    assert assert_formatted(page, ".abstract") >= 4  # b, sup, u, b+i
    sup = styles(page, ".abstract sup")[0]
    assert sup["text"] == "+" and sup["verticalAlign"] == "super"  # "CD4+" reads as CD4⁺
    page.goto(f"{server}/citation/{STRUCTURED}")
    labels = styles(page, ".abstract b")
    assert [s["text"] for s in labels][:2] == ["BACKGROUND:", "PATIENTS AND METHODS:"]
    assert all(s["fontWeight"] >= 700 for s in labels)
    page.goto(f"{server}/citation/{MATHML}")
    formula = page.evaluate("""() => {
        const base = document.querySelector('.abstract math msup mi');
        const power = document.querySelector('.abstract math msup mn');
        return {display: getComputedStyle(document.querySelector('.abstract math')).display,
                raised: power.getBoundingClientRect().bottom < base.getBoundingClientRect().bottom - 2,
                smaller: parseFloat(getComputedStyle(power).fontSize) < parseFloat(getComputedStyle(base).fontSize)};
    }""")
    assert "math" in formula["display"] and formula["raised"] and formula["smaller"], formula
    page.close()


def test_formatting_shows_in_search_results_claim_pages_and_html_exports(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server}/search?q=synthetic+ex+vivo")
    result = f"#result-{FORMATTED}"
    assert assert_formatted(page, f"{result} .citation-title") == 2
    assert assert_formatted(page, f"{result} .excerpt") >= 4  # the excerpt is cut from the HTML
    marks = styles(page, f"{result} .citation-title mark")
    assert {m["text"].lower() for m in marks} >= {"synthetic", "ex", "vivo"}
    assert all(m["background"] not in ("rgba(0, 0, 0, 0)", "transparent") for m in marks)
    page.goto(f"{server}/claim/{UNLINKED_CLAIM}")
    assert assert_formatted(page, f"#evidence-{FORMATTED} .citation-title") == 2
    page.goto(f"{server}/claim/stem-cell-therapy-stops-organ-damage?candidates=1")
    candidates = page.locator(f"#candidate-{FORMATTED}")
    if candidates.count():  # among the first page of candidates when the sample puts it there
        assert assert_formatted(page, f"#candidate-{FORMATTED} .citation-title") == 2
    page.goto(f"{server}/demo/citations/{FORMATTED}.vancouver_html")
    assert assert_formatted(page, "li") == 2
    page.close()


# --- no SQL on the staff pages ----------------------------------------------------------

LABEL_OF = """element => {
    const labels = [...(element.labels || [])].map(l => l.textContent.trim()).join(' ');
    return {name: element.name, label: labels || element.getAttribute('aria-label') || ''};
}"""


def home_page_links(page, base):
    """Same-site pages the home page links to, except the raw database for IT."""
    page.goto(base + "/")
    hrefs = page.locator("a:not(.raw-db a)").evaluate_all("links => links.map(a => a.href)")
    pages = set()
    for href in hrefs:
        url = urlparse(href)
        if url.netloc == urlparse(base).netloc and not url.path.startswith(("/-/", "/litref/")):
            pages.add(url.path + (f"?{url.query}" if url.query else ""))
    return sorted(pages)


def test_no_page_linked_from_the_home_page_speaks_sql(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    pages = home_page_links(page, server)
    assert {"/claims", "/search", "/changes", "/fetches"} <= set(pages)
    assert not any(p.startswith("/demo") for p in pages), pages  # the raw database is for IT only
    for path in pages + ["/search?q=lupus", f"/claim/{CLAIM}", f"/citation/{DENG_RCT}"]:
        page.goto(server + path)
        text = page.locator("body").inner_text()
        assert not SQL_WORDING.search(text), f"{path}: {SQL_WORDING.search(text).group(0)!r}"
        assert not page.title().startswith("--"), path
        for field in page.locator("input:not([type=hidden]), select, textarea").all():
            if not field.is_visible():
                continue
            described = field.evaluate(LABEL_OF)
            assert described["label"], f"{path}: a box without a label ({described['name']})"
            assert described["label"].strip().lower() != (described["name"] or "").lower(), \
                f"{path}: a box labelled with its bare parameter name {described['name']!r}"
    page.close()


# --- one search box, what PubMed users type -------------------------------------------------


@pytest.mark.parametrize("typed, expected, searched_as", [
    ("Deng D", DENG_RCT, "author Deng D"),
    ("hügle", HUGLE_REVIEW, "author hügle"),
    ("Hugle T", HUGLE_REVIEW, "author Hugle T"),
    ("Ann Rheum Dis", DENG_RCT, "journal Ann Rheum Dis"),
    ("Annals of the rheumatic diseases", DENG_RCT, "journal Annals of the Rheumatic Diseases"),
    ("28478399", DENG_RCT, "PMID 28478399"),
    ("PMID: 28478399", DENG_RCT, "PMID 28478399"),
    ("10.1136/annrheumdis-2017-211073", DENG_RCT, "DOI 10.1136/annrheumdis-2017-211073"),
    ("https://doi.org/10.1002/art.41632", CDC_META_ANALYSIS, "DOI 10.1002/art.41632"),
    ("Lupus Erythematosus, Systemic", MESH_INDEXED, "MeSH heading Lupus Erythematosus, Systemic"),
    ('"umbilical cord" lupus nephritis', DENG_RCT, "words in the title or abstract"),
])
def test_the_search_box_on_every_page_finds_what_pubmed_users_type(server, browser, typed, expected,
                                                                   searched_as):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server}/claim/{CLAIM}")  # any page: the box is in the staff bar
    page.get_by_label("Search the literature").fill(typed)
    page.get_by_label("Search the literature").press("Enter")
    card = page.locator(f"#result-{expected}")
    expect(card).to_be_visible()
    expect(page.locator(".searched-for")).to_contain_text(searched_as)
    card.locator(".citation-title a").click()
    expect(page).to_have_url(f"{server}/citation/{expected}")
    page.close()


def test_search_results_are_cards_with_marks_relevance_first_and_sortable_by_date(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server}/search?q=mesenchymal+stem+cells+lupus")
    cards = page.locator("article.result")
    assert cards.count() >= 3
    first = cards.first
    expect(first.locator(".citation-title mark").first).to_be_visible()
    expect(first.locator(".citation-meta cite")).to_be_visible()
    expect(first.locator(".badge.design")).to_be_visible()
    screenshot(page, "search.png")
    page.locator(".sorts a", has_text="Newest first").click()
    expect(page).to_have_url(re.compile(r"sort=date"))
    years = [int(y) for y in page.locator("article.result .citation-meta").evaluate_all(
        "nodes => nodes.map(n => n.textContent.match(/ (\\d{4})\\.\\s/)[1])")]
    assert years == sorted(years, reverse=True)
    choice = page.locator(".facet-design li a").first
    design = choice.inner_text()
    choice.click()
    expect(page.locator(".facet-design li.chosen")).to_have_count(1)
    badges = page.locator("article.result .badge.design")
    assert badges.count() and all(b.get_attribute("title") == design for b in badges.all())
    page.close()


def test_one_click_from_an_author_or_a_mesh_term_to_everything_stored_under_it(server, browser):
    page = browser.new_page()
    page.goto(f"{server}/citation/{DENG_RCT}")
    page.locator(".authors a", has_text="Deng").click()
    expect(page.locator(".searched-for")).to_contain_text("author Deng D")
    expect(page.locator(f"#result-{DENG_RCT}")).to_be_visible()
    expect(page.locator(f"#result-{DENG_RCT} .citation-meta mark")).to_have_text("Deng D")
    page.goto(f"{server}/citation/{MESH_INDEXED}")
    page.locator(".mesh a", has_text="Mesenchymal Stem Cells").click()
    expect(page.locator(".searched-for")).to_contain_text("MeSH heading Mesenchymal Stem Cells")
    expect(page.locator(f"#result-{MESH_INDEXED}")).to_be_visible()
    expect(page.locator("article.result")).to_have_count(1)  # only what is indexed so
    page.close()


# --- the lists, and what changed after a fetch ------------------------------------------------


def test_the_claims_list_filters_by_status_page_and_topic_and_sorts(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server}/claims")
    total = page.locator(".claim-list > li").count()
    assert total == 46
    statuses = page.locator(".claim-list .badge.status").all_inner_texts()
    assert statuses[0] == "Cites a flagged paper" and statuses[-1] == "Supported"  # worst first
    screenshot(page, "claims.png", full_page=False)
    page.get_by_label("Topic").select_option("epidemiology")
    page.get_by_role("button", name="Show").click()
    shown = page.locator(".claim-list > li").count()
    assert 0 < shown < total
    page.get_by_label("Order").select_option("page")
    page.get_by_label("Website page").select_option(index=1)
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"topic=epidemiology.*sort=page|sort=page.*topic=epidemiology"))
    page.close()


RETRACTED_TYPE = '<PublicationType UI="D016441">Retracted Publication</PublicationType>'
WATCHED = 99000980  # linked to a claim, retracted before the second fetch
NEW = [99000981, 99000982]
WATCH_QUERY = "synthetic watched records"


def fetch(db_path, eutils, searches):
    """`litref fetch` of the one saved search against the local E-utilities server."""
    env = {**os.environ, "LITREF_EUTILS_URL": eutils.base_url, "NCBI_EMAIL": "tests@example.org",
           "NCBI_API_KEY": "test-key", "LITREF_BACKOFF": "0.01",
           "LITREF_RATE_FILE": str(db_path.parent / "rate")}
    result = subprocess.run(
        [str(LITREF), "fetch", "--db", str(db_path), "--searches", str(searches), "--search",
         "synthetic-watch", "--claims", str(PROJECT / "claims.yml")],
        env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def hours_ago(hours):
    """A time stamp as litref writes them, ``hours`` before now."""
    return (dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=hours)).isoformat(timespec="seconds")


def test_what_changed_after_a_fetch_from_the_local_eutils_server(browser, tmp_path):
    db_path = build_site_db(tmp_path / "demo.db")
    searches = tmp_path / "searches.yml"
    searches.write_text("searches:\n  - name: synthetic-watch\n"
                        f"    query: '{WATCH_QUERY}'\n    description: Synthetic watched records\n")
    today = dt.date.today()
    watched = synthetic_article(WATCHED, edat=today - dt.timedelta(days=2),
                                title="Synthetic record watched for a retraction.")
    with FakeEutils([watched], queries={WATCH_QUERY: [WATCHED]}) as eutils:
        fetch(db_path, eutils, searches)
        with contextlib.closing(sqlite3.connect(db_path)) as conn, conn:
            # Stored two hours before the next fetch, as nightly fetches are apart: timestamps
            # are to the second, and two quick fetches within one would make the retraction
            # look as if the paper had arrived with it.
            conn.execute("UPDATE citations SET added_at = ? WHERE pmid = ?", [hours_ago(2), WATCHED])
            conn.execute("INSERT INTO claim_evidence (claim_id, pmid, stance, note, reviewer, reviewed_at) "
                         "VALUES ('lupus-malar-rash', ?, 'supports', 'Synthetic', 'tester', ?)",
                         [WATCHED, hours_ago(1)])
        eutils.modify(WATCHED, today, xml=watched.xml.replace(
            "</PublicationTypeList>", f"{RETRACTED_TYPE}</PublicationTypeList>"))
        eutils.add_articles(synthetic_article(pmid, edat=today) for pmid in NEW)
        eutils.set_query(WATCH_QUERY, [WATCHED, *NEW])
        fetch(db_path, eutils, searches)
    with serving(db_path) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(base + "/")
        expect(page.locator(".changes-summary")).to_contain_text("1 paper newly flagged")
        page.locator(".changes-summary a", has_text="See what changed").click()
        changed = page.locator(".status-changes > li", has_text="redish rash")
        # From what it was a week ago to what it is now, then each step.
        expect(changed).to_contain_text("Unreviewed → Cites a flagged paper")
        expect(changed).to_contain_text("after a fetch from PubMed")
        changed.locator("details.steps summary").click()
        steps = changed.locator("details.steps li")
        expect(steps.nth(0)).to_contain_text("Unreviewed → Weakly supported")
        expect(steps.nth(0)).to_contain_text("when tester changed its evidence")
        expect(steps.nth(1)).to_contain_text("Weakly supported → Cites a flagged paper")
        expect(steps.nth(1)).to_contain_text("after a fetch from PubMed")
        newly_flagged = page.locator("#flagged ~ .flagged-list").first
        expect(newly_flagged).to_contain_text("Synthetic record watched for a retraction")
        expect(newly_flagged).to_contain_text("Retracted")
        row = page.locator(".per-search tr", has_text="synthetic-watch")
        expect(row.locator("td.number")).to_have_text("3")
        screenshot(page, "changes.png", full_page=False)
        page.goto(base + "/fetches")
        latest = page.locator("section.fetch").first
        expect(latest.locator("h3")).to_contain_text("Today")
        # Both fetches ran within the hour: one fetch, as `litref fetch` runs its searches.
        expect(latest.locator(".fetch-words")).to_contain_text(
            "2 searches, 3 new citations, 1 citation updated")
        screenshot(page, "fetches.png")
        page.close()


def test_signing_in_from_a_claim_page_comes_back_to_it(server, browser):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server}/claim/{CLAIM}")
    page.locator(".sign-in-hint a").click()
    page.fill("input[name=username]", "Alice")  # capitals do not matter
    page.fill("input[name=password]", PASSWORD)
    page.locator("form.password-login input[type=submit]").click()
    expect(page).to_have_url(f"{server}/claim/{CLAIM}")
    expect(page.locator("header .actor")).to_have_text("alice")
    expect(page.locator("#link-any + form")).to_be_visible()
    session = next(c for c in context.cookies() if c["name"] == "ds_actor")
    assert session["httpOnly"] and session["sameSite"] == "Lax" and session["expires"] > 0
    context.close()
