"""What the staff pages read about one claim costs what concerns that claim, not what
the store holds: SQLite's work for one claim's status, evidence and candidates stays
the same when thousands more citations are stored. (Counted in SQLite's own steps,
which do not depend on the machine; timings live in bench/.)"""

import pytest

from litref.db.candidates import BATCH_FTS
from litref.db.claims import save_claims
from litref.db.database import open_db
from litref.db.query_sql import condition
from litref.evidence.pubmed_query import parse_query
from tests.helpers import CLAIM, RCT_HUMANS, T0, article, link, store

PER_CLAIM_READS = {
    "status": "SELECT * FROM claim_status WHERE claim_id = ?",
    "evidence": "SELECT * FROM claim_evidence_detail WHERE claim_id = ?",
    "candidates": "SELECT * FROM claim_candidates WHERE claim_id = ? AND rank <= 25",
}
UNRELATED = 3000  # citations the claim's query does not find


def steps(db, sql, parameters):
    """How many of SQLite's virtual machine steps (in thousands) a query takes."""
    counted = [0]

    def count():
        counted[0] += 1
        return 0

    db.conn.set_progress_handler(count, 1000)
    try:
        db.execute(sql, parameters).fetchall()
    finally:
        db.conn.set_progress_handler(None, 0)
    return counted[0]


@pytest.fixture
def db():
    database = open_db(":memory:")
    save_claims(database, [CLAIM], now=T0)
    store(database, *(article(99000000 + n, title=f"Synthetic trial {n}", **RCT_HUMANS)
                      for n in range(1, 41)))
    for pmid in (99000001, 99000002, 99000003):
        link(database, pmid, "supports")
    return database


@pytest.mark.parametrize("read", sorted(PER_CLAIM_READS))
def test_one_claims_reads_do_not_grow_with_the_store(db, read):
    sql, parameters = PER_CLAIM_READS[read], [CLAIM["id"]]
    before = steps(db, sql, parameters)
    store(db, *(article(99100000 + n, title=f"Cardiology record {n}") for n in range(UNRELATED)))
    after = steps(db, sql, parameters)
    assert after <= before * 1.5 + 2, f"{read}: {before} thousand steps, then {after} thousand"


def test_a_heading_with_a_subheading_costs_its_own_rows_not_the_headings(db):
    """A claim query's "Heading/subheading"[Mesh] is looked up by index (m017): editing the
    claim must not read every citation given the heading."""
    sql, parameters = condition(parse_query('"Lupus Erythematosus, Systemic/epidemiology"[Mesh]'))
    count = f"SELECT count(*) FROM citations c WHERE {sql}"
    before = steps(db, count, parameters)
    store(db, *(article(99100000 + n, mesh=("Lupus Erythematosus, Systemic",)) for n in range(UNRELATED)))
    after = steps(db, count, parameters)
    assert after <= before * 1.5 + 2, f"{before} thousand steps, then {after} thousand"


def test_a_batchs_heading_look_up_reads_its_own_records_not_the_headings(db):
    """Checking a new batch against a claim (db/candidates.py) looks a heading up in each
    batch record's own rows, never in every citation given the heading."""
    sql, parameters = condition(parse_query('"Lupus Erythematosus, Systemic"[Mesh]'), fts=BATCH_FTS)
    one_record = f"SELECT c.pmid FROM citations c WHERE c.pmid = 99000001 AND {sql}"
    before = steps(db, one_record, parameters)
    store(db, *(article(99100000 + n, mesh=("Lupus Erythematosus, Systemic",)) for n in range(UNRELATED)))
    after = steps(db, one_record, parameters)
    assert after <= before * 1.5 + 2, f"{before} thousand steps, then {after} thousand"
