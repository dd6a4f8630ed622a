"""The pages about the clinic's website in a real browser (Debian's chromium, driven by
Playwright) against a real `litref serve` on the demo database: the home page page by
page, a page's view with a statement made a claim, the evidence map on a phone, and
the evidence report printed to PDF as "Save as PDF" would.

Screenshots and the PDF go to tests/artifacts/ (the README's copies live in
docs/screenshots/).
"""

import re

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser import ARTIFACTS, screenshot, signed_in

BOON = "stem-cell-boon-for-lupus"
THERAPY = "stem-cell-therapy-for-lupus"
CLAIM = "lupus-us-prevalence"
TRANSFUSION = "Stem cell therapy involves transfusing the cells into the systems of people with lupus."


def test_home_page_shows_each_website_page_with_its_claims_by_status(demo_server, browser):
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(demo_server + "/")
    boon = page.locator(f"#page-{BOON}")
    expect(boon.locator("h3")).to_have_text(
        "Stem Cell Therapy: Why It's a Boon for Patients Suffering from Lupus")
    expect(boon.locator(".page-reading")).to_contain_text("Last checked")
    expect(page.locator(f"#page-{THERAPY} h3")).to_have_text("Stem Cell Therapy for Lupus")
    contradicted = boon.locator(".status-group-contradicted")
    expect(contradicted.locator("summary .count")).to_have_text("2")
    contradicted.locator("summary").click()
    expect(contradicted.locator(f'a[href="/claim/{CLAIM}"]')).to_be_visible()
    screenshot(page, "home-pages.png")
    boon.locator("h3 a").click()
    expect(page).to_have_url(f"{demo_server}/page/{BOON}")
    page.close()


def test_a_reviewer_makes_an_unclaimed_statement_a_claim(demo_server, browser):
    with signed_in(browser, demo_server, viewport={"width": 1100, "height": 900}) as page:
        page.goto(f"{demo_server}/page/{BOON}")
        expect(page.locator("ol.page-claims > li")).to_have_count(35)
        expect(page.locator("ol.page-claims > li").first).to_contain_text("1.5 million Americans")
        statement = page.locator("li.statement", has_text=TRANSFUSION)
        statement.locator("summary", has_text="Make it a claim").click()
        form = statement.locator("form.claim-form")
        form.locator("input[name=claim_id]").fill("stem-cell-transfusion")
        form.locator("textarea[name=query]").fill('"Stem Cells"[Mesh] AND lupus[tiab]')
        form.locator("button[type=submit]").click()
        expect(page).to_have_url(f"{demo_server}/page/{BOON}#claim-stem-cell-transfusion")
        expect(page.locator(".message-info")).to_contain_text("Claim added")
        added = page.locator("#claim-stem-cell-transfusion")
        expect(added).to_contain_text("Not yet in claims.yml")
        expect(page.locator("li.statement", has_text=TRANSFUSION)).to_have_count(0)
        expect(page.locator("#history + ul.history")).to_contain_text(
            "alice added the claim stem-cell-transfusion")
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(ARTIFACTS / "page-view.png"))  # the top of a long page


def test_the_evidence_map_fits_a_phone_and_leads_to_the_evidence(demo_server, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{demo_server}/page/{BOON}#map")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    figure = page.locator("figure.evidence-map-figure")
    box = figure.locator("svg").bounding_box()
    assert box["width"] <= 390 and box["height"] > 500
    figure.screenshot(path=str(ARTIFACTS / "evidence-map-phone.png"))
    claims = page.locator("ol.page-claims > li").count()  # 35, and any added by the test before
    assert claims >= 35
    expect(page.locator("details.map-table table tbody tr")).to_have_count(claims)
    page.locator(f'svg a[href*="claim_id={CLAIM}"][href*="study_design=meta-analysis"]').click()
    expect(page).to_have_url(re.compile(r"/claim_evidence_detail\?claim_id=lupus-us-prevalence"))
    expect(page.locator("table.rows-and-columns")).to_contain_text("33474834")
    page.close()


def test_the_evidence_report_prints_to_a_clean_dated_pdf(demo_server, browser):
    page = browser.new_page(viewport={"width": 1000, "height": 1200})
    page.goto(f"{demo_server}/page/{THERAPY}/report")
    expect(page.locator("h1")).to_have_text("Stem Cell Therapy for Lupus")
    page.screenshot(path=str(ARTIFACTS / "report.png"))
    pdf = ARTIFACTS / "report.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)  # what "Save as PDF" prints
    page.close()
    reader = PdfReader(pdf)
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    assert len(reader.pages) >= 3
    assert text.startswith("Evidence report for a page of the clinic's website")
    assert re.search(r"Prepared \d+ \w+ 20\d\d, \d\d:\d\d UTC", text)
    assert "Lupus is an autoimmune disorder that affects many different systems of the body" in text
    assert "Unreviewed. Nobody has yet linked evidence" in text
    assert "Mixed. The best evidence disagrees" in text
    assert "Flagged papers" in text and "References" in text
    assert re.search(r"1\. \w+ [A-Z]+, .*PMID: \d+", text)  # a numbered Vancouver reference
    assert "Back to the page in litref" not in text and "Print or save as PDF" not in text
    assert "Log in" not in text and "Powered by Datasette" not in text
