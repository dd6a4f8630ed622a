"""`litref pages` against a stand-in for the clinic's website on 127.0.0.1 (tests/site_server.py):
copies of the text kept only when it changes, claims that drift (a changed figure, a
removed sentence), a new promise nobody has claimed, pages that cannot be read, and
what `litref status` makes of it all."""

import json
import shutil
import socket

import pytest
from click.testing import CliRunner

from litref.cli import main
from litref.config import ConfigFileError, read_pages
from litref.db.database import open_db
from litref.demo import DEFAULT_CLAIMS, DEFAULT_PAGES, PROJECT
from litref.evidence.page_text import normal_text
from litref.fetch.site_pages import USER_AGENT, PageReader, PageSettings, visible_text
from litref.page_watch import watch_pages
from tests.helpers import rows
from tests.site_server import SiteServer, fixture_page

BOON = "stem-cell-boon-for-lupus"
THERAPY = "stem-cell-therapy-for-lupus"
PAGE_IDS = (BOON, THERAPY)
TITLES = {page["id"]: page["title"] for page in read_pages(DEFAULT_PAGES)}
WOMEN_CLAIM = "lupus-mostly-women-90-percent"
AUTOIMMUNITY_CLAIM = "msc-key-role-preventing-autoimmunity"
AUTOIMMUNITY = "Research suggests that these cells play a key role in preventing autoimmunity."
NEW_PROMISE = "Stem cell therapy cures lupus in 9 out of 10 patients."
# The checkable statements of the saved pages that claims.yml does not quote.
SHIPPED_UNCLAIMED = 4
FAST = PageSettings(pause=0.01, max_wait=5)


def pages_yml(urls):
    """A pages.yml for the two pages, with these urls (page id → url, "" for none)."""
    entries = "".join(
        f"  - id: {page_id}\n    title: {json.dumps(TITLES[page_id])}\n"
        f"    url: \"{urls.get(page_id, '')}\"\n    snapshot: site/{page_id}.txt\n"
        for page_id in PAGE_IDS
    )
    return "pages:\n" + entries


class Clinic:
    """The shipped claims in a database, and a pages.yml whose urls point at the local site."""

    def __init__(self, tmp_path, server):
        self.server = server
        self.db = tmp_path / "citations.db"
        self.pages = tmp_path / "pages.yml"
        shutil.copytree(PROJECT / "site", tmp_path / "site")
        self.pages.write_text(pages_yml({p: server.url(f"/{p}") for p in PAGE_IDS}))
        for page_id in PAGE_IDS:
            server.serve(f"/{page_id}", fixture_page(page_id))
        (tmp_path / "none.yml").write_text("searches: []\n")
        (tmp_path / "no-claims.yml").write_text("claims: []\n")
        self.no_searches, self.no_claims = tmp_path / "none.yml", tmp_path / "no-claims.yml"
        loaded = self.cli("claims", str(DEFAULT_CLAIMS))
        assert loaded.exit_code == 0, loaded.output

    def cli(self, *args):
        return CliRunner().invoke(main, [*args, "--db", str(self.db), "--pages", str(self.pages)])

    def watch(self, settings=FAST, sleep=None):
        """One nightly reading of every page, in this process; its results."""
        database = open_db(self.db)
        reader = PageReader(settings) if sleep is None else PageReader(settings, sleep=sleep)
        try:
            return {r["page"]: r for r in watch_pages(database, read_pages(self.pages), reader)}
        finally:
            database.close()

    def change(self, page_id, old, new):
        page = fixture_page(page_id)
        assert old in page
        self.server.serve(f"/{page_id}", page.replace(old, new))

    def claim(self, claim_id):
        return rows(self.db, "SELECT * FROM claim_page_status WHERE claim_id = ?", [claim_id])[0]

    def status(self):
        """`litref status` on the pages alone (no searches), as JSON, and its exit status."""
        result = CliRunner().invoke(main, [
            "status", "--db", str(self.db), "--pages", str(self.pages), "--json",
            "--searches", str(self.no_searches), "--claims", str(self.no_claims)])
        return result.exit_code, json.loads(result.output)


@pytest.fixture
def server():
    with SiteServer() as running:
        yield running


@pytest.fixture
def clinic(tmp_path, server):
    return Clinic(tmp_path, server)


# ------------------------------------------------------------ the HTML and its text


