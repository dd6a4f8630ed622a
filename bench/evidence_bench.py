"""Evidence benchmark (`make bench-evidence`): does litref find and grade evidence on
real PubMed data, and what does keeping candidates current cost?

1. Candidate recall. The 22 sample records hidden among the 20,783 real records
   of pubmed21n1298.xml.gz, imported and graded by `litref import`, claims
   loaded by `litref claims`, no curation. For every supporting, contradicting
   or mixed link of sample/curation.yml: the rank of its PMID among its
   claim's candidates. Targets: recall@25 >= 0.9, recall@10 >= 0.75.
2. Grading from text. The records of that file that PubMed has indexed (MeSH
   headings or a design publication type), graded again from their title and
   abstract alone, against the grade their indexing gives. Per class,
   precision and recall; targets >= 0.9 for randomised trials,
   meta-analyses/systematic reviews and case reports, and for humans and
   animals. Also the share of records with an abstract left unknown/other.
3. Cost at 1,000,000 citations (the database `make bench-serve` builds):
   keeping candidates current after a 500-record batch and after editing one
   claim, each under 1 s, and no write transaction held longer than 0.5 s.
   Baseline in the same run: the same refresh over the first part alone.

`--skip-cost` leaves out part 3 (it needs the 1,000,000-citation database:
about 20 minutes to build the first time).
"""

import argparse
import gzip
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import yaml

from import_bench import PROJECT, WORK, ensure_data, print_targets
from litref.clock import utc_now
from litref.db.candidates import refresh_claims, refresh_for_citations
from litref.db.citations import save_records
from litref.db.database import open_db
from litref.evidence.grading import grade
from litref.fetch import pubmed_xml
from litref.fetch.harvest import record_pmids

RECALL_DB = WORK / "evidence.db"
SAMPLE = PROJECT / "sample" / "pubmed-sample.xml"
CURATION = PROJECT / "sample" / "curation.yml"
DECISIVE = ("supports", "contradicts", "mixed")
TARGET_RECALL_25, TARGET_RECALL_10 = 0.9, 0.75
TARGET_CLASS = 0.9
GRADED_CLASSES = {"study_design": ("rct", "meta-analysis", "case-report"),
                  "subjects": ("humans", "animals")}
UNGRADED = {"study_design": "other", "subjects": "unknown"}
COST_SIZE = 1_000_000
BATCH = 500
TARGET_SECONDS, TARGET_HOLD = 1.0, 0.5


# --- 1. candidate recall ---------------------------------------------------------


def build_recall_database(data):
    """The real file and the sample, through `litref import` and `litref claims`, as a user would."""
    WORK.mkdir(parents=True, exist_ok=True)
    for stale in WORK.glob(RECALL_DB.name + "*"):
        stale.unlink()
    litref = [str(Path(sys.executable).with_name("litref"))]
    for command in (["import", "--db", str(RECALL_DB), str(data), str(SAMPLE)],
                    ["claims", "--db", str(RECALL_DB)]):
        subprocess.run(litref + command, check=True, cwd=PROJECT, capture_output=True)


def link_ranks(database):
    """(claim, pmid, stance, rank or None, candidates of the claim) for every decisive link."""
    links = [link for link in yaml.safe_load(CURATION.read_text())["links"] if link["stance"] in DECISIVE]
    result = []
    for link in links:
        found = database.execute(
            "SELECT rank FROM claim_candidates WHERE claim_id = ? AND pmid = ?",
            [link["claim"], link["pmid"]],
        ).fetchone()
        total = database.execute(
            "SELECT count(*) FROM claim_candidates WHERE claim_id = ?", [link["claim"]]
        ).fetchone()[0]
        result.append((link["claim"], link["pmid"], link["stance"], found and found[0], total))
    return result


def recall(ranks, cutoff):
    return sum(1 for *_, rank, _ in ranks if rank and rank <= cutoff) / len(ranks)


