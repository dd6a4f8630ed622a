"""One E-utilities rate limit shared by every litref process (fetch/ratelimit.py)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from litref.fetch import eutils, ratelimit
from tests.helpers import fetch

PROJECT = Path(__file__).resolve().parents[1]


class FakeTime:
    """clock() and sleep() for one simulated process; sleeping moves its clock on."""

    def __init__(self, now=1_000_000.0):
        self.now = now
        self.slept = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(round(seconds, 3))
        self.now += seconds


def turn(path, fake, interval=0.5):
    ratelimit.wait_turn(path, interval, clock=fake.clock, sleep=fake.sleep)


def test_requests_are_spaced_by_the_interval(tmp_path):
    fake = FakeTime()
    for _ in range(3):
        turn(tmp_path / "rate", fake)
    assert fake.slept == [0.5, 0.5]
    assert json.loads((tmp_path / "rate").read_text())["last_request"] == fake.now


def test_the_file_is_what_processes_share(tmp_path):
    one, two = FakeTime(), FakeTime()
    turn(tmp_path / "rate", one)
    turn(tmp_path / "rate", two)  # same moment, another process: it must wait its turn
    assert (one.slept, two.slept) == ([], [0.5])


def test_a_pause_holds_back_every_process(tmp_path):
    one, two = FakeTime(), FakeTime()
    turn(tmp_path / "rate", one)
    ratelimit.pause(tmp_path / "rate", 4.0, clock=one.clock)
    ratelimit.pause(tmp_path / "rate", 1.0, clock=one.clock)  # a shorter pause never shortens one
    turn(tmp_path / "rate", two)
    assert two.slept == [4.0]
    turn(tmp_path / "rate", one)  # and then the interval after the other's request
    assert one.slept == [4.5]


def test_pauses_are_capped(tmp_path):
    fake = FakeTime()
    ratelimit.pause(tmp_path / "rate", 10 * ratelimit.MAX_WAIT, clock=fake.clock)
    turn(tmp_path / "rate", fake)
    assert fake.slept == [ratelimit.MAX_WAIT]


def test_a_clock_set_back_does_not_stop_fetching(tmp_path):
    later = FakeTime(now=2_000_000.0)
    turn(tmp_path / "rate", later)
    ratelimit.pause(tmp_path / "rate", 60, clock=later.clock)
    earlier = FakeTime(now=1_000_000.0)  # the machine's clock went back a long way
    turn(tmp_path / "rate", earlier)
    assert earlier.slept == []


@pytest.mark.parametrize("content", ["", "{not json", "[1, 2]", '{"last_request": "soon"}'])
def test_a_damaged_state_file_counts_as_empty(tmp_path, content):
    (tmp_path / "rate").write_text(content)
    fake = FakeTime()
    turn(tmp_path / "rate", fake)
    turn(tmp_path / "rate", fake)
    assert fake.slept == [0.5]


def test_the_interval_follows_the_api_key(tmp_path):
    with_key = eutils.settings_from_env({"NCBI_EMAIL": "a@b.org", "NCBI_API_KEY": "k"})
    without = eutils.settings_from_env({"NCBI_EMAIL": "a@b.org", "LITREF_RATE_FILE": str(tmp_path / "r")})
    assert (with_key.request_interval, without.request_interval) == (0.11, 0.37)
    assert with_key.rate_file == ratelimit.default_path()
    assert without.rate_file == tmp_path / "r"


def test_an_unusable_rate_file_is_a_configuration_error(server, paths, monkeypatch, tmp_path):
    monkeypatch.setenv("LITREF_RATE_FILE", str(tmp_path / "no-such-folder" / "rate"))
    result = fetch(paths)
    assert result.exit_code == 2
    assert f"Cannot use the rate-limit file {tmp_path / 'no-such-folder' / 'rate'} (" in result.output
    assert "Set LITREF_RATE_FILE" in result.output
    assert server.requests == []


# -- several processes against the local E-utilities server -------------------

WORKER = """
import sys
from litref.fetch import eutils
settings = eutils.settings_from_env()
eutils.configure(settings)
print("ready", flush=True)
sys.stdin.readline()
for _ in range(int(sys.argv[2])):
    eutils.esearch(settings, sys.argv[1], "rate test")
"""


def run_workers(terms, requests_each):
    """Processes that each make ``requests_each`` esearches, started at the same moment."""
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, term, str(requests_each)], cwd=PROJECT,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for term in terms
    ]
    for worker in workers:
        assert worker.stdout.readline() == "ready\n", worker.stderr.read()
    for worker in workers:
        worker.stdin.write("go\n")
        worker.stdin.flush()
    for worker in workers:
        _, stderr = worker.communicate(timeout=60)
        assert worker.returncode == 0, stderr


def most_in_one_second(times):
    return max(sum(1 for t in times if start <= t < start + 1.0) for start in times)


def timed_terms(server):
    return [(t, r["params"]["term"]) for t, r in zip(server.request_times, server.requests)]


def test_two_processes_together_stay_within_the_limit(server):
    run_workers(["worker-a", "worker-b"], 12)
    timed = timed_terms(server)
    assert len(timed) == 24
    # Each alone would go at 10 a second: 20 a second together without the shared limit.
    assert most_in_one_second([t for t, _ in timed]) <= 11
    first = {term: min(t for t, w in timed if w == term) for term in ("worker-a", "worker-b")}
    last = {term: max(t for t, w in timed if w == term) for term in ("worker-a", "worker-b")}
    assert first["worker-a"] < last["worker-b"] and first["worker-b"] < last["worker-a"]  # overlapped


def test_a_429_seen_by_one_process_holds_back_the_other(server, monkeypatch):
    monkeypatch.setenv("LITREF_BACKOFF", "1")  # the pause after a first 429: 0.5 to 1.5 s
    server.inject("429", endpoint="esearch", after=6)
    run_workers(["worker-a", "worker-b"], 8)
    timed = timed_terms(server)
    refused = [t for t, r in zip(server.request_times, server.requests) if r["fault"] == "429"]
    assert len(refused) == 1 and len(timed) == 17
    # Without a shared pause the other process would send 4 requests in this time; a
    # request let through just before the pause was written may still arrive.
    assert sum(1 for t, _ in timed if refused[0] < t < refused[0] + 0.45) <= 1
