"""Query-check benchmark: what checking every query costs a litref command.

    make bench-query                      # or: .venv/bin/python bench/query_bench.py

Each figure is taken in a new Python process (this script with ``--child``),
so nothing is warm that a real command would not have warm. Each run uses its
own empty cache folder (LITREF_CACHE_DIR), never the user's. See README.md.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
REPEATS = 5

TARGET_CACHED_LOAD_S = 0.3  # a cold process: import the checks and load the MeSH index
TARGET_CACHED_VS_BUILD = 0.1  # loading the cached index against building it
TARGET_CHECK_ALL_S = 0.1  # checking every shipped query, vocabulary loaded
TARGET_FIRST_MISS_S = 0.5  # the first misspelled heading: suggestion data loaded, fuzzy match
MISSPELLED = '"Mesenchymal Stem Cel"[Mesh] AND "Lupus Nefritis"[Mesh]'
# Loading the index and checking every shipped query, against what every litref
# command pays before it does anything (importing litref.cli): at most half again.
TARGET_CHECKS_VS_STARTUP = 0.5


def child(what):
    """Runs in the child process: times one thing, prints JSON."""
    started = time.perf_counter()
    if what == "startup":
        import litref.cli  # noqa: F401 - timing the import is the point

        print(json.dumps({"startup_s": time.perf_counter() - started}))
        return
    from litref.evidence import pubmed_query

    pubmed_query.load_vocabulary()
    result = {"load_s": time.perf_counter() - started}
    if what == "check":
        import yaml

        queries = [entry["query"] for name, key in (("searches.yml", "searches"), ("claims.yml", "claims"))
                   for entry in yaml.safe_load((PROJECT / name).read_text(encoding="utf-8"))[key]]
        started = time.perf_counter()
        problems = [pubmed_query.check_query(query) for query in queries]
        checked = time.perf_counter()
        misses = pubmed_query.check_query(MISSPELLED)
        result.update(check_s=checked - started, queries=len(queries),
                      errors=sum(pubmed_query.has_errors(p) for p in problems),
                      miss_s=time.perf_counter() - checked, suggested=[p.suggestions[0] for p in misses])
    print(json.dumps(result))


def in_child(what, cache):
    env = {**os.environ, "LITREF_CACHE_DIR": str(cache)}
    out = subprocess.run([sys.executable, __file__, "--child", what], env=env, cwd=PROJECT,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def median_of(what, key, cache):
    return statistics.median(in_child(what, cache)[key] for _ in range(REPEATS))


def measure():
    with tempfile.TemporaryDirectory() as folder:
        cache = Path(folder)
        build = in_child("load", cache)["load_s"]  # empty folder: builds and writes the index
        check = in_child("check", cache)
        return {
            "build_s": build,
            "cached_load_s": median_of("load", "load_s", cache),
            "check_all_s": check["check_s"], "queries": check["queries"], "errors": check["errors"],
            "miss_s": check["miss_s"], "suggested": check["suggested"],
            "startup_s": median_of("startup", "startup_s", cache),
        }


def report(m):
    checks = m["cached_load_s"] + m["check_all_s"]
    print(f"Index built from the packages' files (first run after an update): {m['build_s']:.3f} s")
    print(f"Cold process, import + load of the cached index (median of {REPEATS}): {m['cached_load_s']:.3f} s")
    print(f"Checking the {m['queries']} shipped queries: {m['check_all_s']:.4f} s ({m['errors']} with errors)")
    print(f"Then the first misspelled headings ({MISSPELLED}): {m['miss_s']:.3f} s, suggesting "
          f"{' and '.join(m['suggested'])}")
    print(f"Baseline: a cold process importing litref.cli, as every command does (median of {REPEATS}): "
          f"{m['startup_s']:.3f} s")
    targets = [
        ("cached load < 0.3 s", m["cached_load_s"], m["cached_load_s"] < TARGET_CACHED_LOAD_S),
        ("cached load / build <= 0.1", m["cached_load_s"] / m["build_s"],
         m["cached_load_s"] / m["build_s"] <= TARGET_CACHED_VS_BUILD),
        ("all shipped queries checked < 0.1 s", m["check_all_s"], m["check_all_s"] < TARGET_CHECK_ALL_S),
        ("first misspelled headings < 0.5 s", m["miss_s"], m["miss_s"] < TARGET_FIRST_MISS_S),
        ("(load + check all) / litref's start-up <= 0.5", checks / m["startup_s"],
         checks / m["startup_s"] <= TARGET_CHECKS_VS_STARTUP),
    ]
    for name, value, passed in targets:
        print(f"{'PASS' if passed else 'FAIL'}  {name}: {value:.3f}")
    return all(passed for _, _, passed in targets)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--child", choices=("load", "check", "startup"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child)
        return 0
    return 0 if report(measure()) else 1


if __name__ == "__main__":
    sys.exit(main())
