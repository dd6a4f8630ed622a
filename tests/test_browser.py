"""A reviewer's session in a real browser (Debian's chromium, driven by Playwright)
against a real `litref serve` on the demo database: sign in, link a candidate,
see it on the claim page, fix a mistake, export the claim's evidence as BibTeX.

Screenshots go to tests/artifacts/ (the README's copies live in docs/screenshots/).
`make test` installs chromium; without it this test fails rather than skips.
"""

from pathlib import Path

import pytest
from datasette_auth_passwords.utils import hash_password
from playwright.sync_api import expect, sync_playwright

from litref.demo import build_demo
from tests.helpers import serving

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PASSWORD = "a long staff passphrase"
CLAIM = "lupus-us-prevalence"  # "...one of the 1.5 million Americans...", contradicted
CANDIDATE = 28840094  # a candidate for it in the demo
CANDIDATE_TITLE = "The risk benefit ratio of glucocorticoids in SLE"
CDC_META_ANALYSIS = 33474834  # curated: contradicts it
GEORGIA_REGISTRY = 24504808  # curated: contradicts it


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("browser") / "demo.db"
    build_demo(db_path)
    with serving(db_path, {"LITREF_PASSWORD_HASH_ALICE": hash_password(PASSWORD)}) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    assert CHROMIUM.exists(), "Debian's chromium is missing: run `make test` (it installs it)"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def sign_in(page, base):
    page.goto(base + "/-/login")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form.password-login input[type=submit]").click()
    expect(page.locator("header .actor")).to_have_text("alice")


def screenshot(page, name, full_page=True):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=full_page)


def test_home_page_for_visitors(server, browser):
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(server + "/")
    expect(page.locator("h1")).to_have_text("How is our website doing?")
    contradicted = page.locator(".status-card.status-contradicted")
    expect(contradicted.locator(".count")).to_have_text("2")
    contradicted.locator("a").click()
    expect(page.locator(f'a[href="/claim/{CLAIM}"]')).to_be_visible()
    page.goto(server + "/")
    screenshot(page, "home.png")
    page.close()


def test_a_reviewer_links_a_candidate_and_sees_it_on_the_claim_page(server, browser):
    context = browser.new_context(viewport={"width": 1100, "height": 900}, accept_downloads=True)
    page = context.new_page()
    sign_in(page, server)
    page.goto(f"{server}/claim/{CLAIM}")
    expect(page.locator("blockquote.claim-text")).to_contain_text("1.5 million Americans")

    candidate = page.locator(f"#candidate-{CANDIDATE}")
    candidate.locator("select[name=stance]").select_option("context")
    candidate.locator("input[name=note]").fill("Background on drug harms, not on prevalence")
    candidate.locator("form:not(.dismiss) button[type=submit]").click()

    linked = page.locator(f".stance-group-context #evidence-{CANDIDATE}")
    expect(linked).to_contain_text(CANDIDATE_TITLE)
    expect(linked).to_contain_text("Reviewed by alice")
    expect(page.locator(f"#candidate-{CANDIDATE}")).to_have_count(0)
    expect(page.locator("#history + ul.history")).to_contain_text(f"alice linked PMID {CANDIDATE}")
    screenshot(page, "claim.png")

    with page.expect_download() as download:
        page.locator(".exports a", has_text="BibTeX").click()
    bibtex = Path(download.value.path()).read_text()
    assert "@article{" in bibtex
    assert CANDIDATE_TITLE in bibtex
    assert str(CDC_META_ANALYSIS) in bibtex
    context.close()


def test_a_refused_change_keeps_the_form_and_says_why(server, browser):
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, server)
    page.goto(f"{server}/claim/{CLAIM}")
    form = page.locator("#link-any + form")
    form.locator("input[name=pmid]").fill("12345")
    form.locator("select[name=stance]").select_option("supports")
    form.locator("button[type=submit]").click()
    expect(form.locator(".form-message.error")).to_contain_text("That PMID is not in the database")
    expect(form.locator("input[name=pmid]")).to_have_value("12345")
    context.close()


def test_without_javascript_a_reviewer_removes_a_link_and_lands_back_on_the_claim(server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, server)
    page.goto(f"{server}/claim/{CLAIM}")
    card = page.locator(f"#evidence-{GEORGIA_REGISTRY}")
    card.locator("details.remove summary").click()
    card.locator("details.remove button[type=submit]").click()
    expect(page).to_have_url(f"{server}/claim/{CLAIM}")
    expect(page.locator(".message-info")).to_contain_text("Link removed")
    expect(page.locator(f"#evidence-{GEORGIA_REGISTRY}")).to_have_count(0)
    expect(page.locator("#history + ul.history")).to_contain_text(f"removed PMID {GEORGIA_REGISTRY}")
    context.close()


def test_citation_page_and_a_phone_sized_claim_page(server, browser):
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(f"{server}/citation/{CDC_META_ANALYSIS}")
    expect(page.locator("h1")).to_contain_text("Prevalence of Systemic Lupus Erythematosus")
    expect(page.locator(".linked-claims")).to_contain_text("1.5 million Americans")
    screenshot(page, "citation.png")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{server}/claim/{CLAIM}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the claim page scrolls sideways on a phone ({width}px)"
    screenshot(page, "claim-phone.png")
    page.close()


def test_a_reviewer_works_through_the_review_queue(server, browser):
    """Link a candidate with a stance and the design read, mark one not relevant, and
    mark a claim's candidates checked with nothing found."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    sign_in(page, server)
    page.goto(server + "/review")
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

    page.goto(f"{server}/claim/{claim_id}")
    linked = page.locator(f".stance-group-supports #evidence-{linked_pmid}")
    expect(linked).to_contain_text("Reviewed by alice")
    expect(linked.locator(".grade-notes")).to_contain_text("from a reviewer's assessment")
    expect(page.locator("#dismissed")).to_contain_text("Synthetic reason: about another disease")
    expect(page.locator("#history + ul.history")).to_contain_text("marked not relevant")

    empty_claim = _claim_without_evidence(page, server)
    page.goto(f"{server}/claim/{empty_claim}")
    page.locator("form.checked input[name=note]").fill("Went through all candidates")
    page.locator("form.checked button").click()
    expect(page.locator(".claim-status .badge")).to_have_text("No evidence found")
    page.goto(server + "/review")
    expect(page.locator(f"#queue-{empty_claim}")).to_have_count(0)
    context.close()


def _claim_without_evidence(page, server):
    """A claim in the review queue with no evidence linked (status unreviewed)."""
    page.goto(server + "/review")
    section = page.locator("section.queue-claim:has(.status-unreviewed)").first
    return section.get_attribute("id").removeprefix("queue-")
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
