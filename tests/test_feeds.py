"""Atom feeds (web/feeds.py over the feed_* canned queries): new citations per saved
search and new evidence per claim, read back with feedparser, valid Atom (RFC 4287:
an author, a real updated date, a title naming what the feed follows), served as
application/atom+xml, and safe to render."""

import xml.etree.ElementTree as ElementTree

import feedparser
import pytest

from tests.web_fetches import (
    BROKEN_SEARCH, FLAGGED_LATER, NEW_PMIDS, SEARCH, SEEN_BEFORE, build_fetched_site_db,
)
from tests.web_site import ATTACK_PMID, CONTRADICTED_CLAIM, UNLINKED_CLAIM, Site

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = Site(build_fetched_site_db(tmp_path_factory.mktemp("feeds") / "demo.db"))
    yield site
    site.close()


def feed(site, path):
    response = site.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.bozo_exception
    return parsed, ElementTree.fromstring(response.content)


def pubmed(pmid):
    return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"


def test_search_feed_lists_what_the_search_found_newest_first(site):
    parsed, _ = feed(site, f"/demo/feed_search.atom?search={SEARCH}")
    assert parsed.feed.title == f"litref: new citations found by the saved search “{SEARCH}”"
    assert parsed.feed.subtitle == "Synthetic saved search"
    ids = [entry.id for entry in parsed.entries]
    # 2099: the new ones and the attack record (found that day); 2098: the earlier two.
    assert ids == [pubmed(p) for p in (*sorted(NEW_PMIDS, reverse=True), ATTACK_PMID, FLAGGED_LATER, SEEN_BEFORE)]
    updated = [entry.updated for entry in parsed.entries]
    assert updated[0] == "2099-01-01T03:00:00+00:00" and updated == sorted(updated, reverse=True)
    first = parsed.entries[0]
    assert first.link == pubmed(NEW_PMIDS[1])
    assert first.title == f"Synthetic record {NEW_PMIDS[1]} found by a saved search"
    assert "Testauthor F" in first.content[0].value and "J Synth Test Rec 2024" in first.content[0].value
    flagged = next(e for e in parsed.entries if e.id == pubmed(FLAGGED_LATER))
    assert flagged.title.startswith("[Retracted] Synthetic record")


def test_claim_feed_has_candidates_and_curated_links_newest_first(site):
    parsed, _ = feed(site, f"/demo/feed_claim.atom?claim_id={UNLINKED_CLAIM}")
    titles = [entry.title for entry in parsed.entries]
    assert "[supports] [Retracted] Synthetic record: an imaginary trial that was later retracted." in titles
    assert any(title.startswith("[mixed] Synthetic record <script>") for title in titles)
    assert all(title.startswith(("[candidate] ", "[supports] ", "[mixed] ")) for title in titles)
    assert any(title.startswith("[candidate] ") for title in titles)
    updated = [entry.updated for entry in parsed.entries]
    assert updated == sorted(updated, reverse=True) and len(updated) <= 100
    linked = next(e for e in parsed.entries if e.title.startswith("[supports]"))
    assert "Linked by tester as supports: Synthetic note" in linked.content[0].value


def test_curated_evidence_of_the_demo_claim_is_in_its_feed(site):
    parsed, _ = feed(site, f"/demo/feed_claim.atom?claim_id={CONTRADICTED_CLAIM}")
    assert pubmed(33474834) in [entry.id for entry in parsed.entries]


@pytest.mark.parametrize("path, title", [
    ("/demo/feed_search.atom?search=no-such-search", "There is no saved search named no-such-search"),
    (f"/demo/feed_search.atom?search={BROKEN_SEARCH}", f"Nothing found yet by the saved search {BROKEN_SEARCH}"),
    ("/demo/feed_claim.atom?claim_id=no-such-claim", "There is no claim with the id no-such-claim"),
    ("/demo/feed_claim.atom", "No claim chosen: add ?claim_id=<id> to the address"),
    ("/demo/feed_search.atom?search=", "No saved search chosen: add ?search=<name> to the address"),
])
def test_a_feed_with_nothing_yet_says_why_instead_of_failing(site, path, title):
    parsed, root = feed(site, path)
    assert [entry.title for entry in parsed.entries] == [title]
    # A real date: when the search or claim was set up, else now; never a made-up 2000-01-01.
    assert parsed.feed.updated == parsed.entries[0].updated
    assert not parsed.feed.updated.startswith("2000")
    assert root.find(f"{ATOM}author/{ATOM}name").text


def test_every_feed_has_an_author_a_self_link_and_a_title_naming_what_it_follows(site):
    claim_text = "Over time, lupus causes damage to your joints, kidneys, heart, lungs, skin, and blood."
    for path, title in [
        (f"/demo/feed_search.atom?search={SEARCH}", f"litref: new citations found by the saved search “{SEARCH}”"),
        (f"/demo/feed_claim.atom?claim_id={UNLINKED_CLAIM}", f"litref: evidence for the claim “{claim_text}”"),
    ]:
        parsed, root = feed(site, path)
        assert parsed.feed.title == title
        assert root.find(f"{ATOM}author/{ATOM}name").text == "litref, the clinic's evidence tracker"
        links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
        assert links["self"] == "http://localhost" + path
        assert parsed.feed.updated == max(entry.updated for entry in parsed.entries)
    _, root = feed(site, f"/demo/feed_claim.atom?claim_id={UNLINKED_CLAIM}")
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links["alternate"] == f"http://localhost/claim/{UNLINKED_CLAIM}"


def test_record_markup_in_feeds_stays_text(site):
    for path in (f"/demo/feed_claim.atom?claim_id={UNLINKED_CLAIM}", f"/demo/feed_search.atom?search={SEARCH}"):
        _, root = feed(site, path)
        entry = next(e for e in root.iter(f"{ATOM}entry")
                     if e.findtext(f"{ATOM}id") == pubmed(ATTACK_PMID))
        title = entry.find(f"{ATOM}title")
        assert title.get("type") in (None, "text") and "<script>" in title.text  # text: shown as typed
        content = entry.find(f"{ATOM}content")
        assert content.get("type") == "html"
        html = content.text  # the HTML a feed reader will render
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<script" not in html and "<img" not in html


def test_feeds_are_linked_from_searches_claims_and_the_queries(site):
    listing = site.get("/demo/search_feeds").text
    assert f'href="/demo/feed_search.atom?search={SEARCH}">Atom feed</a>' in listing
    for page in ("/demo/searches", f"/demo/searches/{SEARCH}"):
        assert f'Synthetic saved search <a href="/demo/feed_search.atom?search={SEARCH}">Atom feed</a>' \
            in site.get(page).text
    overview = site.get("/demo/claims_overview").text
    assert f'href="/demo/feed_claim.atom?claim_id={UNLINKED_CLAIM}">Atom feed</a>' in overview
    assert 'href="/demo/feed_search.atom?search=' in site.get(f"/demo/feed_search?search={SEARCH}").text
