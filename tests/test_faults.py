"""What an unattended ``litref fetch`` does when things go wrong around it.

Each fault is met against the local E-utilities server after a first good run
has stored seven records; each test checks the message, the exit status and
that nothing stored before was lost. (Single faults that retries absorb are in
test_fetch.py.)
"""

import datetime as dt
import hashlib
import os
import resource
import signal
import socket
import stat
import time

import pytest

from litref.fetch import harvest
from tests.eutils_server import synthetic_article
from tests.helpers import (
    ALL_PMIDS, MORE, PMIDS, QUERY, assert_intact, fetch, last_run, rows, run_fetch, start_fetch,
    write_searches,
)


@pytest.fixture
def stored(server, paths):
    """A database holding the seven records of a first, successful run; then nine to fetch."""
    assert fetch(paths).exit_code == 0
    server.add_articles(MORE)
    server.set_query(QUERY, ALL_PMIDS)
    return rows(paths["db"], "SELECT pmid, title, added_at, updated_at FROM citations ORDER BY pmid")


def assert_kept(paths, before):
    """Every row stored before is still there, unchanged, and the database is intact."""
    assert_intact(paths)
    pmids = [row["pmid"] for row in before]
    now = rows(
        paths["db"],
        f"SELECT pmid, title, added_at, updated_at FROM citations "
        f"WHERE pmid IN ({', '.join('?' * len(pmids))}) ORDER BY pmid",
        pmids,
    )
    assert now == before
    assert rows(paths["db"], "SELECT status FROM fetch_runs WHERE id = 1") == [{"status": "ok"}]


FAULTS = {
    # kind: (how many times, what the message says)
    "429": (2, "PubMed kept answering 429 Too Many Requests; gave up after 2 attempts"),
    "reset": (2, "the connection failed"),
    "truncate": (2, "the response was not complete PubMed XML"),
    "hang": (2, "PubMed did not answer within the timeout (LITREF_TIMEOUT); gave up after 2"),
    "gone": (1, "the connection failed ([Errno 111] Connection refused); gave up after 2"),
}


@pytest.mark.parametrize("kind", FAULTS)
def test_fault_after_the_first_batch(stored, server, paths, monkeypatch, kind):
    """A 429 burst longer than the retries, resets, cut bodies, timeouts, a vanished server."""
    times, message = FAULTS[kind]
    monkeypatch.setattr(harvest, "BATCH_SIZE", 3)
    monkeypatch.setenv("LITREF_ATTEMPTS", "2")
    monkeypatch.setenv("LITREF_TIMEOUT", "0.5")
    server.inject(kind, times=times, endpoint="efetch", after=1, seconds=5)
    result = fetch(paths, "--full")
    assert result.exit_code == 1, result.output
    assert "search 'msc-sle': records 4-6: " + message in result.output
    assert "The 1 batches already fetched (3 records) are stored and kept." in result.output
    run = last_run(paths)
    assert (run["status"], run["batches_done"], run["ids_retrieved"]) == ("failed", 1, 3)
    assert_kept(paths, stored)
    assert len(rows(paths["db"], "SELECT pmid FROM citations")) == 9  # 7 before + 2 new in batch 1


def test_a_response_trickling_in_fails_at_one_deadline_for_the_whole_response(stored, server, paths,
                                                                              monkeypatch):
    """A byte every 0.2 s: no single read waits LITREF_TIMEOUT (1 s), but the whole
    answer would take about half an hour; each attempt is cut off after 1 s."""
    monkeypatch.setenv("LITREF_ATTEMPTS", "2")
    monkeypatch.setenv("LITREF_TIMEOUT", "1")
    server.inject("trickle", times=2, endpoint="efetch", after=1, seconds=0.2)
    fetch_process = start_fetch(paths, "--full")
    try:
        _, stderr = fetch_process.communicate(timeout=30)
    finally:
        fetch_process.kill()
    assert fetch_process.returncode == 1, stderr
    assert ("records 4-6: PubMed did not answer within the timeout (LITREF_TIMEOUT); "
            "gave up after 2 attempts") in stderr
    assert_kept(paths, stored)