def report_recall(database):
    ranks = link_ranks(database)
    print(f"\n1. Candidate recall: {len(ranks)} supporting, contradicting or mixed links of "
          "sample/curation.yml")
    for claim, pmid, stance, rank, total in ranks:
        print(f"  {claim:<48} {pmid:>9} {stance:<12} rank {rank or '-':>4} of {total}")
    return [
        ("candidate recall@25", recall(ranks, 25), TARGET_RECALL_25),
        ("candidate recall@10", recall(ranks, 10), TARGET_RECALL_10),
    ]


# --- 2. grading from text ------------------------------------------------------------


def indexed_records(data):
    """(indexed grade, text grade, has abstract) for each record PubMed has indexed."""
    with gzip.open(data, "rb") as stream:
        for item in pubmed_xml.parse(stream, str(data)):
            if "citation" not in item:
                continue
            types = [pt["publication_type"] for pt in item["publication_types"]]
            mesh = [m["descriptor"] for m in item["mesh"]]
            indexed = grade(types, mesh)
            if not mesh and indexed["study_design"] == "other":
                continue  # not indexed: nothing to compare with
            citation = item["citation"]
            yield indexed, grade([], [], citation["title"], citation["abstract"]), bool(citation["abstract"])


def class_scores(pairs, field, code):
    """(precision, recall, support) of the text grade for one class, among the records
    whose indexing decides the field."""
    decided = [(i[field], t[field]) for i, t, _ in pairs if i[field] != UNGRADED[field]]
    hit = sum(1 for i, t in decided if i == t == code)
    called = sum(1 for _, t in decided if t == code)
    actual = sum(1 for i, _ in decided if i == code)
    return (hit / called if called else 0.0), (hit / actual if actual else 0.0), actual


def report_grading(data):
    pairs = list(indexed_records(data))
    print(f"\n2. Grading from the title and abstract alone: {len(pairs)} records PubMed has indexed")
    print(f"  {'field':<13} {'class':<15} {'precision':>9} {'recall':>7} {'records':>8}")
    rows = []
    for field, codes in GRADED_CLASSES.items():
        for code in codes:
            precision, recall_, support = class_scores(pairs, field, code)
            print(f"  {field:<13} {code:<15} {precision:>9.3f} {recall_:>7.3f} {support:>8}")
            rows += [(f"{code} precision", precision, TARGET_CLASS),
                     (f"{code} recall", recall_, TARGET_CLASS)]
    with_abstract = [(i, t) for i, t, has in pairs if has]
    for field, ungraded in UNGRADED.items():
        left = sum(1 for _, t in with_abstract if t[field] == ungraded)
        print(f"  records with an abstract left {ungraded}: {left / len(with_abstract):.1%} "
              f"({left} of {len(with_abstract)})")
    confusion = Counter((i["study_design"], t["study_design"]) for i, t, _ in pairs)
    print("  design, indexed → text (most frequent): " + ", ".join(
        f"{a}→{b} {n}" for (a, b), n in confusion.most_common(12)))
    return rows


# --- 3. cost at 1,000,000 citations ---------------------------------------------------


@contextmanager
def write_holds(database):
    """Collect how long each write transaction (BEGIN to COMMIT or ROLLBACK) lasted."""
    holds, began = [], []

    def trace(statement):
        word = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
        if word == "BEGIN":
            began.append(time.perf_counter())
        elif word in ("COMMIT", "ROLLBACK") and began:
            holds.append(time.perf_counter() - began.pop())

    database.conn.set_trace_callback(trace)
    try:
        yield holds
    finally:
        database.conn.set_trace_callback(None)


def synthetic_batch(database, size):
    """``size`` new synthetic records (PMIDs after the largest stored), parsed as a fetch would."""
    first = database.execute("SELECT max(pmid) + 1 FROM citations").fetchone()[0]
    titles = database.execute(
        "SELECT title, abstract FROM citations ORDER BY pmid DESC LIMIT ?", [size]
    ).fetchall()
    articles = "".join(
        f"<PubmedArticle><MedlineCitation><PMID Version=\"1\">{first + n}</PMID><Article>"
        f"<ArticleTitle>Synthetic {_xml(title)}</ArticleTitle>"
        f"<Abstract><AbstractText>{_xml(abstract or '')}</AbstractText></Abstract></Article>"
        "</MedlineCitation></PubmedArticle>"
        for n, (title, abstract) in enumerate(titles)
    )
    return list(pubmed_xml.parse(f"<PubmedArticleSet>{articles}</PubmedArticleSet>".encode(), "bench"))


