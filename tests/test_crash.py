"""A ``litref fetch`` process killed with SIGKILL leaves a usable database.

The fetch runs in a subprocess against the local E-utilities server, which
holds an efetch (or cuts it off mid-body) so that the kill lands at a known
point: before the first batch, between batches, mid-download, and inside the
transaction of a batch. Afterwards the database must be intact with no
half-written batch or orphaned rows, and a second run must finish the work,
record the killed run as interrupted and say it took over the lock.
"""

import json
import os
import signal
import socket

import pytest

from litref.db import lock
from tests.helpers import (
    ALL_PMIDS, BATCH, MORE, QUERY, assert_intact, fetch, last_run, rows, start_fetch,
)

CHILD_TABLES = (
    "citation_authors", "citation_mesh", "citation_publication_types", "citation_keywords",
    "citation_grants", "citation_databanks", "citation_links", "search_hits",
)
# Dies inside the second batch's transaction: its rows are written, not committed.
DIE_IN_SECOND_BATCH = """
import os, signal
from litref.db import runs
save_records, batches = runs.save_records, []
def save_then_die(db, items, **kwargs):
    counts = save_records(db, items, **kwargs)
    batches.append(counts)
    if len(batches) == 2:
        os.kill(os.getpid(), signal.SIGKILL)
    return counts
runs.save_records = save_then_die
"""


def kill_when_held(process, fault):
    """SIGKILL the fetch once the server holds its request."""
    if not fault.reached.wait(30):
        process.kill()
        pytest.fail("the fetch never reached the held request:\n" + process.communicate()[1])
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL


def count(paths, table):
    return rows(paths["db"], f"SELECT count(*) AS n FROM {table}")[0]["n"]


def assert_consistent(paths):
    """Intact, no orphaned child rows, and exactly the records of the batches the runs finished."""
    assert_intact(paths)
    for table in CHILD_TABLES:
        orphans = f"SELECT count(*) AS n FROM {table} WHERE pmid NOT IN (SELECT pmid FROM citations)"
        assert rows(paths["db"], orphans) == [{"n": 0}], table
    done = rows(paths["db"], "SELECT coalesce(sum(ids_retrieved), 0) AS n FROM fetch_runs")[0]["n"]
    assert count(paths, "citations") == done
    assert count(paths, "search_hits") == done
    batches = rows(paths["db"], "SELECT coalesce(sum(batches_done), 0) AS n FROM fetch_runs")[0]["n"]
    assert done == batches * BATCH  # whole batches only


@pytest.fixture
def nine(server):
    server.add_articles(MORE)
    server.set_query(QUERY, ALL_PMIDS)
    return server


@pytest.mark.parametrize(
    ("point", "fault_kwargs", "stored"),
    [
        ("before the first batch", {"kind": "hang"}, 0),
        ("between batches", {"kind": "hang", "after": 1}, BATCH),
        ("mid-download of a batch", {"kind": "stall", "after": 1}, BATCH),
    ],
)
def test_sigkill_while_fetching(nine, paths, point, fault_kwargs, stored):
    fault = nine.inject(endpoint="efetch", seconds=30, **fault_kwargs)
    process = start_fetch(paths)
    kill_when_held(process, fault)
    assert count(paths, "citations") == stored, point
    assert_consistent(paths)
    assert last_run(paths)["status"] == "running"  # what a killed process leaves
    assert_second_run_finishes(paths, process.pid)


def test_sigkill_inside_a_batch_transaction(nine, paths):
    process = start_fetch(paths, code=DIE_IN_SECOND_BATCH)
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL
    assert count(paths, "citations") == BATCH  # the second batch's written rows were rolled back
    assert_consistent(paths)
    assert_second_run_finishes(paths, process.pid)


def assert_second_run_finishes(paths, killed_pid):
    killed = last_run(paths)
    result = fetch(paths)
    assert result.exit_code == 0, result.output
    assert f"Took over the fetch lock left by pid {killed_pid} on host" in result.output
    assert f"recorded as interrupted (fetch_runs id {killed['id']})" in result.output
    assert [r["pmid"] for r in rows(paths["db"], "SELECT pmid FROM citations ORDER BY pmid")] == ALL_PMIDS
    assert count(paths, "search_hits") == len(ALL_PMIDS)
    one_each = "SELECT pmid FROM citation_authors GROUP BY pmid HAVING count(*) != 1"
    assert rows(paths["db"], one_each) == []  # no record's child rows written twice
    assert_intact(paths)
    closed = rows(paths["db"], "SELECT status, error FROM fetch_runs WHERE id = ?", [killed["id"]])[0]
    assert closed["status"] == "interrupted"
    assert closed["error"].startswith("Interrupted: the fetch stopped without finishing")
    assert last_run(paths)["status"] == "ok"


def test_a_second_kill_during_the_rerun_loses_nothing(nine, paths):
    first = nine.inject("hang", endpoint="efetch", seconds=30, after=1)
    kill_when_held(start_fetch(paths), first)
    second = nine.inject("stall", endpoint="efetch", seconds=30, after=1)
    kill_when_held(start_fetch(paths), second)
    assert count(paths, "citations") == BATCH  # the rerun's first batch repeated the stored one
    assert_intact(paths)
    assert [r["status"] for r in rows(paths["db"], "SELECT status FROM fetch_runs ORDER BY id")] == [
        "interrupted", "running",
    ]
    assert fetch(paths).exit_code == 0
    assert count(paths, "citations") == len(ALL_PMIDS)


def test_lock_file_names_the_running_fetch_and_is_emptied_after(nine, paths):
    fault = nine.inject("hang", endpoint="esearch", seconds=30)
    process = start_fetch(paths)
    assert fault.reached.wait(30)
    lock_text = (paths["db"].parent / "citations.db-lock").read_text()
    assert f'"pid": {process.pid}' in lock_text and '"command": "litref fetch --db' in lock_text
    fault.release()
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    assert (paths["db"].parent / "citations.db-lock").read_text() == ""
    assert os.path.getsize(paths["db"]) > 0


# -- the lock itself (db/lock.py) ----------------------------------------------


def test_lock_refuses_a_second_holder_and_names_the_first(tmp_path):
    path = lock.path_for(tmp_path / "citations.db")
    with lock.held(path, command="litref fetch", now="2025-01-02T03:04:05+00:00") as left_behind:
        assert left_behind is None
        with pytest.raises(lock.LockHeld) as refused:
            with lock.held(path, command="litref fetch --full", now="later"):
                pass
    assert str(refused.value).startswith(
        f"Another fetch is running: pid {os.getpid()} on host {socket.gethostname()} "
        f"since 2025-01-02T03:04:05+00:00 (litref fetch) (lock file {path})."
    )
    with lock.held(path, command="litref fetch", now="later") as left_behind:
        assert left_behind is None  # released cleanly, even though the inner block failed


def test_lock_left_by_a_dead_process_is_taken_over(tmp_path):
    path = tmp_path / "citations.db-lock"
    dead = {"pid": 4242, "host": "old-host", "command": "litref fetch", "started": "yesterday"}
    path.write_text(json.dumps(dead))  # what a killed fetch leaves: details, but no flock
    with lock.held(path, command="litref fetch", now="today") as left_behind:
        assert left_behind == dead
        assert json.loads(path.read_text())["pid"] == os.getpid()
    assert lock.describe(left_behind) == "pid 4242 on host old-host since yesterday (litref fetch)"
