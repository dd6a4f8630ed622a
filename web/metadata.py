"""metadata.json, built from web/metadata.yml and the canned queries in web/queries/.

metadata.json is what Datasette reads, but nobody edits it: edit
web/metadata.yml (titles, descriptions, facets, permissions) or a query's
``.sql`` file, then run ``make metadata``. tests/test_metadata.py fails while
metadata.json is not what they build.

Descriptions may name a vocabulary as ``${stances}``, ``${statuses}``,
``${designs}``, ``${subjects}``, ``${actions}``, ``${grade_sources}``, ``${run_statuses}``,
``${page_states}``, ``${page_checks}`` or ``${signals}``: the list is written in from
evidence/vocabularies/, so the descriptions never fall behind the codes.
"""

import json
import string
import sys
from pathlib import Path

import yaml

from litref.evidence.vocabularies import (
    curation_actions, designs, grade_sources, page_checks, page_states, run_statuses, stances,
    statement_signals, statuses, subjects,
)
from litref.web.app import METADATA

WEB = Path(__file__).resolve().parent
SOURCE = WEB / "metadata.yml"
QUERIES = WEB / "queries"



def vocabulary_texts():
    """What each ``${name}`` in a description stands for."""
    return {
        "stances": "; ".join(f"{s['code']}: {s['meaning']}" for s in stances.STANCES),
        "statuses": ", ".join(s["code"] for s in statuses.STATUSES),
        "designs": ", ".join(d["code"] for d in designs.DESIGNS if d["rank"]),
        "subjects": ", ".join(s["code"] for s in subjects.SUBJECTS),
        "actions": "; ".join(f"{a['code']}: {a['meaning']}" for a in curation_actions.ACTIONS),
        "grade_sources": "; ".join(f"{s['code']}: {s['label']}" for s in grade_sources.GRADE_SOURCES),
        "run_statuses": "; ".join(f"{s['code']}: {s['meaning']}" for s in run_statuses.RUN_STATUSES),
        "page_states": "; ".join(f"{s['code']}: {s['label'].lower()}" for s in page_states.PAGE_STATES),
        "page_checks": "; ".join(f"{o['code']}: {o['meaning']}" for o in page_checks.OUTCOMES),
        "signals": ", ".join(f"{s['code']} ({s['label']})" for s in statement_signals.SIGNALS),
    }


def build():
    """The metadata dict: the YAML, vocabularies written in, each query's SQL from its file."""
    metadata = _fill(yaml.safe_load(SOURCE.read_text(encoding="utf-8")), vocabulary_texts())
    for name, query in metadata["databases"]["*"]["queries"].items():
        query["sql"] = (QUERIES / f"{name}.sql").read_text(encoding="utf-8").rstrip("\n")
    return metadata


def _fill(value, texts):
    if isinstance(value, dict):
        return {key: _fill(item, texts) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, texts) for item in value]
    if isinstance(value, str):
        return string.Template(value).substitute(texts) if "${" in value else value
    return value


def rendered():
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


def main(argv=sys.argv[1:]):
    """``python -m litref.web.metadata`` writes metadata.json; with --check, only says
    whether it is current (exit 1 when not)."""
    text = rendered()
    if "--check" in argv:
        current = METADATA.read_text(encoding="utf-8") == text
        print("metadata.json is current." if current else
              "metadata.json is out of date: run `make metadata`.", file=sys.stderr)
        return 0 if current else 1
    METADATA.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
