"""`litref pages` wired: read each page of pages.yml (fetch/site_pages.py), keep its
text when it changed, then check every claim against its page (db/pages.py).

One page at a time; a page that cannot be read is recorded as failed and the
others are still read. The claims are checked against every page's newest
copy afterwards, so a failed page keeps its claims as they were.
"""

from litref.clock import utc_now
from litref.db.claims import save_claims
from litref.db.pages import last_validators, record_reading, refresh_page_findings, save_pages
from litref.fetch.site_pages import PageFetchError, read_snapshot


def load_site(db, pages, claims, *, prune=False):
    """pages.yml and claims.yml into the database, then the claims checked against
    their pages' newest copies; returns save_claims' counts (raises ClaimsRemoved)."""
    save_pages(db, pages, now=utc_now())
    counts = save_claims(db, claims, now=utc_now(), prune=prune)
    refresh_page_findings(db)
    return counts


def watch_pages(db, pages, reader, *, offline=False):
    """Read every page (``offline``: its saved copy, whatever its url), record what
    each reading found, then check the claims; returns one result per page."""
    save_pages(db, pages, now=utc_now())
    results = [_read_one(db, page, reader, offline) for page in pages]
    refresh_page_findings(db)
    return results


def _read_one(db, page, reader, offline):
    source = page["snapshot"] if offline or not page["url"] else page["url"]
    try:
        reading = _reading(db, page, reader, offline)
    except (PageFetchError, OSError, UnicodeDecodeError) as error:
        reading = {"error": str(error)}
    outcome = record_reading(db, page["id"], now=utc_now(), source=source, **reading)
    return {"page": page["id"], "source": source, "error": reading.get("error"), **outcome}


def _reading(db, page, reader, offline):
    if offline or not page["url"]:
        if page["snapshot_path"] is None:
            raise PageFetchError("the page has no saved copy (snapshot in pages.yml) to read offline.")
        return {"text": read_snapshot(page["snapshot_path"])}
    fetched = reader.read(page["url"], **last_validators(db, page["id"]))
    return {"text": fetched.text, "not_modified": fetched.not_modified,
            "etag": fetched.etag, "last_modified": fetched.last_modified}
