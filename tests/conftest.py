import socket
import sys
import urllib.request

import pytest
from Bio import Entrez

from tests import eutils_server
from tests.helpers import ARTICLES, PMIDS, QUERY, write_searches

# Tests may import the fake server as `eutils_server` or `tests.eutils_server`;
# one module object under both names keeps a single set of classes.
sys.modules.setdefault("eutils_server", eutils_server)


@pytest.fixture(scope="session", autouse=True)
def mesh_cache(tmp_path_factory):
    """The query checks' MeSH index is cached in a temporary folder, for this process
    and every litref it starts: tests never write into the user's ~/.cache."""
    folder = tmp_path_factory.mktemp("litref-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LITREF_CACHE_DIR", str(folder))
        yield folder


@pytest.fixture
def eutils(monkeypatch, tmp_path):
    """A running FakeEutils that the client's LITREF_EUTILS_URL points at."""
    with eutils_server.FakeEutils() as server:
        monkeypatch.setenv("LITREF_EUTILS_URL", server.base_url)
        monkeypatch.setenv("NCBI_EMAIL", "tests@example.org")
        # Each test its own shared rate limit: not shared with other tests or a real fetch.
        monkeypatch.setenv("LITREF_RATE_FILE", str(tmp_path / "eutils-rate"))
        yield server


@pytest.fixture
def server(eutils, monkeypatch):
    """The local E-utilities server holding the seven ARTICLES that QUERY finds."""
    monkeypatch.setenv("LITREF_BACKOFF", "0.01")
    monkeypatch.setenv("NCBI_API_KEY", "test-key")  # 10 requests/s keeps the suite quick
    eutils.add_articles(ARTICLES)
    eutils.set_query(QUERY, PMIDS)
    return eutils


@pytest.fixture
def paths(tmp_path):
    """A database path, a searches.yml with QUERY and an empty claims.yml."""
    searches = tmp_path / "searches.yml"
    write_searches(searches, QUERY)
    claims = tmp_path / "claims.yml"
    claims.write_text("claims: []\n")
    return {"db": tmp_path / "citations.db", "searches": searches, "claims": claims}


@pytest.fixture(scope="module")
def site_db(tmp_path_factory):
    """The staff website's database (the demo plus synthetic records), built once per module."""
    from tests.web_site import build_site_db

    return build_site_db(tmp_path_factory.mktemp("site") / "demo.db")


@pytest.fixture
def site(site_db):
    """Datasette over the site database, as `litref serve` runs it (for tests that only read)."""
    from tests.web_site import Site

    site = Site(site_db)
    yield site
    site.close()


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium, headless, driven by Playwright (tests/browser.py)."""
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM, CHROMIUM_ARGS

    assert CHROMIUM.exists(), "Debian's chromium is missing: run `make test` (it installs it)"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """A real `litref serve` of the demo alone (what `make demo` serves), with the staff
    account of tests/browser.py; yields its URL."""
    from litref.demo import build_demo
    from tests.browser import serving_with_staff

    db_path = tmp_path_factory.mktemp("demo") / "demo.db"
    build_demo(db_path)
    with serving_with_staff(db_path) as base:
        yield base


@pytest.fixture(autouse=True)
def restore_process_wide_state(monkeypatch):
    """fetch.eutils.configure sets Bio.Entrez and urllib state for the whole process:
    undo it after each test so no test depends on which ran before it."""
    for name in ("email", "tool", "api_key", "max_tries"):
        monkeypatch.setattr(Entrez, name, getattr(Entrez, name))
    timeout = socket.getdefaulttimeout()
    yield
    socket.setdefaulttimeout(timeout)
    urllib.request.install_opener(None)
