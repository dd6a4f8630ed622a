"""Writes benchmark: staff writing in Datasette while litref imports and fetches,
at 1,000,000 citations.

    make bench-writes                                    # 1,000,000 citations
    .venv/bin/python bench/writes_bench.py --size 200000

On a fresh copy of the serve benchmark's synthetic database (synthetic.py),
served by the real `litref serve` with a signed-in reviewer, three phases run:
the reviewer alone (the baseline), `litref import` of the real update file, and
`litref fetch` of a search against the local E-utilities server followed by the
text-match refresh. Throughout, the reviewer links or unlinks a citation every
250 ms through Datasette's write path, and a probe tries to take the write lock
every PROBE_INTERVAL, reading who holds it when it cannot, to time each litref
transaction and the longest stretch nobody else could write.
See README.md.
"""

import argparse
import gzip
import json
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from contextlib import closing, contextmanager
from datetime import datetime
from pathlib import Path

from lxml import etree

from import_bench import PROJECT, WORK, ensure_data, print_targets, run_child
from serve_bench import litref_server
from staff import Reviewer, new_account
from synthetic import ensure_database

from litref.db.database import open_db
from litref.clock import utc_now
from litref.db.candidates import refresh_claims
from litref.db.writing import holder_path

SIZE = 1_000_000
STAFF_EVERY = 0.25  # seconds between a reviewer's writes
PROBE_INTERVAL = 0.002
IDLE_SECONDS = 5
FETCH_RECORDS = 5000
FETCH_FIRST_PMID = 100_000_000  # above the synthetic database's PMIDs (99,000,000 + 1,000,000)
FETCH_QUERY = "synthetic benchmark fetch"
LONGEST_HOLD_TARGET = 0.5
# A phase still running after this is stopped: the claims' candidates (db/candidates.py) can
# take far longer than the writes measured here at 1,000,000 citations.
PHASE_LIMIT = 600
LITREF = Path(sys.executable).parent / "litref"


class LockProbe(threading.Thread):
    """Tries to take the write lock every PROBE_INTERVAL, and reads who holds it when it cannot.

    ``holds``: how long each litref transaction held the lock, from the start it
    records in ``<database>-writer`` (db/writing.py) to the moment the probe sees
    the lock free or another transaction recorded. ``stretches``: how long the
    lock stayed taken without a break (back-to-back transactions of any writer
    count as one): the longest anyone could have had to wait.
    """

    def __init__(self, path):
        super().__init__(daemon=True)
        self.path, self.stop = path, threading.Event()
        self.holds, self.stretches = [], []

    def run(self):
        holder_file = holder_path(self.path)
        with closing(sqlite3.connect(self.path, timeout=0, isolation_level=None)) as conn:
            busy_since = transaction = None  # transaction: (its record, when it began)
            while not self.stop.is_set():
                now = time.time()
                if self._free(conn):
                    if transaction:
                        self.holds.append(now - transaction[1])
                    if busy_since is not None:
                        self.stretches.append(now - busy_since)
                    busy_since = transaction = None
                else:
                    busy_since = now if busy_since is None else busy_since
                    record = _holder_record(holder_file)
                    if record and (transaction is None or record != transaction[0]):
                        if transaction:
                            self.holds.append(now - transaction[1])
                        transaction = (record, datetime.fromisoformat(record["since"]).timestamp())
                time.sleep(PROBE_INTERVAL)

    @staticmethod
    def _free(conn):
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return False
        conn.execute("ROLLBACK")
        return True


def _holder_record(path):
    try:
        return json.loads(path.read_bytes() or b"null")
    except (OSError, ValueError):
        return None


class StaffWriter(threading.Thread):
    """A reviewer linking and unlinking one citation every STAFF_EVERY seconds."""

    def __init__(self, reviewer, database, claim_id, pmid, linked):
        super().__init__(daemon=True)
        self.reviewer, self.database = reviewer, database
        self.fields = {"claim_id": claim_id, "pmid": str(pmid), "stance": "context", "study_design": "",
                       "subjects": "", "note": "benchmark: written while litref works"}
        self.stop, self.results, self.linked = threading.Event(), [], linked

    def run(self):
        while not self.stop.is_set():
            started = time.monotonic()
            query = "remove_link" if self.linked else "link_citation"
            ms, ok, message = self.reviewer.curate(self.database, query, self.fields)
            self.linked ^= ok
            self.results.append({"ms": ms, "ok": ok, "message": message})
            self.stop.wait(max(0.0, STAFF_EVERY - (time.monotonic() - started)))


@contextmanager
def watched(db_path, reviewer, database, pick):
    """Probe and reviewer running for the ``with`` block; yields them, stopped afterwards."""
    probe, writer = LockProbe(db_path), StaffWriter(reviewer, database, *pick, is_linked(db_path, *pick))
    probe.start()
    writer.start()
    try:
        yield probe, writer
    finally:
        for thread in (writer, probe):
            thread.stop.set()
            thread.join()


