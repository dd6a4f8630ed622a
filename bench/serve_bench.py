"""Serve benchmark: the staff pages at 200,000 and 1,000,000 synthetic citations.

    make bench-serve                                       # both sizes
    .venv/bin/python bench/serve_bench.py --sizes 200000   # one size
    .venv/bin/python bench/serve_bench.py --requests 40    # more requests per endpoint

Per size: the cached synthetic database (synthetic.py; generated when missing
or outdated: ~2 minutes for 200,000, ~20 for 1,000,000), brought up to date by
``db.open_db`` like any database after an upgrade, then served by the real
``litref serve`` in a child process. After a warm-up, every endpoint in
ENDPOINTS is requested REQUESTS times, each time with another claim, PMID or
search, one request at a time. See README.md.
"""

import argparse
import http.client
import itertools
import json
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

from litref.db.candidates import refresh_claims
from litref.db.database import open_db
from litref.db.statistics import refresh_planner_statistics
from import_bench import PROJECT, WORK, print_targets
from staff import Reviewer, new_account
from synthetic import FIRST_PMID, NOW, check_schema, ensure_database, iso

SIZES = (200_000, 1_000_000)
REQUESTS = 20
WARM_UP = 3  # requests per endpoint before measuring: first use of each query and page
START_TIMEOUT = 120  # seconds for `litref serve` to answer
READ_CHUNK = 16 * 1024 * 1024
REQUEST_TIMEOUT = 120
# What staff type: topical phrases; at 1,000,000 they match from 0.03% ("regulatory T
# cells") to 4% ("stem cells", "lupus") of the records.
SEARCH_TERMS = [
    "lupus nephritis", "mesenchymal stem cells", "glucocorticoid", "prevalence women",
    "hydroxychloroquine", "autologous hematopoietic stem cell transplantation", "cyclophosphamide",
    "regulatory T cells", "knee osteoarthritis", "chronic pain", "fibromyalgia", "belimumab",
    "umbilical cord", "proteinuria", "SLE flare", "bone marrow", "mycophenolate",
    "quality of life", "cardiovascular risk", "stem cells", "inflammation", "lupus",
]


# MeSH headings as staff would type them (the synthetic records' topical headings):
# at 1,000,000 each is on 2,000 to 40,000 records.
MESH_TERMS = [
    "lupus erythematosus, systemic", "Lupus Nephritis", "mesenchymal stem cells",
    "Hematopoietic Stem Cell Transplantation", "fibromyalgia", "Parkinson Disease",
    "Hydroxychloroquine", "Osteoarthritis, Knee", "Chronic Pain", "T-Lymphocytes, Regulatory",
]
SAMPLED = 40  # authors and journals, each of a random record


class Picks:
    """A different claim, PMID, author, journal or search term for each request, the
    same in every run."""

    def __init__(self, database_name, size, claim_ids, samples):
        self.db, self.size, self.claim_ids = database_name, size, claim_ids
        self.samples = samples
        self.random = random.Random(7)
        self.in_order = itertools.cycle(claim_ids)
        # The synthetic fetches end at synthetic.NOW: "what changed" looks back that far.
        self.days_back = (datetime.now(timezone.utc) - NOW).days + 7

    def claim(self):
        return quote(self.random.choice(self.claim_ids), safe="")

    def next_claim(self):
        return quote(next(self.in_order), safe="")

    def pmid(self):
        return FIRST_PMID + self.random.randrange(self.size)

    def term(self):
        return quote(self.random.choice(SEARCH_TERMS))

    def author(self):
        return quote(self.random.choice(self.samples["authors"]))

    def journal(self):
        return quote(self.random.choice(self.samples["journals"]))

    def mesh(self):
        return quote(self.random.choice(MESH_TERMS))

    def doi(self):
        return quote(f"https://doi.org/10.5555/synthetic.{self.pmid()}")

    def year(self):
        return self.random.randint(1990, 2026)


@dataclass
class Endpoint:
    name: str
    path: object  # Picks -> path
    target_ms: float = None  # p95 at 1,000,000 citations; None: measured, no target
    has_facets: bool = False  # a Datasette table page: its .json says which facets timed out
    signed_in: bool = False  # a reviewer's view: the forms to link, assess and dismiss
    first_visits: bool = False  # no warm-up: one request per claim, the first since the start


