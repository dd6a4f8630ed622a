"""The demo database: the bundled sample through the real pipeline (no network)."""

from pathlib import Path

from litref import config
from litref.clock import utc_now
from litref.db.candidates import refresh_claims
from litref.db.claims import save_claims
from litref.db.curation import save_sample_curation
from litref.db.database import open_db
from litref.pipeline import import_file

PROJECT = Path(__file__).resolve().parents[1]
DEFAULT_SEARCHES = PROJECT / "searches.yml"
DEFAULT_CLAIMS = PROJECT / "claims.yml"
SAMPLE_CURATION = PROJECT / "sample" / "curation.yml"
SAMPLE = PROJECT / "sample" / "pubmed-sample.xml"
DEMO_DB = PROJECT / "db" / "demo.db"


def build_demo(path):
    """A fresh database at PATH from the bundled sample, claims.yml and the sample
    curation (what `litref demo` serves; the web tests build the same)."""
    for stale in path.parent.glob(path.name + "*"):  # the -wal and -shm files too
        stale.unlink()
    database = open_db(path)
    counts = import_file(database, SAMPLE, now=utc_now())
    claims_loaded = save_claims(database, config.read_claims(DEFAULT_CLAIMS), now=utc_now())
    refresh_claims(database, now=utc_now())
    links = save_sample_curation(database, config.read_curation(SAMPLE_CURATION), now=utc_now())
    database.close()
    return {"citations": counts["records"], "claims": claims_loaded["claims"], "links": links}