@pytest.mark.parametrize("page_id", PAGE_IDS)
def test_the_html_fixtures_show_exactly_the_saved_text(page_id):
    saved = (PROJECT / "site" / f"{page_id}.txt").read_text(encoding="utf-8")
    assert normal_text(visible_text(fixture_page(page_id).encode())) == normal_text(saved)


def test_visible_text_leaves_out_what_a_browser_does_not_show():
    html = ("<html><head><title>Head title</title><style>p {color: red}</style></head><body>"
            "<h1>Heading</h1><p>Shown &amp; kept.</p><script>var hidden = 1;</script>"
            "<p hidden>Hidden attribute.</p><p style='display: none'>Display none.</p>"
            "<noscript>Enable JavaScript.</noscript><template><p>Template.</p></template>"
            "<p>Second<br>line.</p></body></html>")
    assert normal_text(visible_text(html)) == "Heading\nShown & kept.\nSecond\nline."


def test_visible_text_honours_the_servers_charset():
    html = "<html><body><p>Lupus affects 90% of women’s</p></body></html>"
    assert "women’s" in visible_text(html.encode("cp1252"), "windows-1252")
    assert "women’s" in visible_text(html.encode("utf-8"), "no-such-charset")


# ------------------------------------------------------------ readings


def test_first_reading_keeps_the_text_and_finds_every_claim(clinic, server):
    results = clinic.watch()
    assert [results[p]["outcome"] for p in PAGE_IDS] == ["first", "first"]
    copies = rows(clinic.db, "SELECT page_id, source, text FROM page_snapshots ORDER BY id")
    assert [(c["page_id"], c["source"]) for c in copies] == [
        (p, server.url(f"/{p}")) for p in PAGE_IDS]
    states = rows(clinic.db, "SELECT page_state, count(*) AS n FROM claim_page_status GROUP BY 1")
    assert states == [{"page_state": "on-page", "n": 46}]
    statements = rows(clinic.db, "SELECT page_id, text FROM unclaimed_statements")
    assert len(statements) == SHIPPED_UNCLAIMED
    assert {s["text"] for s in statements} >= {
        "Stem cell therapy involves transfusing the cells into the systems of people with lupus."}


def test_reading_is_polite_one_request_at_a_time_naming_litref(clinic, server):
    clinic.watch(PageSettings(pause=0.3))
    assert [r["path"] for r in server.requests] == ["/robots.txt", f"/{BOON}", f"/{THERAPY}"]
    assert all(r["headers"]["User-Agent"] == USER_AGENT for r in server.requests)
    assert USER_AGENT.startswith("litref/")
    arrivals = [r["at"] for r in server.requests]
    assert all(later - earlier >= 0.29 for earlier, later in zip(arrivals, arrivals[1:]))


def test_an_unchanged_page_keeps_no_new_copy_and_is_asked_for_conditionally(clinic, server):
    clinic.watch()
    results = clinic.watch()
    assert [results[p]["outcome"] for p in PAGE_IDS] == ["unchanged", "unchanged"]
    assert len(rows(clinic.db, "SELECT id FROM page_snapshots")) == 2
    second = server.requests_for(f"/{BOON}")[-1]
    assert second["headers"]["If-None-Match"]  # answered 304 Not Modified
    checks = rows(clinic.db, "SELECT outcome, snapshot_id FROM page_checks WHERE page_id = ? "
                             "ORDER BY id", [BOON])
    assert [c["outcome"] for c in checks] == ["first", "unchanged"]
    assert checks[0]["snapshot_id"] == checks[1]["snapshot_id"]


def test_a_changed_figure_marks_the_claim_changed_with_the_nearest_passage(clinic):
    clinic.watch()
    first_seen = clinic.claim(WOMEN_CLAIM)["last_seen"]
    clinic.change(BOON, "90% of people with lupus", "85% of people with lupus")
    assert clinic.watch()[BOON]["outcome"] == "changed"
    claim = clinic.claim(WOMEN_CLAIM)
    assert claim["page_state"] == "changed"
    assert claim["last_seen"] == first_seen  # the last reading that had it
    assert claim["nearest_passage"] == ("The autoimmune condition affects primarily women -- "
                                        "in fact, 85% of people with lupus are women.")
    assert claim["similarity"] >= 90
    # both copies are kept: what the page said, and since when it says something else
    copies = rows(clinic.db, "SELECT text FROM page_snapshots WHERE page_id = ? ORDER BY id", [BOON])
    assert ["90% of" in c["text"] for c in copies] == [True, False]
    # every other claim is still on the page
    others = rows(clinic.db, "SELECT DISTINCT page_state FROM claim_page_status WHERE claim_id != ?",
                  [WOMEN_CLAIM])
    assert others == [{"page_state": "on-page"}]


