"""Each vocabulary is spelled once (evidence/vocabularies/); everything else that
names its codes is built from it or must agree with it, which these tests hold."""

import re
import sqlite3
from pathlib import Path

import pytest

from litref.db.database import open_db
from litref.evidence.vocabularies import (
    designs, flags, page_checks, page_states, stances, statement_signals, statuses, subjects,
)
from litref.web import metadata
from litref.web.app import STATIC_DIR

PROJECT = Path(__file__).resolve().parents[1]
README = (PROJECT / "README.md").read_text(encoding="utf-8")
CSS = (STATIC_DIR / "litref.css").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def schema():
    """Every table, view and trigger of a new database, as SQL text."""
    database = open_db(":memory:")
    return "\n".join(row[0] for row in database.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL"))


def quoted_codes(text):
    return re.findall(r"'([a-z][a-z-]*)'", text)


def test_the_database_accepts_exactly_the_stances(schema):
    check = re.search(r"stance TEXT NOT NULL CHECK \(stance IN \(([^)]*)\)\)", schema).group(1)
    assert tuple(quoted_codes(check)) == stances.CODES
    trigger = re.search(r"coalesce\(NEW.stance, ''\) NOT IN \(([^)]*)\)", schema).group(1)
    assert tuple(quoted_codes(trigger)) == stances.CODES


def test_the_claim_status_view_yields_exactly_the_statuses(schema):
    view = schema[schema.index("CREATE VIEW claim_status"):]
    case = view[view.index("CASE"):view.index("END AS status")]
    assert set(re.findall(r"(?:THEN|ELSE) '([a-z-]+)'", case)) == set(statuses.CODES)


@pytest.mark.parametrize("vocabulary, css_class", [
    (statuses, "status"), (stances, "stance"), (page_states, "page-state"), (page_checks, "reading"),
])
def test_every_code_has_its_colour_in_the_stylesheet(vocabulary, css_class):
    for code in vocabulary.CODES:
        assert f".{css_class}-{code}" in CSS, code


def test_metadata_json_is_what_its_sources_build():
    """Edit web/metadata.yml or web/queries/*.sql, then run `make metadata`."""
    assert metadata.METADATA.read_text(encoding="utf-8") == metadata.rendered()


def test_metadata_descriptions_list_every_code():
    columns = metadata.build()["databases"]["*"]["tables"]
    assert all(code in columns["claim_evidence"]["columns"]["stance"] for code in stances.CODES)
    assert all(code in columns["claim_status"]["columns"]["status"] for code in statuses.CODES)
    assert all(code in columns["citations"]["columns"]["subjects"] for code in subjects.CODES)


def readme_table(first_header):
    """The rows of the README table whose header starts with ``| first_header |``, as cells."""
    lines = README.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {first_header} |"))
    table = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            return table
        table.append([cell.strip() for cell in line.strip("|").split("|")])
    return table


def test_readme_tables_agree_with_the_vocabularies():
    assert [(row[0], row[1]) for row in readme_table("stance")] == [
        (f"`{s['code']}`", s["meaning"]) for s in stances.STANCES
    ]
    assert [(row[0], row[1]) for row in readme_table("status")] == [
        (f"`{s['code']}`", s["when"]) for s in statuses.STATUSES
    ]
    assert [(row[0], row[1]) for row in readme_table("rank")] == [
        (str(d["rank"]), f"`{d['code']}`") for d in designs.DESIGNS
    ]


def test_flags_are_columns_of_citations():
    columns = open_db(":memory:")["citations"].columns_dict
    assert all(columns[flag["column"]] is int for flag in flags.FLAGS)


def test_a_new_database_refuses_an_unknown_stance():
    database = open_db(":memory:")
    database.execute("INSERT INTO claims (id, page, text, query) VALUES ('a', 'p', 't', 'q')")
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        database.execute("INSERT INTO claim_evidence (claim_id, pmid, stance, reviewer, reviewed_at) "
                         "VALUES ('a', 1, 'proves', 'r', 'now')")


# --- The website's pages: page states, readings and statement signals ---------


def test_the_database_accepts_exactly_the_page_states_and_reading_outcomes(schema):
    state = re.search(r"state TEXT NOT NULL CHECK \(state IN \(([^)]*)\)\)", schema).group(1)
    assert tuple(quoted_codes(state)) == page_states.FOUND
    assert set(page_states.CODES) == set(page_states.FOUND) | {page_states.NOT_CHECKED}
    outcome = re.search(r"outcome TEXT NOT NULL CHECK \(outcome IN \(([^)]*)\)\)", schema).group(1)
    assert tuple(quoted_codes(outcome)) == page_checks.CODES


def test_readme_tables_agree_with_the_page_vocabularies():
    assert [(row[0], row[1]) for row in readme_table("page_state")] == [
        (f"`{s['code']}`", s["explanation"]) for s in page_states.PAGE_STATES]
    assert [(row[0], row[1]) for row in readme_table("outcome")] == [
        (f"`{o['code']}`", o["meaning"]) for o in page_checks.OUTCOMES]
    assert [(row[0], row[1]) for row in readme_table("signal")] == [
        (f"`{s['code']}`", s["label"]) for s in statement_signals.SIGNALS]


def test_metadata_descriptions_list_every_page_state():
    tables = metadata.build()["databases"]["*"]["tables"]
    assert all(code in tables["claim_page_status"]["columns"]["page_state"] for code in page_states.CODES)
    assert all(code in tables["page_checks"]["columns"]["outcome"] for code in page_checks.CODES)
