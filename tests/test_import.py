"""``litref import``: files through the same transform and writer as fetches."""

import datetime as dt
import gzip
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from litref.cli import main
from litref.db.citations import save_records
from litref.db.database import open_db
from litref.fetch import pubmed_xml
from litref.demo import SAMPLE
from tests.eutils_server import synthetic_article
from tests.helpers import rows, snapshot, table_search_count_plan

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "citations.db"


def run_import(db_path, *files):
    return CliRunner().invoke(main, ["import", "--db", str(db_path), *map(str, files)])


def test_xml_gz_and_nbib_import(db_path):
    result = run_import(
        db_path, FIXTURES / "edge-cases.xml.gz", FIXTURES / "edge-cases-nodoctype.xml",
        FIXTURES / "edge-cases.nbib",
    )
    assert result.exit_code == 0, result.output
    pmids = {r["pmid"] for r in rows(db_path, "SELECT pmid FROM citations")}
    assert {99000001, 99000009, 99000019, 99000101, 99000102, 99000201, 99000203} <= pmids
    assert "edge-cases.nbib: 3 records (3 new" in result.output


def test_second_import_changes_no_row(db_path):
    run_import(db_path, FIXTURES / "edge-cases.xml", FIXTURES / "edge-cases.nbib")
    before = snapshot(db_path)
    result = run_import(db_path, FIXTURES / "edge-cases.xml", FIXTURES / "edge-cases.nbib")
    assert result.exit_code == 0
    assert "0 new, 0 updated" in result.output
    assert snapshot(db_path) == before


def test_records_hashed_by_an_older_litref_are_given_the_new_hash_not_rewritten(db_path):
    """Before 2026-12 the hash was taken from the XML: a re-import after the upgrade keeps
    a same-aged copy as it is (no new updated_at, nothing shown as changed) and only
    replaces its hash; a newer copy is still stored."""
    run_import(db_path, FIXTURES / "edge-cases.xml")
    db = open_db(db_path)
    with db.conn:
        db.execute("UPDATE citations SET record_hash = '0123456789abcdef0123456789abcdef01234567'")
    before = rows(db_path, "SELECT pmid, updated_at FROM citations ORDER BY pmid")
    with open(FIXTURES / "edge-cases.xml", "rb") as xml:
        hashes = {i["citation"]["pmid"]: i["citation"]["record_hash"]
                  for i in pubmed_xml.parse(xml) if "citation" in i}

    result = run_import(db_path, FIXTURES / "edge-cases.xml")

    assert result.exit_code == 0, result.output
    assert f"{len(hashes)} records (0 new, 0 updated, {len(hashes)} unchanged)" in result.output
    assert rows(db_path, "SELECT pmid, updated_at FROM citations ORDER BY pmid") == before
    assert {r["pmid"]: r["record_hash"] for r in rows(db_path, "SELECT pmid, record_hash FROM citations")} \
        == hashes
    assert "1 updated" in run_import(db_path, FIXTURES / "update-with-delete.xml").output


def test_update_file_replaces_record_and_flags_deletions(db_path):
    run_import(db_path, FIXTURES / "edge-cases.xml")
    authors_before = rows(db_path, "SELECT count(*) AS n FROM citation_authors WHERE pmid = 99000004")
    result = run_import(db_path, FIXTURES / "update-with-delete.xml")
    assert result.exit_code == 0, result.output
    assert "1 marked deleted" in result.output  # 99000099 was never stored
    updated = rows(db_path, "SELECT is_retracted FROM citations WHERE pmid = 99000017")
    assert updated == [{"is_retracted": 1}]
    links = rows(db_path, "SELECT reftype FROM citation_links WHERE pmid = 99000017")
    assert {"reftype": "RetractionIn"} in links
    deleted = rows(db_path, "SELECT is_deleted, title FROM citations WHERE pmid = 99000004")
    assert deleted[0]["is_deleted"] == 1 and deleted[0]["title"]  # flagged, never removed
    assert rows(db_path, "SELECT count(*) AS n FROM citation_authors WHERE pmid = 99000004") == authors_before


def test_full_text_search_follows_updates(db_path):
    run_import(db_path, FIXTURES / "edge-cases.xml")
    title = rows(db_path, "SELECT title FROM citations WHERE pmid = 99000017")[0]["title"]
    run_import(db_path, FIXTURES / "update-with-delete.xml")
    new_title = rows(db_path, "SELECT title FROM citations WHERE pmid = 99000017")[0]["title"]
    assert new_title != title
    found = rows(
        db_path,
        "SELECT rowid FROM citations_fts WHERE citations_fts MATCH ?",
        [" ".join(f'"{w}"' for w in new_title.split()[:4])],
    )
    assert {"rowid": 99000017} in found


