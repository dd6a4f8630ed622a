"""Atom feeds (RFC 4287) of what a saved search finds and of a claim's evidence.

The feed_search and feed_claim canned queries (web/queries/) choose the entries
and give each its atom_id, atom_title, atom_updated, atom_link and
atom_content_html; the feed around them (a title naming the search or claim,
the author RFC 4287 requires, a real updated date) is made here with feedgen,
and web/plugins/feeds.py serves it as application/atom+xml.
"""

from datetime import datetime, timezone

from feedgen.feed import FeedGenerator

from litref.web.formats import html_paragraphs
from litref.web.links import claim_path

CONTENT_TYPE = "application/atom+xml; charset=utf-8"
AUTHOR = {"name": "litref, the clinic's evidence tracker"}
TITLE_LENGTH = 90
# canned query → the parameter that names what the feed follows
FEEDS = {"feed_search": "search", "feed_claim": "claim_id"}


async def subject(db, query_name, value):
    """What a feed follows: its title, subtitle, page, the date of an empty feed, and what
    to say while it has no entries."""
    if query_name == "feed_search":
        rows = (await db.execute(
            "SELECT name, description, updated_at FROM searches WHERE name = :v", {"v": value})).rows
        found = dict(rows[0]) if rows else None
        return _search_subject(value, found)
    rows = (await db.execute(
        "SELECT id, text, page, loaded_at FROM claims WHERE id = :v", {"v": value})).rows
    return _claim_subject(value, dict(rows[0]) if rows else None)


def _search_subject(name, search):
    if search is None:
        return {"title": f"litref: no saved search named “{name}”" if name else
                "litref: no saved search chosen", "subtitle": None, "page": "/fetches",
                "since": None, "empty": (f"There is no saved search named {name}" if name else
                                         "No saved search chosen: add ?search=<name> to the address")}
    return {"title": f"litref: new citations found by the saved search “{name}”",
            "subtitle": search["description"], "page": "/fetches", "since": search["updated_at"],
            "empty": f"Nothing found yet by the saved search {name}",
            "empty_text": "New citations will appear here after the next fetch that finds some."}


def _claim_subject(claim_id, claim):
    if claim is None:
        return {"title": f"litref: no claim with the id “{claim_id}”" if claim_id else
                "litref: no claim chosen", "subtitle": None, "page": "/claims", "since": None,
                "empty": (f"There is no claim with the id {claim_id}" if claim_id else
                          "No claim chosen: add ?claim_id=<id> to the address")}
    text = claim["text"] if len(claim["text"]) <= TITLE_LENGTH else claim["text"][:TITLE_LENGTH - 1] + "…"
    return {"title": f"litref: evidence for the claim “{text}”",
            "subtitle": f"On the page “{claim['page']}”: candidate articles as litref finds them, "
                        "and articles staff link to the claim, with their stance and note.",
            "page": claim_path(claim_id), "since": claim["loaded_at"],
            "empty": f"No candidate or curated evidence yet for the claim {claim_id}",
            "empty_text": "Candidate articles appear here when a fetch finds them, and curated "
                          "ones when staff link them."}


def atom(about, entries, *, feed_url, page_url, now=None):
    """The feed as bytes. ``entries``: dicts with the atom_* columns, newest first. A feed
    with no entries says why in one entry, dated when what it follows was last set up."""
    now = now or datetime.now(timezone.utc)
    feed = FeedGenerator()
    feed.id(feed_url)
    feed.title(about["title"])
    if about.get("subtitle"):
        feed.subtitle(about["subtitle"])
    feed.author(AUTHOR)
    feed.link(href=feed_url, rel="self", type="application/atom+xml")
    feed.link(href=page_url, rel="alternate", type="text/html")
    if not entries:
        entries = [{"atom_id": feed_url + "#nothing-yet", "atom_title": about["empty"],
                    "atom_updated": about.get("since") or now.isoformat(), "atom_link": page_url,
                    "atom_content_html": html_paragraphs(about.get("empty_text"))}]
    for row in entries:
        entry = feed.add_entry(order="append")
        entry.id(row["atom_id"])
        entry.title(row["atom_title"])
        entry.updated(row["atom_updated"] or now.isoformat())
        entry.link(href=row["atom_link"])
        if row.get("atom_content_html"):
            entry.content(row["atom_content_html"], type="html")
    feed.updated(max(entry.updated() for entry in feed.entry()))
    return feed.atom_str(pretty=True)
