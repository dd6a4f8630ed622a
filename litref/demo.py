"""The demo database: the bundled sample through the real pipeline (no network)."""

from pathlib import Path

from litref import config
from litref.clock import utc_now
from litref.db.candidates import refresh_claims
from litref.db.curation import save_sample_curation
from litref.db.database import open_db
from litref.fetch.site_pages import PageReader
from litref.page_watch import load_site, watch_pages
from litref.pipeline import import_file

PROJECT = Path(__file__).resolve().parents[1]
DEFAULT_SEARCHES = PROJECT / "searches.yml"
DEFAULT_CLAIMS = PROJECT / "claims.yml"
DEFAULT_PAGES = PROJECT / "pages.yml"
SAMPLE_CURATION = PROJECT / "sample" / "curation.yml"
SAMPLE = PROJECT / "sample" / "pubmed-sample.xml"
DEMO_DB = PROJECT / "db" / "demo.db"


def build_demo(path):
    """A fresh database at PATH from the bundled sample, pages.yml and the saved copies
    of the pages, claims.yml and the sample curation (what `litref demo` serves; the
    web tests build the same)."""
    for stale in path.parent.glob(path.name + "*"):  # the -wal and -shm files too
        stale.unlink()
    database = open_db(path)
    counts = import_file(database, SAMPLE, now=utc_now())
    pages = config.read_pages(DEFAULT_PAGES)
    claims_loaded = load_site(database, pages, config.read_claims(DEFAULT_CLAIMS, pages))
    refresh_claims(database, now=utc_now())
    links = save_sample_curation(database, config.read_curation(SAMPLE_CURATION), now=utc_now())
    watch_pages(database, pages, PageReader(), offline=True)  # the saved copies: no network
    database.close()
    return {"citations": counts["records"], "claims": claims_loaded["claims"], "links": links}