ENDPOINTS = [
    Endpoint("/-/versions.json (baseline)", lambda p: "/-/versions.json"),
    # Before anything else reads the claims' candidates: each claim's pages may
    # have left the OS cache (after a restart, or at 1,000,000 citations).
    Endpoint("claim page, first visit", lambda p: f"/claim/{p.next_claim()}", first_visits=True),
    Endpoint("Datasette row page", lambda p: f"/{p.db}/citations/{p.pmid()}"),
    Endpoint("home page", lambda p: "/"),
    Endpoint("claim page", lambda p: f"/claim/{p.claim()}", 100, signed_in=True),  # as reviewers see it
    Endpoint("citation page", lambda p: f"/citation/{p.pmid()}", 100),
    Endpoint("ranked search (canned)", lambda p: f"/{p.db}/literature_search?q={p.term()}", 200),
    Endpoint("table search + facets", lambda p: f"/{p.db}/citations?_search={p.term()}", 500,
             has_facets=True),
    # What the facets cost.
    Endpoint("  table search, no facets", lambda p: f"/{p.db}/citations?_search={p.term()}&_nofacet=1"),
    Endpoint("claims_overview (canned)", lambda p: f"/{p.db}/claims_overview"),
    Endpoint("claims_without_support (canned)", lambda p: f"/{p.db}/claims_without_support"),
    Endpoint("claims_with_new_evidence (canned)", lambda p: f"/{p.db}/claims_with_new_evidence"),
    Endpoint("citations_since_last_fetch (canned)", lambda p: f"/{p.db}/citations_since_last_fetch"),
    Endpoint("msc_trials_and_meta_analyses (canned)",
             lambda p: f"/{p.db}/msc_trials_and_meta_analyses"),
    Endpoint("claim_status table", lambda p: f"/{p.db}/claim_status", has_facets=True),
    Endpoint("claim's candidates (table)",
             lambda p: f"/{p.db}/claim_candidates?claim_id={p.claim()}&_sort_desc=arrived",
             has_facets=True),
    Endpoint("claim feed (atom)", lambda p: f"/{p.db}/feed_claim.atom?claim_id={p.claim()}"),
    # The staff pages (web/plugins/lists.py): the search box takes what PubMed users type.
    Endpoint("search: words", lambda p: f"/search?q={p.term()}", 200),
    Endpoint("search: words, newest first", lambda p: f"/search?q={p.term()}&sort=date", 200),
    Endpoint("search: author (Surname I)", lambda p: f"/search?q={p.author()}", 200),
    Endpoint("search: journal", lambda p: f"/search?q={p.journal()}", 200),
    Endpoint("search: MeSH term", lambda p: f"/search?q={p.mesh()}", 200),
    Endpoint("search: pasted PMID", lambda p: f"/search?q=PMID%3A+{p.pmid()}", 200),
    Endpoint("search: DOI address", lambda p: f"/search?q={p.doi()}", 200),
    Endpoint("every citation (list page)", lambda p: "/search", 200),
    Endpoint("every citation of one year", lambda p: f"/search?year={p.year()}", 200),
    Endpoint("review queue", lambda p: "/review", signed_in=True),
    Endpoint("claims list", lambda p: "/claims", 200),
    Endpoint("claims list, filtered", lambda p: "/claims?status=unreviewed&sort=page", 200),
    Endpoint("what changed (last fetch's week)", lambda p: f"/changes?days={p.days_back}", 200),
    Endpoint("fetches in words", lambda p: f"/fetches?days={p.days_back + 23}", 200),
]


# --- the database -------------------------------------------------------------