def test_a_removed_sentence_marks_its_claim_gone(clinic):
    clinic.watch()
    clinic.change(BOON, AUTOIMMUNITY + " ", "")
    clinic.watch()
    claim = clinic.claim(AUTOIMMUNITY_CLAIM)
    assert claim["page_state"] == "vanished"
    assert claim["similarity"] < 80 and claim["last_seen"]


def test_a_new_promise_is_listed_as_an_unclaimed_statement(clinic):
    clinic.watch()
    clinic.change(THERAPY, "including Lupus.</p>", f"including Lupus. {NEW_PROMISE}</p>")
    clinic.watch()
    [new] = rows(clinic.db, "SELECT * FROM unclaimed_statements WHERE text = ?", [NEW_PROMISE])
    assert new["signals"] == "number,promise,treatment,disease"
    assert new["section"] == "(introduction)"
    # when it first appeared: the copy that first had it
    newest = rows(clinic.db, "SELECT max(taken_at) AS at FROM page_snapshots WHERE page_id = ?",
                  [THERAPY])[0]["at"]
    assert new["first_seen"] == newest


def test_status_reports_drift_and_new_statements_and_needs_a_person(clinic):
    clinic.watch()
    clinic.change(BOON, "90% of people with lupus", "85% of people with lupus")
    clinic.change(THERAPY, "including Lupus.</p>", f"including Lupus. {NEW_PROMISE}</p>")
    clinic.watch()
    code, report = clinic.status()
    assert code == 1 and report["needs_attention"]
    assert [(c["claim_id"], c["page_state"]) for c in report["drifted_claims"]] == [
        (WOMEN_CLAIM, "changed")]
    assert NEW_PROMISE in [s["text"] for s in report["unclaimed_statements"]]
    assert report["failed_pages"] == [] and report["stale_pages"] == []
    text = CliRunner().invoke(main, [
        "status", "--db", str(clinic.db), "--pages", str(clinic.pages),
        "--searches", str(clinic.no_searches), "--claims", str(clinic.no_claims)]).output
    assert "1 claim no longer on its page word for word" in text
    assert f"claim {WOMEN_CLAIM} (changed; last seen" in text
    assert "in fact, 85% of people with lupus are women." in text
    assert f'"{NEW_PROMISE}"' in text


def test_status_is_well_once_every_statement_is_decided(clinic):
    clinic.watch()
    database = open_db(clinic.db)
    for statement in rows(clinic.db, "SELECT page_id, text FROM unclaimed_statements"):
        database.execute(
            "INSERT INTO claim_log (action, page_id, text, note, reviewer, logged_at) "
            "VALUES ('not-a-claim', ?, ?, 'Biography or description', 'alice', '2026-01-01')",
            [statement["page_id"], statement["text"]])
    database.conn.commit()
    code, report = clinic.status()
    assert (code, report["needs_attention"]) == (0, False)
    assert [p["page_id"] for p in report["pages"]] == list(PAGE_IDS)


# ------------------------------------------------------------ pages that cannot be read


def test_a_page_that_cannot_be_read_fails_alone_and_keeps_its_claims(clinic, server):
    clinic.watch()
    server.fail(f"/{BOON}", 500, times=2)
    clinic.change(THERAPY, "including Lupus.</p>", f"including Lupus. {NEW_PROMISE}</p>")
    results = clinic.watch()
    assert results[BOON]["outcome"] == "failed"
    assert "500" in results[BOON]["error"] and "tried 2 times" in results[BOON]["error"]
    assert results[THERAPY]["outcome"] == "changed"  # the other page was still read
    states = rows(clinic.db, "SELECT page_state, count(*) AS n FROM claim_page_status "
                             "WHERE page_id = ? GROUP BY 1", [BOON])
    assert states == [{"page_state": "on-page", "n": 35}]  # never "gone" for a failed reading
    code, report = clinic.status()
    assert code == 1 and report["failed_pages"] == [BOON]


def test_the_command_says_which_page_failed_and_exits_1(clinic, server):
    server.fail(f"/{THERAPY}", 404)
    result = clinic.cli("pages")
    assert result.exit_code == 1
    assert f"{THERAPY}: could not be read ({server.url('/' + THERAPY)})" in result.output
    assert "404" in result.output and "check the page's url in pages.yml" in result.output
    assert f"{BOON}: first" in result.output and "35 claims: 35 on the page" in result.output
    quiet = clinic.cli("pages", "--quiet")
    assert quiet.exit_code == 0 and quiet.output == ""


