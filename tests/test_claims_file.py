"""claims.yml and curation: verbatim claims, line-numbered errors, curation kept safe."""

import re
import sqlite3
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from lxml import etree

from litref.db.database import open_db
import litref.cli
from litref.db.claims import ClaimsRemoved
from litref.db.claims import save_claims
from litref.demo import DEFAULT_CLAIMS, DEFAULT_PAGES, SAMPLE, SAMPLE_CURATION
from tests.helpers import rows, snapshot
from litref.config import ConfigFileError, read_claims, read_curation, read_pages

PAGES = read_pages(DEFAULT_PAGES)
# A pages file for the claims files these tests write: one page, id "p".
TEST_PAGES = "pages:\n  - id: p\n    title: Synthetic page\n    snapshot: p.txt\n"
NOW = "2026-01-01T00:00:00+00:00"
STANCES = ("supports", "contradicts", "mixed", "context")


# ---------------------------------------------------------------- claims.yml


@pytest.fixture(scope="module")
def shipped_claims():
    return read_claims(DEFAULT_CLAIMS, PAGES)


@pytest.fixture(autouse=True)
def test_pages(tmp_path):
    """pages.yml (and its page's saved copy) beside the claims files the tests write."""
    (tmp_path / "p.txt").write_text("Synthetic page\nFirst claim. Second claim.\n")
    (tmp_path / "pages.yml").write_text(TEST_PAGES)


def test_every_claim_is_verbatim_on_its_page(shipped_claims):
    assert len(shipped_claims) > 0
    copies = {page["id"]: page["snapshot_path"].read_text(encoding="utf-8") for page in PAGES}
    missing = [claim["id"] for claim in shipped_claims if claim["text"] not in copies[claim["page"]]]
    assert missing == []


def test_both_pages_have_claims_and_their_copies_are_in_the_project(shipped_claims):
    assert {c["page"] for c in shipped_claims} == {page["id"] for page in PAGES}
    project = DEFAULT_PAGES.parent
    assert all(page["snapshot_path"].is_relative_to(project) for page in PAGES)


@pytest.mark.parametrize(
    "statement",
    [
        "1.5 million Americans",
        "90% of people with lupus are women",
        "unique immunosuppressive properties",
        "reduced need for medications such as steroids",
        "stop the damage lupus does to your vital organs",
        "T cells and B cells",
        "cyclophosphamide (CYC)",
        "serious infection",
        "drug-free treatment",  # a "You Might Also Enjoy..." teaser
    ],
)
def test_key_statements_are_claims(shipped_claims, statement):
    assert any(statement in claim["text"] for claim in shipped_claims)


def test_shipped_claims_are_complete(shipped_claims):
    ids = [c["id"] for c in shipped_claims]
    assert len(ids) == len(set(ids))
    for claim in shipped_claims:
        assert claim["page"] and claim["query"] and claim["section"], claim["id"]
        assert isinstance(claim.get("topics"), list) and claim["topics"], claim["id"]


# ---------------------------------------------------------------- curation


def sample_pmids():
    tree = etree.parse(str(SAMPLE))
    return {int(p.text) for p in tree.iterfind(".//MedlineCitation/PMID")} | {
        int(p.text) for p in tree.iterfind(".//BookDocument/PMID")
    }


def test_sample_curation_links_are_valid(shipped_claims):
    curation = read_curation(SAMPLE_CURATION)
    links = curation["links"]
    assert len(links) > 0
    ids = {c["id"] for c in shipped_claims}
    pmids = sample_pmids()
    assert len(pmids) == 22
    assert [link for link in links if link["claim"] not in ids] == []
    assert [link for link in links if link["stance"] not in STANCES] == []
    assert [link for link in links if int(link["pmid"]) not in pmids] == []
    # one link per (claim, pmid): the database key
    keys = [(link["claim"], int(link["pmid"])) for link in links]
    assert len(keys) == len(set(keys))
    # one assessment per sample study, what its reviewer read
    assert sorted(int(a["pmid"]) for a in curation["assessments"]) == sorted(pmids)