def prepare(size):
    """The database of ``size`` citations, up to date; its facts for the report."""
    info = ensure_database(size)
    path = info["path"]
    start = time.perf_counter()
    with closing(open_db(path)) as db:  # what `litref serve` does first; slow only after an upgrade
        info["upgrade_seconds"] = time.perf_counter() - start
        start = time.perf_counter()
        refresh_claims(db, now=iso(NOW))  # claims whose candidates are stale, as the next fetch does
        info["candidates_seconds"] = time.perf_counter() - start
        refresh_planner_statistics(db)  # as every import and fetch ends
    check_schema(path)
    for backup in WORK.glob(path.name + ".*.bak"):  # taken before a migration; not wanted here
        backup.unlink()
    with closing(sqlite3.connect(path)) as conn:
        info["rows"] = {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                        for table in ("citations", "citation_authors", "citation_mesh",
                                      "search_hits", "claim_evidence", "claim_matches")}
        info["claim_ids"] = [row[0] for row in conn.execute(
            "SELECT id FROM claims WHERE archived_at IS NULL ORDER BY position")]
        info["samples"] = sample_names(conn, size)
    info["bytes"] = path.stat().st_size
    return info


def sample_names(conn, size):
    """First authors ("Surname I") and journal abbreviations of SAMPLED random records."""
    pick = random.Random(11)
    pmids = [FIRST_PMID + pick.randrange(size) for _ in range(SAMPLED)]
    return {
        "authors": [conn.execute("SELECT last_name || ' ' || initials FROM citation_authors "
                                 "WHERE pmid = ? AND position = 1", [p]).fetchone()[0] for p in pmids],
        "journals": [conn.execute("SELECT journal_iso FROM citations WHERE pmid = ?",
                                  [p]).fetchone()[0] for p in pmids],
    }


def read_through(path):
    """Read the whole file once, so the OS has it in memory as on a server in use.

    Measured here: the OS page cache of this machine shrinks by itself (1.4 GB
    to 0.85 GB in 30 s with 23 GB free), so without this the pages that read
    thousands of rows at 1,000,000 citations time the disk instead.
    """
    with open(path, "rb") as file:
        while file.read(READ_CHUNK):
            pass


# --- the server ---------------------------------------------------------------


def free_port():
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def served(path):
    """`litref serve --db PATH` on a free port; yields (port, cookie of a signed-in reviewer)."""
    password, account = new_account()
    with litref_server(path, account) as port:
        reviewer = Reviewer(port).sign_in(password)  # litref accepts only sessions it started
        reviewer.close()
        yield port, reviewer.cookie_header()


@contextmanager
def litref_server(path, env):
    """`litref serve --db PATH` on a free port, with more environment variables; yields the port."""
    port = free_port()
    log_path = WORK / f"{path.stem}.log"  # serve-200000.log: the server's output
    log = open(log_path, "w")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "litref"), "serve", "--db", str(path), "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, cwd=PROJECT, env={**os.environ, **env},
    )
    try:
        _wait_until_up(server, port, log_path)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _wait_until_up(server, port, log_path):
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"litref serve exited {server.returncode}: see {log_path}")
        try:
            with closing(socket.create_connection(("127.0.0.1", port), timeout=1)):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"litref serve did not answer within {START_TIMEOUT} s")


# --- requests -----------------------------------------------------------------


def get(conn, path, headers=None):
    """(milliseconds, status, body) of one GET on a kept-alive connection."""
    start = time.perf_counter()
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    body = response.read()
    return (time.perf_counter() - start) * 1000, response.status, body


def measure(server, endpoint, picks, requests):
    """Latencies (ms) of ``requests`` GETs, each with other picks; errors by status."""
    port, cookie = server
    headers = {"Cookie": cookie} if endpoint.signed_in else {}
    warm_up, requests = (0, len(picks.claim_ids)) if endpoint.first_visits else (WARM_UP, requests)
    with closing(http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)) as conn:
        for _ in range(warm_up):
            get(conn, endpoint.path(picks), headers)
        timings, errors = [], {}
        for _ in range(requests):
            path = endpoint.path(picks)
            ms, status, _ = get(conn, path, headers)
            timings.append(ms)
            if status >= 400:
                errors.setdefault(status, path)
    return {"endpoint": endpoint, "timings": timings, "errors": errors}


def facets_timed_out(server, endpoint, picks, requests):
    """{facet: times timed out} over ``requests`` of the page's .json (silent in the HTML)."""
    port, _ = server
    counts = {}
    with closing(http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)) as conn:
        for _ in range(requests):
            base, _, query = endpoint.path(picks).partition("?")
            _, status, body = get(conn, f"{base}.json?{query}")
            for facet in json.loads(body).get("facets_timed_out", []) if status == 200 else ["(error)"]:
                counts[facet] = counts.get(facet, 0) + 1
    return counts