def working_copy(size):
    """A fresh copy of the cached synthetic database, upgraded like a clinic's would be."""
    cached = ensure_database(size)["path"]
    started = time.perf_counter()
    with closing(open_db(cached)) as db:  # migrations a new litref brings (the copy then needs none)
        work_out_stale_candidates(db)
    print(f"  upgraded {cached.name} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    copy = WORK / f"writes-{size}.db"
    remove_database(copy)
    shutil.copyfile(cached, copy)
    return copy


def work_out_stale_candidates(db):
    """What the first litref command after an upgrade does before anything else: work out
    the candidates of every claim whose query they were not worked out for (all of
    them, after the upgrade that brought candidates from claim queries). Done once on
    the cached database, so each run's copy starts current and the import measured is
    the import alone."""
    started = time.perf_counter()
    refresh_claims(db, now=utc_now())
    print(f"  claims' candidates worked out in {time.perf_counter() - started:.1f} s", file=sys.stderr)


def remove_database(path):
    for stale in path.parent.glob(path.name + "*"):  # the -wal, -shm and -writer files too
        stale.unlink()


def staff_pick(path):
    """A claim and a stored citation not linked to it: what the reviewer links and unlinks."""
    with closing(sqlite3.connect(path)) as conn:
        claim_id = conn.execute("SELECT id FROM claims WHERE archived_at IS NULL ORDER BY position").fetchone()[0]
        pmid = conn.execute(
            "SELECT pmid FROM citations WHERE pmid NOT IN (SELECT pmid FROM claim_evidence WHERE claim_id = ?) "
            "ORDER BY pmid LIMIT 1", [claim_id]).fetchone()[0]
    return claim_id, pmid


def is_linked(path, claim_id, pmid):
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT 1 FROM claim_evidence WHERE claim_id = ? AND pmid = ?",
                            [claim_id, pmid]).fetchone() is not None


def run_command(argv, env=None):
    """(seconds, note) of a litref command: its exit status and last line, or that the
    benchmark stopped it after PHASE_LIMIT seconds."""
    started = time.perf_counter()
    command = subprocess.Popen([str(LITREF), *argv], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True, cwd=PROJECT, env={**os.environ, **(env or {})})
    try:
        _, stderr = command.communicate(timeout=PHASE_LIMIT)
    except subprocess.TimeoutExpired:
        # Ctrl-C; a long SQLite read does not notice it until it ends, so then kill it.
        command.send_signal(signal.SIGINT)
        try:
            command.wait(timeout=15)
        except subprocess.TimeoutExpired:
            command.kill()
        _, stderr = command.communicate()
        return time.perf_counter() - started, f"stopped after {PHASE_LIMIT} s: {_last_line(stderr)}"
    return time.perf_counter() - started, f"exit {command.returncode}: {_last_line(stderr)}"


def _last_line(text):
    lines = text.strip().splitlines()
    return lines[-1] if lines else ""


@contextmanager
def local_pubmed():
    """The tests' E-utilities server with FETCH_RECORDS synthetic records for FETCH_QUERY."""
    sys.path.insert(0, str(PROJECT))
    from tests.eutils_server import FakeEutils, synthetic_article

    import datetime as dt

    articles = [synthetic_article(FETCH_FIRST_PMID + n, edat=dt.date(2026, 1, 1)) for n in range(FETCH_RECORDS)]
    with FakeEutils(articles, queries={FETCH_QUERY: [a.pmid for a in articles]}) as server:
        yield {"LITREF_EUTILS_URL": server.base_url, "NCBI_EMAIL": "benchmark@example.org",
               "NCBI_API_KEY": "benchmark", "LITREF_RATE_FILE": str(WORK / "writes-rate")}


def count(path, where):
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(f"SELECT count(*) FROM citations WHERE {where}").fetchone()[0]


def distinct_records(path):
    """How many PMIDs the update file holds (a few come in several versions)."""
    pmids = set()
    with gzip.open(path) as stream:
        for _, citation in etree.iterparse(stream, tag="MedlineCitation"):
            pmids.add(citation.findtext("PMID"))
            citation.clear()
    return len(pmids)