def test_sample_curation_notes_are_plain_sentences():
    """No codes such as "C7, reference stance:" opening a note: staff read them."""
    for link in read_curation(SAMPLE_CURATION)["links"]:
        assert not re.match(r"C\d+\b|reference stance", link["note"]), link["note"][:40]
        assert link["note"][0].isupper() and link["note"].endswith((".", ")")), link["note"][:40]


def test_load_curation_reports_bad_stance_and_pmid_with_lines(tmp_path):
    path = tmp_path / "curation.yml"
    path.write_text(
        "links:\n"
        "  - claim: a\n"
        "    pmid: 12345\n"
        "    stance: maybe\n"
        "  - claim: b\n"
        "    pmid: abc\n"
        "    stance: supports\n"
    )
    with pytest.raises(ConfigFileError) as raised:
        read_curation(path)
    assert str(raised.value).splitlines() == [
        f"{path} line 2: stance 'maybe' must be one of supports, contradicts, mixed, context.",
        f"{path} line 5: pmid 'abc' must be a PubMed id (digits only).",
    ]


# ---------------------------------------------------------------- loader errors


def entry(ident, *, page="p", text="T", query="q", topics="[disease]", extra=""):
    lines = [f"  - id: {ident}"]
    if page is not None:
        lines.append(f"    page: {page}")
    if text is not None:
        lines.append(f"    text: {text}")
    if query is not None:
        lines.append(f"    query: {query}")
    if topics is not None:
        lines.append(f"    topics: {topics}")
    return "\n".join(lines) + "\n" + extra


def claims_text(*entries):
    return "claims:\n" + "".join(entries)


VALID = claims_text(entry("a", text="First claim."), entry("b", text="Second claim."))

# (case, file text, expected message lines; {path} is the file)
BAD_FILES = [
    (
        "yaml-syntax",
        "claims:\n  - id: a\n    page: P\n   text: T\n    query: q\n",
        ["{path} line 4, column 4: YAML syntax error: expected <block end>, but found "
         "'<block mapping start>'. Check the indentation and quoting there (text containing "
         "': ' or '#' needs 'single quotes', and an apostrophe inside single quotes is "
         "written twice: '')."],
    ),
    (
        "unknown-key",
        claims_text(entry("a", extra="    source: x\n")),
        ["{path} line 7: unknown key 'source'; allowed keys are id, page, query, section, "
         "text, topics."],
    ),
    (
        "no-text-no-page",
        claims_text(entry("a", text=None), entry("b", page=None)),
        ["{path} line 2: the entry has no 'text'; add one.",
         "{path} line 6: the entry has no 'page'; add one."],
    ),
    (
        "unknown-page",
        claims_text(entry("a", page="not-a-page")),
        ["{path} line 2: page 'not-a-page' is not in the pages file; use the id of one of its "
         "pages (p), or add the page there first."],
    ),
    (
        "duplicate-id",
        claims_text(entry("a"), entry("b"), entry("a")),
        ["{path} line 12: id 'a' is used twice (first on line 2); give each entry its own id."],
    ),
    (
        "bad-id",
        claims_text(entry("Bad_Id")),
        ["{path} line 2: id 'Bad_Id' may only use lower-case letters, digits and hyphens "
         "(for example 'msc-sle')."],
    ),
    (
        "topics-as-text",
        claims_text(entry("a", topics="disease")),
        ["{path} line 6: 'topics' must be a list of text (one '- item' per line)."],
    ),
]


CURATION_TABLES = ("claims", "claim_topics", "claim_evidence")


def snapshot_of(path):
    return snapshot(path, CURATION_TABLES)


