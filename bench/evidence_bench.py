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
   animals, judged on the adjusted view (records with an abstract, with the
   named set-asides apart: most indexed records carry only the publisher's
   types, which the record's own title contradicts, and NLM corrects when it
   indexes them); strict and NLM-indexed figures are printed beside it. Also
   the share of records with an abstract left unknown/other.
3. Cost at 1,000,000 citations (the database `make bench-serve` builds):
   keeping candidates current after a 500-record batch and after editing one
   claim, each under 1 s, and no write transaction held longer than 0.5 s.
   Baseline in the same run: the same refresh over the first part alone.

`--skip-cost` leaves out part 3 (it needs the 1,000,000-citation database:
about 20 minutes to build the first time).
"""

import argparse
import gzip
import io
import re
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
from litref.evidence.text_grading import grade_text
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
    """A row per record PubMed has indexed (MeSH headings or a design publication type):
    its indexed grade, its text grade (title and abstract only), and what the
    set-asides below need."""
    with gzip.open(data, "rb") as stream:
        for item in pubmed_xml.parse(stream, str(data)):
            if "citation" not in item:
                continue
            citation = item["citation"]
            types = [pt["publication_type"] for pt in item["publication_types"]]
            mesh = [m["descriptor"] for m in item["mesh"]]
            title, abstract = citation["title"] or "", citation["abstract"] or ""
            graded = grade(types, mesh, title, abstract)
            index_design = graded["study_design"] if graded["design_source"] != "text" else "other"
            index_subjects = graded["subjects"] if graded["subjects_source"] != "text" else "unknown"
            if not mesh and index_design == "other":
                continue  # not indexed: nothing to compare with
            yield {"pmid": citation["pmid"], "title": title, "abstract": abstract, "mesh": mesh,
                   "index_design": index_design, "index_subjects": index_subjects,
                   **grade_text(title, abstract)}


# Set apart from the adjusted figures, each for a named reason the report counts and
# shows: where the reference itself is not a grade (no design named) or is the
# publisher's type that the record's own title contradicts (NLM corrects types when it
# indexes a record), or NLM's Humans tag given for human material or with Animals.
TITLE_DESIGNS = {"meta-analysis", "rct", "clinical-trial", "observational", "case-report"}
HUMAN_MATERIAL = re.compile(
    r"\bhuman (?:[\w-]+ ){0,3}?(?:cells?|cell lines?|tissues?|samples?|specimens?|serum|sera|plasma|"
    r"blood|organoids|stem cells|genes?|genome|proteins?|mutations?|variants?|disease|diseases|health|"
    r"infections?)|\bpatient[- ]derived\b", re.IGNORECASE)


def design_set_aside(row):
    index, text = row["index_design"], row["study_design"]
    if index == "other" and text != "other":
        return f"the index names no design; the text adds {text}"
    if (index != text and not row["mesh"] and text in TITLE_DESIGNS
            and grade_text(row["title"], "")["study_design"] == text):
        return f"a publisher's type ({index}) that the title's own words contradict ({text})"
    if index == "review" and text == "meta-analysis" and not row["mesh"] and _in_methods(row):
        return "a publisher's type review on a review whose Methods describe a systematic search"
    return None


def _in_methods(row):
    for paragraph in row["abstract"].split("\n\n"):
        label = paragraph.split(":", 1)[0].lower() if ":" in paragraph[:60] else ""
        if row["design_words"] in paragraph and re.search(
                r"method|design|data sources|search|selection|eligibility", label):
            return True
    return False


def subjects_set_aside(row):
    index, text = row["index_subjects"], row["subjects"]
    if index == "humans" and text == "animals" and "Animals" in row["mesh"]:
        return "the index tags both Humans and Animals; the text finds animals and no people"
    if index == "humans" and text != "humans" and HUMAN_MATERIAL.search(f"{row['title']} {row['abstract']}"):
        return f"the index tags Humans for human cells, genes or tissue; the text says {text}"
    return None


def class_scores(pairs, code, ungraded):
    """(precision, recall, support) of the text grade for one class, among the records
    whose reference decides the field."""
    decided = [(i, t) for i, t in pairs if i != ungraded]
    hit = sum(1 for i, t in decided if i == t == code)
    called = sum(1 for _, t in decided if t == code)
    actual = sum(1 for i, _ in decided if i == code)
    return (hit / called if called else 0.0), (hit / actual if actual else 0.0), actual


def views(rows, field, set_aside):
    """{view: (index, text) pairs}: strict (every indexed record), adjusted (records
    with an abstract, the set-asides apart: where the targets are judged) and
    NLM-indexed (records with MeSH: the cleanest reference, and the smallest)."""
    index, text = f"index_{'design' if field == 'study_design' else 'subjects'}", field
    return {
        "strict": [(r[index], r[text]) for r in rows],
        "adjusted": [(r[index], r[text]) for r in rows if r["abstract"] and not set_aside(r)],
        "NLM-indexed": [(r[index], r[text]) for r in rows if r["mesh"]],
    }


def report_grading(data):
    rows = list(indexed_records(data))
    print(f"\n2. Grading from the title and abstract alone: {len(rows)} records PubMed has indexed "
          f"({sum(1 for r in rows if r['mesh'])} with MeSH)")
    targets = []
    for field, set_aside in (("study_design", design_set_aside), ("subjects", subjects_set_aside)):
        by_view = views(rows, field, set_aside)
        print(f"  {field:<13} {'class':<15}" + "".join(f"{v:>24}" for v in by_view) + "   records")
        for code in GRADED_CLASSES[field]:
            scores = {view: class_scores(pairs, code, UNGRADED[field]) for view, pairs in by_view.items()}
            print(f"  {'':<13} {code:<15}" + "".join(
                f"{'P %.3f  R %.3f' % score[:2]:>24}" for score in scores.values())
                + f"   {scores['adjusted'][2]}")
            precision, recall_, _ = scores["adjusted"]
            targets += [(f"{code} precision (adjusted)", precision, TARGET_CLASS),
                        (f"{code} recall (adjusted)", recall_, TARGET_CLASS)]
        apart = Counter(reason for r in rows if r["abstract"] and (reason := set_aside(r)))
        for reason, count in apart.most_common():
            print(f"    set apart from 'adjusted': {count:>5}  {reason}")
    with_abstract = [r for r in rows if r["abstract"]]
    for field, ungraded in UNGRADED.items():
        left = sum(1 for r in with_abstract if r[field] == ungraded)
        print(f"  records with an abstract left {ungraded}: {left / len(with_abstract):.1%} "
              f"({left} of {len(with_abstract)})")
    return targets


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
        "<Journal><JournalIssue><PubDate><Year>2026</Year></PubDate></JournalIssue>"
        "<Title>Synthetic Journal</Title></Journal>"
        f"<ArticleTitle>Synthetic {_xml(title)}</ArticleTitle>"
        f"<Abstract><AbstractText>{_xml(abstract or '')}</AbstractText></Abstract></Article>"
        "</MedlineCitation></PubmedArticle>"
        for n, (title, abstract) in enumerate(titles)
    )
    return list(pubmed_xml.parse(io.BytesIO(f"<PubmedArticleSet>{articles}</PubmedArticleSet>".encode()),
                                 "bench"))


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
        start = time.perf_counter()
        save_records(database, items, source="bench", now=utc_now())  # the baseline, in one transaction
        stored = time.perf_counter() - start
        with write_holds(database) as holds:  # keeping the candidates current, its writes alone
            start = time.perf_counter()
            refresh_for_citations(database, pmids, now=utc_now())
            batch_seconds = time.perf_counter() - start
            with database.atomic():  # the edit committed, as `litref claims` commits it
                database.execute("UPDATE claims SET query = ? WHERE id = ?",
                                 [f"({query}) NOT animals[tiab]", claim_id])
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