def phase(name, seconds, probe, writer, note="", stored=None, expected=None):
    results = writer.results
    timings = sorted(r["ms"] for r in results)
    return {
        "phase": name, "seconds": seconds, "writes": len(results),
        "failed": [r["message"] for r in results if not r["ok"]],
        "median_ms": statistics.median(timings) if timings else None,
        "p95_ms": timings[max(0, -(-len(timings) * 95 // 100) - 1)] if timings else None,
        "max_ms": timings[-1] if timings else None,
        "longest_hold": max(probe.holds, default=0.0), "transactions": len(probe.holds),
        "longest_stretch": max(probe.stretches, default=0.0), "note": note,
        "top_holds": sorted(probe.holds, reverse=True)[:5], "stored": stored, "expected": expected,
    }


def run(size):
    data = ensure_data()
    parser = run_child("pubmed_parser.parse_medline_xml (baseline)", "pubmed_parser", data)
    db_path = working_copy(size)
    pick = staff_pick(db_path)
    password, account = new_account()
    searches = WORK / "writes-searches.yml"
    searches.write_text(f"searches:\n  - name: bench-fetch\n    query: {FETCH_QUERY}\n")
    phases = []
    with litref_server(db_path, account) as port:
        reviewer = Reviewer(port).sign_in(password)
        database = db_path.stem
        print("  reviewer alone...", file=sys.stderr, flush=True)
        with watched(db_path, reviewer, database, pick) as (probe, writer):
            time.sleep(IDLE_SECONDS)
        phases.append(phase("reviewer alone (baseline)", IDLE_SECONDS, probe, writer))
        print("  litref import of the real update file...", file=sys.stderr, flush=True)
        with watched(db_path, reviewer, database, pick) as (probe, writer):
            seconds, note = run_command(["import", "--db", str(db_path), str(data)])
        phases.append(phase("litref import", seconds, probe, writer, note,
                            stored=count(db_path, "pmid < 99000000"), expected=distinct_records(data)))
        print("  litref fetch against the local E-utilities server...", file=sys.stderr, flush=True)
        with local_pubmed() as env, watched(db_path, reviewer, database, pick) as (probe, writer):
            seconds, note = run_command(
                ["fetch", "--db", str(db_path), "--searches", str(searches), "--search", "bench-fetch"], env)
        phases.append(phase("litref fetch", seconds, probe, writer, note,
                            stored=count(db_path, f"pmid >= {FETCH_FIRST_PMID}"), expected=FETCH_RECORDS))
        reviewer.close()
    remove_database(db_path)
    return parser, phases


def report(size, parser, phases):
    print(f"\nStaff writes beside litref's at {size:,} citations (one every {STAFF_EVERY:g} s)\n")
    print(f"{'phase':<34} {'seconds':>7} {'writes':>6} {'failed':>6} {'median ms':>9} {'p95 ms':>8} "
          f"{'max ms':>8} {'litref tx':>9} {'longest tx s':>12} {'longest taken s':>15}")
    for p in phases:
        print(f"{p['phase']:<34} {p['seconds']:>7.1f} {p['writes']:>6} {len(p['failed']):>6} "
              f"{p['median_ms']:>9.1f} {p['p95_ms']:>8.1f} {p['max_ms']:>8.1f} {p['transactions']:>9} "
              f"{p['longest_hold']:>12.3f} {p['longest_stretch']:>15.3f}")
    for p in phases:
        if p["note"]:
            print(f"  {p['phase']}: {p['note']}")
        if p["transactions"]:
            print(f"  {p['phase']}: longest litref transactions (s): "
                  + ", ".join(f"{hold:.3f}" for hold in p["top_holds"]))
        for message in sorted(set(p["failed"])):
            print(f"  {p['phase']}: a staff write failed: {message}")
    baseline = phases[0]
    print("\nratios against the baseline measured in this run:")
    for p in phases[1:]:
        print(f"  {p['phase']}: staff write median {p['median_ms'] / baseline['median_ms']:.2f}x, "
              f"p95 {p['p95_ms'] / baseline['median_ms']:.2f}x the reviewer alone's median; "
              f"longest hold {p['longest_hold'] / LONGEST_HOLD_TARGET:.2f}x the target")
    importing = phases[1]
    if "error" not in parser:
        print(f"  litref import at {size:,} citations (with the reviewer and the probe): "
              f"{parser['seconds'] / importing['seconds']:.2f}x pubmed_parser's parse-only speed "
              f"({parser['seconds']:.1f} s; `make bench` holds the 1.0x target on a fresh database)")
    rows = [
        (f"[{p['phase']}] longest hold s < {LONGEST_HOLD_TARGET:g}", f"{p['longest_hold']:.3f}",
         p["longest_hold"] < LONGEST_HOLD_TARGET) for p in phases[1:]
    ]
    rows.append(("failed staff writes (all phases) = 0", str(sum(len(p["failed"]) for p in phases)),
                 all(not p["failed"] for p in phases)))
    rows += [(f"[{p['phase']}] every record stored ({p['expected']:,})", f"{p['stored']:,}",
              p["stored"] == p["expected"]) for p in phases[1:]]
    print_targets(rows)
    return 0 if all(passed for _, _, passed in rows) else 1


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=SIZE, help=f"citations (default {SIZE:,})")
    args = parser.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    baseline, phases = run(args.size)
    return report(args.size, baseline, phases)


if __name__ == "__main__":
    sys.exit(main())