def test_not_pubmed_xml(db_path, tmp_path):
    path = FIXTURES / "not-pubmed.xml"
    result = run_import(db_path, path)
    assert result.exit_code == 1
    assert str(path) in result.output
    assert "not" in result.output and "Nothing from this file was stored." in result.output
    assert rows(db_path, "SELECT count(*) AS n FROM citations") == [{"n": 0}]


def test_corrupt_gzip(db_path):
    path = FIXTURES / "corrupt.xml.gz"
    result = run_import(db_path, path)
    assert result.exit_code == 1
    assert f"{path}: the gzip file is damaged" in result.output
    assert "Download it again." in result.output


def test_file_damaged_half_way_stores_nothing_and_other_files_still_import(db_path, tmp_path):
    text = (FIXTURES / "edge-cases.xml").read_bytes()
    cut = tmp_path / "cut.xml.gz"
    cut.write_bytes(gzip.compress(text)[: len(gzip.compress(text)) * 2 // 3])
    run_import(db_path, FIXTURES / "edge-cases-nodoctype.xml")
    before = snapshot(db_path)
    result = run_import(db_path, cut, FIXTURES / "edge-cases.nbib")
    assert result.exit_code == 1
    assert f"{cut}: " in result.output and "Nothing from this file was stored." in result.output
    assert "edge-cases.nbib: 3 records" in result.output
    pmids_before = {r["pmid"] for r in before["citations"]}
    pmids_after = {r["pmid"] for r in snapshot(db_path)["citations"]}
    assert pmids_after == pmids_before | {99000201, 99000202, 99000203}
    assert rows(db_path, "PRAGMA integrity_check") == [{"integrity_check": "ok"}]


def test_a_damaged_file_keeps_the_batches_before_the_damage_and_a_reimport_completes_it(
        db_path, tmp_path, monkeypatch):
    from litref.fetch import files

    monkeypatch.setattr(files, "BATCH_SIZE", 40)  # the parsing process inherits it
    articles = [synthetic_article(99300000 + n, edat=dt.date(2020, 1, 1)).xml for n in range(600)]
    whole = tmp_path / "whole.xml"
    whole.write_text(f"<PubmedArticleSet>{''.join(articles)}</PubmedArticleSet>")
    compressed = gzip.compress(whole.read_bytes())
    cut = tmp_path / "cut.xml.gz"
    cut.write_bytes(compressed[: len(compressed) * 2 // 3])
    damaged = run_import(db_path, cut)
    assert damaged.exit_code == 1
    stored = rows(db_path, "SELECT count(*) AS n FROM citations")[0]["n"]
    assert 0 < stored < 600 and stored % 40 == 0  # whole batches only
    assert f"The first {stored} records of the file, up to the damage, were stored" in damaged.output
    assert "Importing the repaired file again completes it" in damaged.output
    completed = run_import(db_path, whole)
    assert completed.exit_code == 0, completed.output
    assert f"600 records ({600 - stored} new, 0 updated, {stored} unchanged)" in completed.output
    assert rows(db_path, "SELECT count(*) AS n FROM citations") == [{"n": 600}]
    assert rows(db_path, "PRAGMA integrity_check") == [{"integrity_check": "ok"}]


GRADE_COLUMNS = ("pmid, study_design, design_rank, design_source, design_words, subjects, "
                 "subjects_source, subjects_words")


@pytest.mark.parametrize("waiting", [0, 10**9], ids=["parser grades", "writer grades"])
def test_every_record_is_graded_whichever_process_grades_it(tmp_path, monkeypatch, waiting):
    from litref.fetch import files

    monkeypatch.setattr(files, "BATCH_SIZE", 3)  # the parsing process inherits both
    monkeypatch.setattr(files, "GRADE_WHEN_WAITING", waiting)
    imported = tmp_path / "imported.db"
    assert run_import(imported, SAMPLE).exit_code == 0
    fetched = tmp_path / "fetched.db"  # the same records as a fetch stores them, graded as parsed
    database = open_db(fetched)
    with open(SAMPLE, "rb") as stream:
        save_records(database, list(pubmed_xml.parse(stream)), source="test", now="2026-01-01")
    grades = f"SELECT {GRADE_COLUMNS} FROM citations ORDER BY pmid"
    assert rows(imported, grades) == rows(fetched, grades)
    assert all(row["design_rank"] is not None for row in rows(imported, grades))


class CountedQueue(list):
    """A stand-in for the queue to the writer, with as many batches waiting as chosen."""

    def __init__(self, waiting):
        super().__init__()
        self.waiting = waiting

    def qsize(self):
        return self.waiting

    def put(self, batch):
        self.append(batch)


@pytest.mark.parametrize("waiting, graded", [(0, False), (10**9, True)])
def test_the_parser_grades_only_while_the_writer_has_batches_waiting(monkeypatch, waiting, graded):
    from litref.fetch import files

    monkeypatch.setattr(files, "BATCH_SIZE", 3)
    queue = CountedQueue(waiting)
    files._parse_into(SAMPLE, queue)
    *batches, end = queue
    assert end is None and batches
    assert all(("study_design" in item["citation"]) is graded for batch in batches for item in batch)


def test_a_record_parsed_without_its_grade_is_graded_when_stored(tmp_path):
    database = open_db(tmp_path / "citations.db")
    with open(SAMPLE, "rb") as stream:
        ungraded = list(pubmed_xml.parse(stream, graded=False))
    assert not any("study_design" in item["citation"] for item in ungraded)
    save_records(database, ungraded, source="test", now="2026-01-01")
    assert database.execute("SELECT count(*) FROM citations WHERE design_rank IS NULL").fetchone() == (0,)


def test_import_steps_follow_the_time_a_write_takes():
    from litref.pipeline import Steps

    steps = Steps()
    assert [len(step) for step in steps.split(list(range(50)))] == [20, 20, 10]
    for _ in range(20):
        steps.took(steps.size, steps.size * 1e-5)  # a small, idle database: far quicker than the aim
    assert steps.size == Steps.MOST
    steps.took(Steps.MOST, 4.0)  # one slow step (4 ms a record) is enough to shrink them
    assert steps.size == int(Steps.STEP_SECONDS / 0.004)
    for _ in range(Steps.REMEMBERED - 1):
        steps.took(steps.size, steps.size * 1e-5)
    assert steps.size == int(Steps.STEP_SECONDS / 0.004)  # ...until it is forgotten
    steps.took(steps.size, steps.size * 1e-5)
    assert steps.size == 2 * int(Steps.STEP_SECONDS / 0.004)  # then they grow back, gently


def test_missing_file(db_path, tmp_path):
    result = run_import(db_path, tmp_path / "nope.xml")
    assert result.exit_code == 1
    assert "nope.xml: cannot read the file (No such file or directory)." in result.output


def test_text_that_is_neither_format(db_path, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("These are my notes about lupus.\n")
    result = run_import(db_path, path)
    assert result.exit_code == 1
    assert f"{path}: neither PubMed XML nor MEDLINE text." in result.output


def test_bundled_sample_imports(db_path, tmp_path):
    copy = tmp_path / SAMPLE.name
    shutil.copy(SAMPLE, copy)
    result = run_import(db_path, copy)
    assert result.exit_code == 0, result.output
    stored = rows(db_path, "SELECT pmid, title, year FROM citations WHERE pmid = 19489103")
    assert stored == [{
        "pmid": 19489103,
        "title": "Mesenchymal Stem Cell Transplantation Reverses Multi-Organ Dysfunction in "
                 "Systemic Lupus Erythematosus Mice and Humans",
        "year": 2009,
    }]


def test_parser_process_dying_is_reported_not_waited_for(db_path, monkeypatch):
    import os

    from litref.fetch import files

    monkeypatch.setattr(files, "_parse_into", lambda path, queue: os._exit(9))
    result = run_import(db_path, FIXTURES / "edge-cases.xml")
    assert result.exit_code == 1
    assert "the parsing process stopped unexpectedly (exit code 9" in result.output


def test_a_record_without_a_journal_is_stored_and_the_file_goes_on(db_path, tmp_path):
    text = (FIXTURES / "edge-cases.xml").read_text()
    first = text.index("<Journal>")  # the first record's journal, dropped
    odd = tmp_path / "odd.xml"
    odd.write_text(text[:first] + text[text.index("</Journal>", first) + len("</Journal>"):])
    result = run_import(db_path, odd)
    assert result.exit_code == 0, result.output
    assert run_import(tmp_path / "whole.db", FIXTURES / "edge-cases.xml").exit_code == 0
    count = "SELECT count(*) AS n FROM citations"
    assert rows(db_path, count) == rows(tmp_path / "whole.db", count)  # every record stored
    assert rows(db_path, count + " WHERE journal IS NULL AND NOT is_book") == [{"n": 1}]



def test_after_an_import_a_table_search_counts_from_the_covering_index_not_the_rows(db_path):
    assert run_import(db_path, FIXTURES / "edge-cases.xml").exit_code == 0
    assert "COVERING INDEX idx_citations_search_facets" in table_search_count_plan(db_path)
