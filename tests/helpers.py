"""Plain helpers the test files share (their fixtures are in conftest.py)."""

import contextlib
import datetime as dt
import io
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from click.testing import CliRunner

from litref.cli import main
from litref.db.candidates import refresh_claims, refresh_for_citations
from litref.db.citations import save_records
from litref.fetch import pubmed_xml
from tests.eutils_server import synthetic_article

# The local E-utilities server's search (fixture ``server``): seven records.
ARTICLES = [synthetic_article(99000000 + n, edat=dt.date(2020, 1, n)) for n in range(1, 8)]
PMIDS = [a.pmid for a in ARTICLES]
QUERY = '"Lupus Erythematosus, Systemic"[Mesh] AND "Mesenchymal Stem Cells"[Mesh]'
# Two more for a second run; with BATCH records a batch, nine make three batches.
MORE = [synthetic_article(99000100 + n, edat=dt.date(2021, 2, n)) for n in range(1, 3)]
ALL_PMIDS = sorted(PMIDS + [a.pmid for a in MORE])
BATCH = 3

PROJECT = Path(__file__).resolve().parents[1]
# `python -c` entry point: the console script's main() with a small batch size,
# and optional code run first (argv: batch size, code, then litref's own arguments).
CLI = """
import sys
from litref.fetch import harvest
harvest.BATCH_SIZE = int(sys.argv.pop(1))
exec(sys.argv.pop(1))
sys.argv[0] = "litref"
from litref.cli import main
main()
"""


def rows(db_path, sql, params=()):
    """The rows of a query on the database file, as dicts."""
    # closing(): sqlite3's own context manager commits but leaves the connection open.
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql, params)]


def table_search_count_plan(db_path):
    """How SQLite reads the citations it counts for a Datasette table search (each facet
    reads them the same way)."""
    return " ".join(row["detail"] for row in rows(
        db_path, "EXPLAIN QUERY PLAN SELECT count(*) FROM citations WHERE pmid IN "
                 "(SELECT rowid FROM citations_fts WHERE citations_fts MATCH 'lupus')"))


def snapshot(db_path, tables=None):
    """Every row of the tables (all but the full-text index by default), to prove
    that something changed nothing."""
    if tables is None:
        names = rows(db_path, "SELECT name FROM sqlite_master WHERE type = 'table'")
        tables = [r["name"] for r in names if "fts" not in r["name"]]
    return {t: rows(db_path, f"SELECT * FROM [{t}] ORDER BY rowid") for t in tables}


def write_searches(path, query, name="msc-sle"):
    path.write_text(
        f"searches:\n  - name: {name}\n    query: '{query}'\n    description: test search\n"
    )


def fetch(paths, *args):
    """``litref fetch`` in this process with the files of the ``paths`` fixture."""
    return CliRunner().invoke(
        main,
        [
            "fetch", "--db", str(paths["db"]), "--searches", str(paths["searches"]),
            "--claims", str(paths["claims"]), *args,
        ],
    )


def last_run(paths):
    return rows(paths["db"], "SELECT * FROM fetch_runs ORDER BY id DESC LIMIT 1")[0]


def assert_intact(paths):
    assert rows(paths["db"], "PRAGMA integrity_check") == [{"integrity_check": "ok"}]


def start_litref(*argv, code="", batch=BATCH, preexec_fn=None):
    """``litref ARGV`` in a subprocess, with the test's environment (server URL, rate file...)."""
    return subprocess.Popen(
        [sys.executable, "-c", CLI, str(batch), code, *argv], cwd=PROJECT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=preexec_fn,
    )


def start_fetch(paths, *args, code="", batch=BATCH, preexec_fn=None):
    """``litref fetch`` in a subprocess with the files of the ``paths`` fixture."""
    return start_litref(
        "fetch", "--db", str(paths["db"]), "--searches", str(paths["searches"]),
        "--claims", str(paths["claims"]), *args, code=code, batch=batch, preexec_fn=preexec_fn,
    )


