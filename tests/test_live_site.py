"""A real `litref serve`, as staff and attackers meet it over HTTP: signed-in staff
writing while `litref import` and `litref fetch` work on the same database, password
checks beside page serving, the sign-in limit per name across addresses, and the
Secure cookie behind an HTTPS proxy."""

import gzip
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from datasette_auth_passwords.utils import hash_password

from litref.db.claims import save_claims
from litref.db.database import open_db
from litref.pipeline import import_file
from tests.eutils_server import synthetic_article
from tests.helpers import ARTICLES, rows, serving, start_fetch, start_litref
from tests.helpers import CLAIM, T0
from tests.web_site import CSRF_INPUT

PASSWORD = "a long staff passphrase"
LINKABLE = ARTICLES[0].pmid


class Staff:
    """A reviewer's browser session over HTTP: cookies kept, CSRF token from the forms."""

    def __init__(self, base, address="127.0.0.1"):
        self.client = httpx.Client(base_url=base, headers={"x-forwarded-for": address}, timeout=60)
        self.token = None

    def sign_in(self, username="alice", password=PASSWORD, **headers):
        self.token = CSRF_INPUT.search(self.client.get("/-/login").text).group(1)
        return self.client.post("/-/login", headers=headers, data={
            "username": username, "password": password, "csrftoken": self.token})

    def curate(self, database, query, **fields):
        """A curation form posted as the claim page's JavaScript does; the JSON answer."""
        response = self.client.post(f"/{database}/{query}",
                                    data={**fields, "csrftoken": self.token, "_json": "1"})
        return response.json() if response.status_code == 200 else {"ok": False, "message": response.text}

    def close(self):
        self.client.close()


@pytest.fixture
def database(tmp_path):
    """A small database: one claim and the seven records of the local PubMed's search."""
    path = tmp_path / "citations.db"
    db = open_db(path)
    save_claims(db, [CLAIM], now=T0)
    seed = tmp_path / "seed.xml"
    seed.write_text("<PubmedArticleSet>" + "".join(a.xml for a in ARTICLES) + "</PubmedArticleSet>")
    import_file(db, seed, now=T0)
    db.close()
    return path


def big_update_file(path, count):
    """A gzipped file of ``count`` synthetic records, as large update files come."""
    articles = (synthetic_article(99200000 + n, edat=ARTICLES[0].edat).xml for n in range(count))
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.write("<PubmedArticleSet>")
        out.writelines(articles)
        out.write("</PubmedArticleSet>")
    return path


def imported(db_path):
    """How many of ``big_update_file``'s records are committed so far."""
    return rows(db_path, "SELECT count(*) AS n FROM citations WHERE pmid >= 99200000")[0]["n"]


# Run in the import's process: a small batch so that it commits often, and a pause
# before each batch is written (outside any transaction) so that the import lasts a few
# seconds however quick the machine, and a fetch started beside it surely writes meanwhile.
SLOW_IMPORT = """
import time
from litref.fetch import files
files.BATCH_SIZE = 250
received = files._received
def paused(*args):
    for batch in received(*args):
        time.sleep(0.1)
        yield batch
files._received = paused
"""


def fetch_runs(db_path):
    """How many fetches of a search have started (each writes its row first)."""
    return rows(db_path, "SELECT count(*) AS n FROM fetch_runs")[0]["n"]


