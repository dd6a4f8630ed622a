"""One ``litref fetch`` at a time per database.

The lock is an ``fcntl.flock`` on a file beside the database (``<db>-lock``),
held for the whole run. The kernel releases a flock when its process ends, however
it ends, so a killed fetch can never block the next one. The file also records
who holds it (pid, host, command, start time) for the message a second fetch
prints; a file that still names a holder when the lock is free was left by a
run that died, and the new run says it took over.
"""

import fcntl
import json
import os
import socket
import time
from contextlib import contextmanager
from pathlib import Path

# A fetch that has just taken the lock writes its details a moment later.
HOLDER_READ_TRIES = 20
HOLDER_READ_PAUSE = 0.05


class LockError(Exception):
    """The fetch lock is held by another process, or its file cannot be used."""


class LockHeld(LockError):
    def __init__(self, path, holder):
        self.holder = holder
        super().__init__(
            f"Another fetch is running: {describe(holder)} (lock file {path}). "
            "This run did nothing; the next scheduled run will go ahead once that one ends."
        )


def path_for(db_path):
    """``<db>-lock`` beside the real database file (SQLite names its own files ``<db>-wal``...)."""
    resolved = Path(db_path).resolve()
    return resolved.with_name(resolved.name + "-lock")


def describe(holder):
    """'pid 123 on host x since 2025-01-02T03:04:05+00:00 (litref fetch)'."""
    if not holder:
        return "a process that has not yet recorded its details"
    return (
        f"pid {holder.get('pid')} on host {holder.get('host')} since {holder.get('started')} "
        f"({holder.get('command')})"
    )


@contextmanager
def held(path, *, command, now):
    """Hold the lock for the ``with`` block; yields the holder a dead run left behind, or None.

    Raises LockHeld if another live process holds it, LockError if the file
    cannot be created or opened.
    """
    fd = _open(Path(path))
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockHeld(path, _wait_for_holder(fd)) from None
        left_behind = _read(fd)
        me = {"pid": os.getpid(), "host": socket.gethostname(), "command": command, "started": now}
        _write(fd, json.dumps(me).encode())
        try:
            yield left_behind
        finally:
            _write(fd, b"")  # an empty file: released by a process that ended normally
    finally:
        os.close(fd)  # releases the flock


def _open(path):
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise LockError(
            f"Cannot create the lock file {path} ({error.strerror}). litref fetch writes it "
            "beside the database: the user running litref needs write permission on "
            f"{path.parent}, or choose another database with --db or LITREF_DB."
        ) from error


def _write(fd, data):
    os.ftruncate(fd, 0)
    os.pwrite(fd, data, 0)


def _read(fd):
    """The recorded holder, or None for an empty or damaged file."""
    try:
        holder = json.loads(os.pread(fd, 4096, 0))
    except ValueError:
        return None
    return holder if isinstance(holder, dict) else None


def _wait_for_holder(fd):
    for _ in range(HOLDER_READ_TRIES):
        holder = _read(fd)
        if holder:
            return holder
        time.sleep(HOLDER_READ_PAUSE)
    return None