def run_fetch(paths, *args, **kwargs):
    """Run a subprocess fetch to the end; returns (exit status, stderr)."""
    process = start_fetch(paths, *args, **kwargs)
    _, stderr = process.communicate(timeout=60)
    return process.returncode, stderr


# --- claims and their evidence, stored through the real writers ----------------------

T0 = "2026-01-01T00:00:00+00:00"
REVIEWED = "2026-02-01T00:00:00+00:00"
LATER = "2026-03-01T00:00:00+00:00"
CLAIM = {
    "id": "msc-cures", "page": "Synthetic page", "text": "Stem cells cure lupus nephritis",
    "query": "synthetic[tiab]", "line": 1,
}


RCT_HUMANS = {"types": ("Randomized Controlled Trial",), "mesh": ("Humans",)}


def article(pmid, *, types=("Journal Article",), mesh=(), title=None, extra_types=(), abstract=None):
    """A synthetic PubMed article with chosen publication types, MeSH descriptors and abstract."""
    type_xml = "".join(f"<PublicationType>{t}</PublicationType>" for t in (*types, *extra_types))
    mesh_xml = "".join(
        f'<MeshHeading><DescriptorName MajorTopicYN="N">{m}</DescriptorName></MeshHeading>' for m in mesh
    )
    title = title or f"Synthetic record {pmid} about stem cells"
    return f"""<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">{pmid}</PMID>
<Article PubModel="Print"><Journal><JournalIssue CitedMedium="Print"><PubDate><Year>2020</Year></PubDate>
</JournalIssue><Title>Synthetic Journal</Title></Journal><ArticleTitle>{title}</ArticleTitle>
{f"<Abstract><AbstractText>{abstract}</AbstractText></Abstract>" if abstract else ""}
<Language>eng</Language><PublicationTypeList>{type_xml}</PublicationTypeList></Article>
<MeshHeadingList>{mesh_xml}</MeshHeadingList></MedlineCitation></PubmedArticle>"""


def store(database, *articles, now=T0):
    xml = f"<PubmedArticleSet>{''.join(articles)}</PubmedArticleSet>".encode()
    counts = save_records(database, list(pubmed_xml.parse(io.BytesIO(xml), "test")), source="test", now=now)
    refresh_claims(database, now=now)  # claims loaded since, as `litref claims` does
    refresh_for_citations(database, counts["changed"], now=now)  # as the import and the fetch do
    return counts


def link(database, pmid, stance, claim_id="msc-cures", reviewed_at=REVIEWED):
    with database.atomic():
        database.execute(
            "INSERT INTO claim_evidence (claim_id, pmid, stance, note, reviewer, reviewed_at) "
            "VALUES (?, ?, ?, 'test note', 'staff@example.org', ?)",
            [claim_id, pmid, stance, reviewed_at],
        )


LITREF = Path(sys.executable).parent / "litref"
# Text a visitor may type in a search box, every awkward kind.
HOSTILE = [
    "", " ", '"', '""', '"""', "'", "lupus\"", '"lupus', "stem-cell", "-", "--", "(", ")", "((lupus",
    "*", "**", "lupus*", "*lupus", "^", "+", "NOT", "AND OR NOT", "OR lupus OR", "NEAR(", "NEAR(a b, 2)",
    "title:lupus", "{title}: x", "a:b:c", "[", "%", "_", "\\", "\\\"", ";", "'; DROP TABLE citations; --",
    "\x00", "\x1b[31m", "mésenchymal", "Müller", "中文", "🙂", "\u200b", "\ue000", "\ue001",
    "<script>alert(1)</script>", "lupus " * 200, "a" * 5000,
]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(url, server, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stderr.read()
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"litref serve did not answer at {url} within {seconds} s")


@contextlib.contextmanager
def serving(db_path, env=None):
    """A real `litref serve` of the database (with extra environment variables); yields its URL."""
    port = free_port()
    process = subprocess.Popen(
        [str(LITREF), "serve", "--db", str(db_path), "--port", str(port)],
        env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base + "/", process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