def test_two_fetches_started_together(stored, server, paths):
    """One takes the lock (its first request is held); the other stops at once, naming it."""
    hold = server.inject("hang", endpoint="esearch", seconds=30)
    requests_before = len(server.requests)
    processes = [start_fetch(paths), start_fetch(paths)]
    deadline = time.monotonic() + 60
    while all(p.poll() is None for p in processes) and time.monotonic() < deadline:
        time.sleep(0.05)
    loser = next(p for p in processes if p.poll() is not None)  # before the winner may finish
    winner = next(p for p in processes if p is not loser)
    hold.release()
    _, loser_err = loser.communicate(timeout=30)
    _, winner_err = winner.communicate(timeout=60)
    assert loser.returncode == 2, loser_err
    assert f"Another fetch is running: pid {winner.pid} on host {socket.gethostname()} since " in loser_err
    assert "This run did nothing" in loser_err
    assert winner.returncode == 0, winner_err
    assert [r["fault"] for r in server.requests[requests_before:]] == ["hang"]  # nothing new: 1 request
    assert_kept(paths, stored)
    assert len(rows(paths["db"], "SELECT id FROM fetch_runs")) == 2  # the loser logged no run


def drop_root_file_permissions():
    """Root ignores file modes; without CAP_DAC_OVERRIDE it obeys them like anyone else."""
    import ctypes

    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("read_only", ["file", "folder", "folder without lock file"])
def test_read_only_database(stored, paths, read_only):
    folder = paths["db"].parent
    assert not (folder / "citations.db-wal").exists()  # else SQLite could write there
    before = digest(paths["db"])
    if read_only == "folder without lock file":
        (folder / "citations.db-lock").unlink()
    target = paths["db"] if read_only == "file" else folder
    mode = target.stat().st_mode
    target.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    try:
        status, stderr = run_fetch(paths, preexec_fn=drop_root_file_permissions)
    finally:
        target.chmod(mode)
    assert status == 2, stderr
    if read_only == "folder without lock file":
        assert f"Cannot create the lock file {folder / 'citations.db-lock'} (Permission denied)" in stderr
    else:
        assert f"Cannot write the database {paths['db']} (" in stderr
    assert "Traceback" not in stderr
    assert digest(paths["db"]) == before
    assert_kept(paths, stored)


def test_database_path_that_cannot_be_opened(server, paths, tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    paths["db"] = tmp_path / "a-file" / "citations.db"
    result = fetch(paths)
    assert result.exit_code == 2
    assert f"Cannot create the lock file {tmp_path / 'a-file' / 'citations.db-lock'} (" in result.output
    assert server.requests == []


def limit_file_size(limit):
    """preexec_fn: files may not grow past ``limit`` bytes, and hitting it is an error, not a kill."""

    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_disk_full(stored, server, paths, tmp_path):
    """SQLite's "database or disk is full" stops the run with exit 2; what was stored stays."""
    big = [
        synthetic_article(99200000 + n, edat=dt.date(2022, 1, 1), title=f"Synthetic {'long ' * 150}{n}")
        for n in range(300)
    ]
    server.add_articles(big)
    write_searches(paths["searches"], "synthetic big", name="big")
    server.set_query("synthetic big", [a.pmid for a in big])
    limit = paths["db"].stat().st_size + 64 * 1024
    status, stderr = run_fetch(paths, batch=300, preexec_fn=limit_file_size(limit))
    assert status == 2, stderr
    # SQLite reports a write refused for the file-size limit as an I/O error; a full disk
    # would be "database or disk is full". Both get the same message.
    assert f"The database {paths['db']} could not be written: disk I/O error. The disk may be full" in stderr
    assert "Free some space" in stderr and "Traceback" not in stderr
    assert_kept(paths, stored)
    assert len(rows(paths["db"], "SELECT pmid FROM citations")) == len(PMIDS)
    status, stderr = run_fetch(paths, batch=300)  # space again: the next run does the work
    assert status == 0, stderr
    assert len(rows(paths["db"], "SELECT pmid FROM citations")) == len(PMIDS) + len(big)
    big_runs = rows(paths["db"], "SELECT status, error FROM fetch_runs WHERE search = 'big' ORDER BY id")
    assert [run["status"] for run in big_runs] == ["failed", "ok"]
    assert "disk I/O error" in big_runs[0]["error"] and "Nothing was stored" in big_runs[0]["error"]


@pytest.mark.parametrize("command", [["claims"], ["import", "sample/pubmed-sample.xml"], ["serve"]])
def test_every_writing_command_names_a_database_it_cannot_open(tmp_path, command):
    from click.testing import CliRunner

    from litref.cli import main
    from tests.helpers import PROJECT

    (tmp_path / "a-file").write_text("not a folder")
    database = tmp_path / "a-file" / "citations.db"
    args = [command[0], "--db", str(database), *[str(PROJECT / a) for a in command[1:]]]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert f"Cannot write the database {database} (" in result.output
    assert "Traceback" not in result.output