def run_claims(db_path, claims_path, *options):
    pages = Path(claims_path).parent / "pages.yml"  # the test's, or the project's
    return CliRunner().invoke(
        litref.cli.main,
        ["claims", str(claims_path), "--db", str(db_path), "--pages", str(pages), *options],
    )


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def loaded_db(tmp_path):
    """A database that already holds claims a and b."""
    db_path = tmp_path / "c.db"
    result = run_claims(db_path, write(tmp_path, "good.yml", VALID))
    assert result.exit_code == 0, result.output
    assert len(rows(db_path, "SELECT * FROM claims")) == 2
    return db_path


@pytest.mark.parametrize(("case", "text", "expected"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_loader_reports_the_line(tmp_path, case, text, expected):
    path = write(tmp_path, "claims.yml", text)
    with pytest.raises(ConfigFileError) as raised:
        read_claims(path, read_pages(tmp_path / "pages.yml"))
    assert str(raised.value).splitlines() == [line.format(path=path) for line in expected]


@pytest.mark.parametrize(("case", "text", "expected"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_cli_refuses_a_bad_file_with_exit_2_and_changes_nothing(
    tmp_path, loaded_db, case, text, expected
):
    before = snapshot_of(loaded_db)
    path = write(tmp_path, "claims.yml", text)
    result = run_claims(loaded_db, path)
    assert result.exit_code == 2
    for line in expected:
        assert line.format(path=path) in result.output
    assert snapshot_of(loaded_db) == before


def test_cli_bad_file_creates_no_database(tmp_path):
    db_path = tmp_path / "never.db"
    result = run_claims(db_path, write(tmp_path, "claims.yml", claims_text(entry("Bad_Id"))))
    assert result.exit_code == 2
    assert not db_path.exists()


@pytest.mark.parametrize("saved_as, line, what", [
    ("latin-1", 9, "byte 0xE9"),  # "é" as a Latin-1 editor saves it
    ("binary", 1, "byte 0x89"),  # a PNG saved over the file
    ("nul", 9, "character #x0000"),  # valid UTF-8 holding a control character
])
def test_a_file_that_is_not_utf8_text_names_the_file_and_line_exit_2(tmp_path, loaded_db, saved_as,
                                                                     line, what):
    text = claims_text(entry("a", text="First claim."), entry("b", text="Caf\u00e9 claim."))
    data = {"latin-1": text.encode("latin-1"), "binary": b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
            "nul": text.replace("Caf\u00e9", "Caf\x00").encode()}[saved_as]
    path = tmp_path / "claims.yml"
    path.write_bytes(data)
    before = snapshot_of(loaded_db)
    result = run_claims(loaded_db, path)
    assert result.exit_code == 2, result.output
    assert f"{path} line {line}: this is not UTF-8 text ({what} cannot be read)" in result.output
    assert "save it with the encoding 'UTF-8'" in result.output
    assert snapshot_of(loaded_db) == before


def test_an_empty_claims_list_is_refused_unless_prune(tmp_path, loaded_db):
    empty = write(tmp_path, "empty.yml", "claims: []\n")
    before = snapshot_of(loaded_db)
    result = run_claims(loaded_db, empty)
    assert result.exit_code == 2
    assert "lists no claims, so loading it would remove all 2 claims" in result.output
    assert snapshot_of(loaded_db) == before
    assert run_claims(loaded_db, empty, "--prune").exit_code == 0
    assert rows(loaded_db, "SELECT id FROM claims") == []


def test_unclosed_quote_names_the_line_where_the_quote_opens(tmp_path):
    # PyYAML's problem mark is the end of the file (line 7 of a 6-line file); staff need
    # the line where the quoted text starts (PyYAML's context_mark), line 4 here.
    path = write(
        tmp_path, "claims.yml",
        "claims:\n  - id: a\n    page: P\n    text: 'unclosed\n    query: q\n  - id: b\n",
    )
    with pytest.raises(ConfigFileError) as raised:
        read_claims(path)
    message = str(raised.value)
    assert "YAML syntax error" in message
    assert "line 4" in message, message


def test_good_file_loads_with_lines_and_topics(tmp_path, loaded_db):
    claims = {r["id"]: r for r in rows(loaded_db, "SELECT * FROM claims")}
    assert claims["a"]["text"] == "First claim." and claims["a"]["line"] == 2
    assert claims["b"]["line"] == 7 and claims["b"]["position"] == 2
    assert claims["a"]["archived_at"] is None
    assert rows(loaded_db, "SELECT claim_id, topic FROM claim_topics ORDER BY claim_id") == [
        {"claim_id": "a", "topic": "disease"}, {"claim_id": "b", "topic": "disease"},
    ]


def test_shipped_claims_file_loads_through_the_cli(tmp_path):
    db_path = tmp_path / "c.db"
    result = run_claims(db_path, DEFAULT_CLAIMS)
    assert result.exit_code == 0, result.output
    count = len(read_claims(DEFAULT_CLAIMS))
    assert len(rows(db_path, "SELECT id FROM claims WHERE archived_at IS NULL")) == count
    assert f"{count} claims ({count} new)" in result.output


# ---------------------------------------------------------------- removed claims


def add_evidence(db_path, claim_id, pmid=99000001, stance="supports"):
    with sqlite3.connect(db_path) as conn:
        conn.execute(
            "INSERT INTO claim_evidence (claim_id, pmid, stance, note, reviewer, reviewed_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (claim_id, pmid, stance, "Synthetic test link.", "tester", "2025-12-01T00:00:00+00:00"),
        )


def evidence(db_path):
    return rows(db_path, "SELECT * FROM claim_evidence ORDER BY claim_id, pmid")


def test_removed_claim_with_evidence_is_refused_without_prune(tmp_path, loaded_db):
    add_evidence(loaded_db, "b")
    before = snapshot_of(loaded_db)
    # a's wording changes in the same file: that must not be applied either
    path = write(tmp_path, "only-a.yml", claims_text(entry("a", text="Changed.")))
    result = run_claims(loaded_db, path)
    assert result.exit_code == 2
    assert "curated evidence for them: b." in result.output
    assert "--prune" in result.output
    assert snapshot_of(loaded_db) == before


def test_store_load_claims_raises_claims_removed(tmp_path, loaded_db):
    add_evidence(loaded_db, "b")
    before = snapshot_of(loaded_db)
    database = open_db(loaded_db)
    with pytest.raises(ClaimsRemoved) as raised:
        save_claims(database, read_claims(write(tmp_path, "a.yml", claims_text(entry("a")))),
                     now=NOW)
    database.close()
    assert "them: b." in str(raised.value)
    assert "--prune" in str(raised.value)
    assert snapshot_of(loaded_db) == before


def test_prune_archives_and_keeps_evidence(tmp_path, loaded_db):
    add_evidence(loaded_db, "b")
    evidence_before = evidence(loaded_db)
    b_before = rows(loaded_db, "SELECT * FROM claims WHERE id = 'b'")[0]
    result = run_claims(loaded_db, write(tmp_path, "only-a.yml", claims_text(entry("a"))), "--prune")
    assert result.exit_code == 0, result.output
    assert "1 archived, 0 removed" in result.output
    claims = {r["id"]: r for r in rows(loaded_db, "SELECT * FROM claims")}
    assert set(claims) == {"a", "b"}
    assert claims["b"]["archived_at"] is not None
    assert claims["a"]["archived_at"] is None
    # the archived claim's content is kept as it was
    assert {k: v for k, v in claims["b"].items() if k != "archived_at"} == {
        k: v for k, v in b_before.items() if k != "archived_at"
    }
    assert evidence(loaded_db) == evidence_before
    assert len(evidence_before) == 1

    # loading the same file again (without --prune) is fine: b is already archived
    result = run_claims(loaded_db, write(tmp_path, "only-a.yml", claims_text(entry("a"))))
    assert result.exit_code == 0, result.output
    assert rows(loaded_db, "SELECT archived_at FROM claims WHERE id = 'b'")[0]["archived_at"]

    # putting the claim back un-archives it; its evidence is still there
    result = run_claims(loaded_db, write(tmp_path, "good.yml", VALID))
    assert result.exit_code == 0, result.output
    assert rows(loaded_db, "SELECT archived_at FROM claims WHERE id = 'b'") == [
        {"archived_at": None}
    ]
    assert evidence(loaded_db) == evidence_before


def test_removed_claim_without_evidence_is_simply_removed(tmp_path, loaded_db):
    add_evidence(loaded_db, "a")
    result = run_claims(loaded_db, write(tmp_path, "only-a.yml", claims_text(entry("a"))))
    assert result.exit_code == 0, result.output
    assert "0 archived, 1 removed" in result.output
    assert rows(loaded_db, "SELECT id FROM claims") == [{"id": "a"}]
    assert rows(loaded_db, "SELECT claim_id FROM claim_topics") == [{"claim_id": "a"}]
    assert len(evidence(loaded_db)) == 1


def test_prune_removes_uncurated_and_archives_curated_together(tmp_path):
    db_path = tmp_path / "c.db"
    three = claims_text(entry("a"), entry("b"), entry("c"))
    assert run_claims(db_path, write(tmp_path, "three.yml", three)).exit_code == 0
    add_evidence(db_path, "b")
    result = run_claims(db_path, write(tmp_path, "a.yml", claims_text(entry("a"))), "--prune")
    assert result.exit_code == 0, result.output
    archived = {r["id"]: r["archived_at"] for r in rows(db_path, "SELECT id, archived_at FROM claims")}
    assert set(archived) == {"a", "b"}
    assert archived["a"] is None and archived["b"] is not None


# ---------------------------------------------------------------- the database itself


@pytest.fixture
def conn(loaded_db):
    connection = sqlite3.connect(loaded_db)
    yield connection
    connection.close()


def insert_evidence(conn, claim_id, stance="supports"):
    conn.execute(
        "INSERT INTO claim_evidence (claim_id, pmid, stance, note, reviewer, reviewed_at) "
        "VALUES (?, 99000001, ?, NULL, 'tester', '2025-12-01')",
        (claim_id, stance),
    )


def test_database_refuses_an_unknown_stance(conn):
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        insert_evidence(conn, "a", stance="proves")
    assert conn.execute("SELECT COUNT(*) FROM claim_evidence").fetchone()[0] == 0


def test_database_refuses_evidence_for_an_unknown_claim(conn):
    # foreign_keys is off on this plain connection (as in Datasette): the trigger refuses it
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 0
    with pytest.raises(sqlite3.DatabaseError, match="Unknown claim id: pick the claim"):
        insert_evidence(conn, "no-such-claim")
    insert_evidence(conn, "a")
    with pytest.raises(sqlite3.DatabaseError, match="Unknown claim id: pick the claim"):
        conn.execute("UPDATE claim_evidence SET claim_id = 'no-such-claim' WHERE claim_id = 'a'")


def test_database_refuses_deleting_a_claim_with_evidence(conn):
    insert_evidence(conn, "a")
    conn.commit()
    with pytest.raises(sqlite3.DatabaseError, match="archive it instead"):
        conn.execute("DELETE FROM claims WHERE id = 'a'")
    conn.rollback()
    assert conn.execute("SELECT COUNT(*) FROM claims WHERE id = 'a'").fetchone()[0] == 1
    conn.execute("DELETE FROM claims WHERE id = 'b'")  # no evidence: allowed
    assert conn.execute("SELECT COUNT(*) FROM claims WHERE id = 'b'").fetchone()[0] == 0


def test_curation_file_is_plain_yaml_with_links(shipped_claims):
    raw = yaml.safe_load(SAMPLE_CURATION.read_text(encoding="utf-8"))
    assert set(raw) == {"links", "assessments"}
    assert all(set(link) <= {"claim", "pmid", "stance", "note"} for link in raw["links"])
    assert all(set(entry) <= {"pmid", "design", "subjects", "detail"} for entry in raw["assessments"])
