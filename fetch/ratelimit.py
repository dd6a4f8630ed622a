"""One E-utilities rate limit for every litref process on this machine.

NCBI counts requests per IP address (3 a second, 10 with an API key), not per
process: a nightly fetch and a manual one running together must share the
allowance. Bio.Entrez only spaces the requests of its own process, so the
shared state lives in a small file, read and written under ``fcntl.flock``
(the kernel drops the lock if a process dies holding it):

    {"last_request": <unix time>, "paused_until": <unix time>}

``last_request`` is when the latest request anywhere was let through;
``paused_until`` is set after a 429 so that every process backs off, not just
the one that was told to.
"""

import fcntl
import json
import os
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

# No wait is ever longer than this. A stored time further ahead than this can
# only come from a clock set back (or a damaged file) and is ignored, so a
# clock change can never stop fetching for good.
MAX_WAIT = 300.0
EMPTY_STATE = {"last_request": 0.0, "paused_until": 0.0}


def default_path():
    """One file per user in the temporary folder: what every litref process of that user shares."""
    return Path(tempfile.gettempdir()) / f"litref-eutils-rate-{os.geteuid()}"


def check(path):
    """Create the state file if needed; raises OSError if it cannot be opened for writing."""
    os.close(_open(path))


def wait_turn(path, interval, *, clock=time.time, sleep=time.sleep):
    """Block until this process may send a request, and claim that moment for it."""
    while True:
        with _shared_state(path) as state:
            now = clock()
            ready = max(state["last_request"] + interval, state["paused_until"])
            if ready <= now or ready > now + MAX_WAIT:
                state["last_request"] = now
                return
        # Sleep without the file lock; another process may take the slot first,
        # then this one simply waits again.
        sleep(ready - now)


def pause(path, seconds, *, clock=time.time):
    """Make every process wait ``seconds`` (at most MAX_WAIT) before its next request."""
    with _shared_state(path) as state:
        until = clock() + min(seconds, MAX_WAIT)
        state["paused_until"] = max(state["paused_until"], until)


@contextmanager
def _shared_state(path):
    """The state under an exclusive lock; changes are written back on the way out."""
    fd = _open(path)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        state = _read(fd)
        before = dict(state)
        yield state
        if state != before:
            data = json.dumps(state).encode()
            os.pwrite(fd, data, 0)
            os.ftruncate(fd, len(data))
    finally:
        os.close(fd)  # also releases the flock


def _open(path):
    # O_NOFOLLOW: the default lives in the shared temporary folder, where another
    # user could plant a symlink to a file of ours.
    return os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)


def _read(fd):
    """The stored state; an empty or damaged file (a crash mid-write) counts as empty."""
    try:
        stored = json.loads(os.pread(fd, 4096, 0) or b"{}")
    except ValueError:
        stored = {}
    if not isinstance(stored, dict):
        stored = {}
    return {
        key: float(stored[key]) if isinstance(stored.get(key), (int, float)) else default
        for key, default in EMPTY_STATE.items()
    }
