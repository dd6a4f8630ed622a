"""fetch_runs.status is spelled once (evidence/vocabularies/run_statuses.py); the code that
sets it, the fetch history, metadata.json and the README agree with it."""

import ast
import json
import re
from pathlib import Path

from litref.db.status import UNSUCCESSFUL, WARNED
from litref.evidence.vocabularies.run_statuses import CODES, COMPLETE, NEEDS_PERSON
from litref.web.app import METADATA

PROJECT = Path(__file__).resolve().parents[1]


def set_statuses(path):
    """Every status a module writes: Finished("...") calls and status = '...' in its SQL."""
    source = (PROJECT / path).read_text(encoding="utf-8")
    found = set(re.findall(r"status = '([a-z]+)'", source))
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Finished" and node.args:
            found.add(node.args[0].value)
    return found


def test_every_status_written_is_in_the_vocabulary():
    assert set_statuses("fetch/harvest.py") == {"ok", "warning", "failed", "incomplete"}
    assert set_statuses("db/runs.py") == {"running", "interrupted"}
    assert set_statuses("fetch/harvest.py") | set_statuses("db/runs.py") == set(CODES)


def test_what_needs_a_person_is_split_by_whether_everything_was_stored():
    assert set(UNSUCCESSFUL) == {"failed", "incomplete", "interrupted"}
    assert WARNED == ("warning",) and set(COMPLETE) == {"ok", "warning"}
    assert set(UNSUCCESSFUL) | set(WARNED) == set(NEEDS_PERSON)


def test_fetch_history_lists_unresolved_exactly_what_needs_a_person():
    sql = (PROJECT / "web" / "queries" / "fetch_history.sql").read_text(encoding="utf-8")
    listed = re.search(r"r\.status IN \(([^)]*)\)", sql).group(1)
    assert set(re.findall(r"'([a-z]+)'", listed)) == set(NEEDS_PERSON)


def test_metadata_and_readme_name_every_status():
    shared = json.loads(METADATA.read_text(encoding="utf-8"))["databases"]["*"]
    described = shared["tables"]["fetch_runs"]["columns"]["status"]
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith("| `fetch_runs` |"))
    for code in CODES:
        assert f"{code}:" in described, code
        assert re.search(rf"\b{code}\b", row), code