def p95(values):
    """Nearest-rank 95th percentile: with 20 requests, the second slowest."""
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * 95 // 100) - 1)]


# --- the report ---------------------------------------------------------------


def print_database(size, info):
    gb = info["bytes"] / 1e9
    how = "generated now" if info["generated"] else "cached"
    print(f"\n=== {size:,} citations: {info['path'].name}, {gb:.2f} GB, generation "
          f"{info['seconds']:.0f} s ({how}), schema upgrade {info['upgrade_seconds']:.1f} s, "
          f"stale candidates worked out {info['candidates_seconds']:.1f} s")
    print("    rows: " + ", ".join(f"{t} {n:,}" for t, n in info["rows"].items()))


def print_latencies(results):
    baseline = statistics.median(results[0]["timings"])
    print(f"\n{'endpoint':<40} {'n':>3} {'median ms':>10} {'p95 ms':>8} {'x baseline':>10}  errors")
    for result in results:
        timings = result["timings"]
        median = statistics.median(timings)
        errors = ", ".join(f"{status} ({path})" for status, path in result["errors"].items())
        print(f"{result['endpoint'].name:<40} {len(timings):>3} {median:>10.1f} "
              f"{p95(timings):>8.1f} {median / baseline:>10.1f}  {errors or '-'}")


def target_rows(results):
    """(name, value, passed) for every endpoint with a target: p95 under it, no errors."""
    rows = []
    for result in results:
        target = result["endpoint"].target_ms
        if target is None:
            continue
        value = p95(result["timings"])
        passed = value < target and not result["errors"]
        rows.append((f"{result['endpoint'].name} p95 ms < {target:g}", f"{value:.1f}", passed))
    return rows


def print_facet_timeouts(timeouts):
    for name, counts in timeouts.items():
        told = ", ".join(f"{facet} {n}x" for facet, n in counts.items()) or "none"
        print(f"  facets timed out on {name}: {told}")


# --- the run --------------------------------------------------------------------


def run_size(size, requests, cold):
    """Measure one size; returns the target rows."""
    info = prepare(size)
    print_database(size, info)
    if not cold:
        read_through(info["path"])
    picks = Picks(info["path"].stem, size, info["claim_ids"], info["samples"])
    with served(info["path"]) as server:
        results = [measure(server, endpoint, picks, requests) for endpoint in ENDPOINTS]
        timeouts = {e.name: facets_timed_out(server, e, picks, requests) for e in ENDPOINTS if e.has_facets}
    print_latencies(results)
    print_facet_timeouts(timeouts)
    rows = [(f"[{size:,}] {name}", value, passed) for name, value, passed in target_rows(results)]
    print_targets(rows)
    return rows


def watched_files():
    """Code and configuration the server runs: others may edit them during the run."""
    paths = [p for d in ("fetch", "db", "litref", "web", "web/plugins") for p in (PROJECT / d).glob("*.py")]
    paths += [PROJECT / "metadata.json", *(PROJECT / "web" / "templates").glob("*.html")]
    return {p: p.stat().st_mtime for p in paths if p.exists()}


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)),
                        help="comma-separated numbers of citations (default: %(default)s)")
    parser.add_argument("--requests", type=int, default=REQUESTS,
                        help="measured requests per endpoint (default: %(default)s)")
    parser.add_argument("--cold", action="store_true",
                        help="do not read the database file through before serving it")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    stamps = watched_files()
    print(f"load average at start: {os.getloadavg()[0]:.2f} (2 cores shared with other work)")
    rows = [row for size in sizes for row in run_size(size, args.requests, args.cold)]
    print(f"\nload average at end: {os.getloadavg()[0]:.2f}")
    if watched_files() != stamps:
        print("WARNING: code, templates or metadata.json changed during the run: run it again.")
    print("Targets are for 1,000,000 citations; smaller sizes are held to them too.")
    return 0 if all(passed for _, _, passed in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