def test_busy_server_is_waited_for_as_it_asks(clinic, server):
    waits = []
    server.fail(f"/{BOON}", 503, headers={"Retry-After": "3"})
    results = clinic.watch(sleep=waits.append)
    assert results[BOON]["outcome"] == "first"
    assert 3 in waits
    server.fail(f"/{THERAPY}", 429, headers={"Retry-After": "600"})
    results = clinic.watch(sleep=waits.append)
    assert results[THERAPY]["outcome"] == "failed"
    assert "asked litref to wait 600 s" in results[THERAPY]["error"]


def test_robots_txt_is_honoured(clinic, server):
    server.robots = "User-agent: *\nDisallow: /private\n\nUser-agent: litref\nDisallow: /stem-cell-therapy\n"
    results = clinic.watch()
    assert results[BOON]["outcome"] == "first"
    assert results[THERAPY]["outcome"] == "failed"
    assert "robots.txt does not allow litref" in results[THERAPY]["error"]
    assert server.requests_for(f"/{THERAPY}") == []


def test_unreachable_site_and_non_html_answers_fail_with_a_reason(clinic, server, tmp_path):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    server.serve(f"/{BOON}", "just text", content_type="text/plain")
    clinic.pages.write_text(pages_yml({BOON: server.url(f"/{BOON}"),
                                       THERAPY: f"http://127.0.0.1:{closed}/{THERAPY}"}))
    results = clinic.watch()
    assert "is not a web page (the server says text/plain)" in results[BOON]["error"]
    assert "robots.txt could not be read" in results[THERAPY]["error"]
    assert "Connection refused" in results[THERAPY]["error"]


def test_an_empty_url_reads_the_saved_copy(clinic, server):
    clinic.pages.write_text(pages_yml({BOON: server.url(f"/{BOON}")}))
    results = clinic.watch()
    assert results[THERAPY]["source"] == f"site/{THERAPY}.txt"
    assert results[THERAPY]["outcome"] == "first"
    assert server.requests_for(f"/{THERAPY}") == []


# ------------------------------------------------------------ pages.yml


BAD_PAGES = [
    ("pages:\n  - id: a\n    title: A\n    url: ftp://example.org/a\n",
     "line 2: url 'ftp://example.org/a' is not a web address"),
    ("pages:\n  - id: a\n    title: A\n    snapshot: site/missing.txt\n",
     "line 2: snapshot 'site/missing.txt' is not a file"),
    ("pages:\n  - id: a\n    title: A\n", "line 2: the page has neither a url nor a snapshot"),
    ("pages:\n  - id: a\n    url: https://example.org/a\n", "line 2: the entry has no 'title'"),
    ("pages:\n  - id: a\n    title: A\n    url: https://example.org/a\n    adress: x\n",
     "line 5: unknown key 'adress'; allowed keys are id, snapshot, title, url."),
    ("pages:\n  - id: a\n    title: A\n    url: https://example.org/a\n"
     "  - id: a\n    title: B\n    url: https://example.org/b\n", "line 5: id 'a' is used twice"),
]


@pytest.mark.parametrize(("text", "message"), BAD_PAGES)
def test_a_mistake_in_pages_yml_names_the_line_and_stops_with_2(tmp_path, text, message):
    path = tmp_path / "pages.yml"
    path.write_text(text)
    with pytest.raises(ConfigFileError, match=message):
        read_pages(path)
    result = CliRunner().invoke(main, ["pages", "--pages", str(path), "--db", str(tmp_path / "c.db")])
    assert result.exit_code == 2 and f"{path} {message}" in result.output
    assert not (tmp_path / "c.db").exists()


def test_claims_must_name_a_page_of_pages_yml(clinic, tmp_path):
    clinic.pages.write_text(pages_yml({}).split("  - id: stem-cell-therapy")[0])  # one page left
    result = clinic.cli("claims", str(DEFAULT_CLAIMS))
    assert result.exit_code == 2
    assert "page 'stem-cell-therapy-for-lupus' is not in the pages file" in result.output


def test_the_shipped_pages_and_their_saved_copies_stand_alone():
    pages = read_pages(DEFAULT_PAGES)
    assert [page["id"] for page in pages] == list(PAGE_IDS)
    assert all(page["snapshot_path"].is_relative_to(PROJECT) for page in pages)