def test_staff_writes_never_fail_while_litref_imports_and_fetches(database, server, paths, tmp_path):
    """Every 100 ms a signed-in reviewer links or unlinks a citation while a large import
    runs and a fetch writes beside it: every write succeeds, and both commands finish."""
    paths["db"] = database
    paths["claims"].write_text(f"claims:\n  - id: {CLAIM['id']}\n    page: stem-cell-therapy-for-lupus\n"
                               f"    text: {CLAIM['text']}\n    query: '{CLAIM['query']}'\n")
    server.set_query(CLAIM["query"], [LINKABLE])
    update = big_update_file(tmp_path / "update.xml.gz", 6000)
    with serving(database, {"LITREF_PASSWORD_HASH_ALICE": hash_password(PASSWORD, iterations=1000)}) as base:
        staff = Staff(base)
        assert staff.sign_in().status_code == 302
        importing = start_litref("import", "--db", str(database), str(update), code=SLOW_IMPORT)
        fetching, fetch_wrote_mid_import = None, False
        results = []
        while importing.poll() is None or (fetching and fetching.poll() is None):
            if fetching is None and imported(database):
                fetching = start_fetch(paths)  # once the import has committed its first batch
            if not fetch_wrote_mid_import and fetch_runs(database):
                fetch_wrote_mid_import = importing.poll() is None
            query = "link_citation" if len(results) % 2 == 0 else "remove_link"
            results.append(staff.curate(database.stem, query, claim_id=CLAIM["id"], pmid=str(LINKABLE),
                                        stance="supports", study_design="", subjects="",
                                        note="written during litref's work"))
            time.sleep(0.1)
        staff.close()
    assert importing.returncode == 0, importing.stderr.read()
    assert fetching is not None, "the import finished before its first batch was seen"
    assert fetching.returncode == 0, fetching.stderr.read()
    assert fetch_wrote_mid_import, "the fetch wrote nothing while the import ran"
    failed = [r["message"] for r in results if not r["ok"]]
    assert len(results) >= 10 and failed == []
    assert imported(database) == 6000
    assert rows(database, "SELECT count(*) AS n FROM curation_log") == [{"n": len(results)}]
    assert rows(database, "PRAGMA integrity_check") == [{"integrity_check": "ok"}]


@pytest.fixture
def live(database):
    """A real server with alice's account hashed as `datasette hash-password` does (slow on purpose)."""
    with serving(database, {"LITREF_PASSWORD_HASH_ALICE": hash_password(PASSWORD)}) as base:
        yield base


def test_password_checks_do_not_hold_up_other_visitors(live):
    """Eight guesses at once, each from its own address and name (so none is refused before
    its password is checked); a page asked for after them is served before most of them."""
    guessers = [Staff(live, address=f"10.0.0.{n}") for n in range(1, 9)]
    for guesser in guessers:
        guesser.token = CSRF_INPUT.search(guesser.client.get("/-/login").text).group(1)
    ready = threading.Barrier(len(guessers) + 1)
    finished = []

    def guess(n):
        ready.wait()
        guessers[n].client.post("/-/login", data={"username": f"guesser{n}", "password": "wrong",
                                                  "csrftoken": guessers[n].token})
        finished.append(time.monotonic())

    with ThreadPoolExecutor(len(guessers)) as pool:
        futures = [pool.submit(guess, n) for n in range(len(guessers))]
        ready.wait()
        time.sleep(0.1)  # the guesses have reached the server
        with httpx.Client(base_url=live) as visitor:
            assert visitor.get("/-/versions.json").status_code == 200
        page_served = time.monotonic()
        for future in futures:
            future.result()
    for guesser in guessers:
        guesser.close()
    assert sum(t < page_served for t in finished) <= 2, "the page waited for the password checks"


def test_five_failures_for_a_name_from_different_addresses_lock_that_name(live):
    for n in range(5):
        visitor = Staff(live, address=f"10.0.1.{n}")
        assert visitor.sign_in(password="wrong").status_code == 200
        visitor.close()
    visitor = Staff(live, address="10.0.1.99")
    refused = visitor.sign_in()  # the right password, from a fresh address
    assert refused.status_code == 429 and "Try again after" in refused.text
    assert visitor.sign_in("bob", "wrong").status_code == 200  # other names are not locked
    visitor.close()


def test_the_cookie_is_secure_when_a_trusted_proxy_says_the_visitor_used_https(live):
    through_proxy = Staff(live)
    secure = through_proxy.sign_in(**{"x-forwarded-proto": "https"}).headers["set-cookie"]
    through_proxy.close()
    plain = Staff(live)
    insecure = plain.sign_in().headers["set-cookie"]
    plain.close()
    assert "; Secure" in secure and "HttpOnly" in secure and "SameSite=lax" in secure
    assert "Secure" not in insecure