def _xml(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def report_cost():
    sys.path.insert(0, str(Path(__file__).parent))
    from synthetic import ensure_database

    info = ensure_database(COST_SIZE)
    database = open_db(info["path"])  # upgrades it in place once (graded again, candidates worked out)
    refresh_claims(database, now=utc_now())
    claim_id, query = database.execute(
        "SELECT id, query FROM claims WHERE archived_at IS NULL ORDER BY position LIMIT 1"
    ).fetchone()
    items = synthetic_batch(database, BATCH)
    pmids = record_pmids(items)
    try:
        with write_holds(database) as holds:
            start = time.perf_counter()
            save_records(database, items, source="bench", now=utc_now())
            stored = time.perf_counter() - start
            start = time.perf_counter()
            refresh_for_citations(database, pmids, now=utc_now())
            batch_seconds = time.perf_counter() - start
            database.execute("UPDATE claims SET query = ? WHERE id = ?", [f"({query}) NOT animals[tiab]", claim_id])
            start = time.perf_counter()
            refresh_claims(database, now=utc_now())
            claim_seconds = time.perf_counter() - start
    finally:
        _restore(database, claim_id, query, pmids)
    print(f"\n3. Keeping candidates current at {COST_SIZE:,} citations ({info['bytes'] / 1e9:.1f} GB)")
    print(f"  storing a {BATCH}-record batch (the baseline): {stored:.3f} s")
    print(f"  candidates after that batch: {batch_seconds:.3f} s ({batch_seconds / stored:.2f}x storing it)")
    print(f"  candidates after editing claim {claim_id}: {claim_seconds:.3f} s")
    print(f"  write transactions: {len(holds)}, longest {max(holds):.3f} s")
    return [
        ("seconds after a 500-record batch", batch_seconds, -TARGET_SECONDS),
        ("seconds after editing one claim", claim_seconds, -TARGET_SECONDS),
        ("longest write transaction (s)", max(holds), -TARGET_HOLD),
    ]


def _restore(database, claim_id, query, pmids):
    with database.atomic():
        database.execute("UPDATE claims SET query = ? WHERE id = ?", [query, claim_id])
        for table in ("claim_matches", "citation_authors", "citation_mesh", "citation_publication_types",
                      "citation_keywords", "citation_grants", "citation_databanks", "citation_links"):
            database.conn.executemany(f"DELETE FROM {table} WHERE pmid = ?", [(p,) for p in pmids])
        database.conn.executemany("DELETE FROM citations WHERE pmid = ?", [(p,) for p in pmids])
    refresh_claims(database, now=utc_now())


# --- the run --------------------------------------------------------------------------


def checked(rows):
    """(name, value, target) → print_targets rows; a negative target is an upper bound."""
    return [
        (f"{name} {'<=' if target < 0 else '>='} {abs(target)}", f"{value:.3f}",
         value <= -target if target < 0 else value >= target)
        for name, value, target in rows
    ]


def main(argv=None):
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--skip-cost", action="store_true", help="leave out part 3 (1,000,000 citations)")
    args = options.parse_args(argv)
    data = ensure_data()
    print(f"Evidence benchmark on {data.relative_to(PROJECT)}, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")
    build_recall_database(data)
    database = open_db(RECALL_DB)
    rows = report_recall(database) + report_grading(data)
    if not args.skip_cost:
        rows += report_cost()
    results = checked(rows)
    print_targets(results)
    return 0 if all(passed for *_, passed in results) else 1


if __name__ == "__main__":
    sys.exit(main())
