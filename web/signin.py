"""Staff sign-in: accounts from the environment, a limit on failed attempts, and
sessions that end at logout or after a working day (the hooks are in
web/plugins/accounts.py).

- **Accounts**: one ``LITREF_PASSWORD_HASH_<NAME>`` variable per reviewer, holding
  a hash made by ``datasette hash-password`` (pbkdf2). The user name is NAME,
  matched without regard to case ("Alice" signs in as alice).
- **Failed attempts**: after ``MAX_FAILURES`` failures for one user name, or from
  one address, within ``FAILURE_WINDOW`` seconds, further attempts are refused
  (HTTP 429) until the oldest of them is that old. Kept in memory: a restart
  forgets them, as it forgets the sessions.
- **Sessions**: the signed ``ds_actor`` cookie carries a session id and an expiry;
  the session must also be live in this process (``Sessions``). Logging out ends
  it, so a copy of the cookie stops working; so does restarting the server.
"""

import os
import secrets
import weakref
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from datasette.utils import baseconv
from itsdangerous import BadData

from litref.evidence.settings import positive_number

HASH_VARIABLE_PREFIX = "LITREF_PASSWORD_HASH_"
MAX_FAILURES = 5
FAILURE_WINDOW = 15 * 60
DEFAULT_SESSION_HOURS = 10.0  # a working day
COOKIE = "ds_actor"
# Attempts are forgotten once older than the window; pruned when this many names and
# addresses are tracked, so guessing with made-up names cannot fill the memory.
PRUNE_ABOVE = 1000


def accounts(environ=os.environ):
    """{user name (lower case): password hash} for every non-empty LITREF_PASSWORD_HASH_<NAME>."""
    return {
        variable[len(HASH_VARIABLE_PREFIX):].lower(): value.strip()
        for variable, value in environ.items()
        if variable.startswith(HASH_VARIABLE_PREFIX)
        and len(variable) > len(HASH_VARIABLE_PREFIX)
        and value.strip()
    }


def session_seconds(environ=os.environ):
    """How long a sign-in lasts: ``LITREF_SESSION_HOURS`` (default 10), in seconds."""
    return positive_number(environ, "LITREF_SESSION_HOURS", DEFAULT_SESSION_HOURS, " of hours") * 3600


def secure_cookies_always(environ=os.environ):
    """``LITREF_SECURE_COOKIE=1``: mark the cookie Secure even when the request looks like
    plain HTTP (a proxy that terminates HTTPS without saying so)."""
    return environ.get("LITREF_SECURE_COOKIE", "") == "1"


def local_path(target):
    """``target`` if it is a path on this site (the login form's ``next``), else "/":
    a sign-in never sends anyone to another website."""
    target = target or ""
    parts = urlsplit(target)
    if (not target.startswith("/") or target.startswith("//") or parts.scheme or parts.netloc
            or "\\" in target or any(ord(c) < 32 for c in target)):
        return "/"
    return target


class FailureLimit:
    """Failed sign-ins per user name and per address, in the last FAILURE_WINDOW seconds.

    An attempt counts as failed from the moment it starts (so parallel guesses are
    counted before their passwords are checked) until it succeeds.
    """

    def __init__(self, limit=MAX_FAILURES, window=FAILURE_WINDOW):
        self.limit, self.window = limit, window
        self.failures = {}  # key → times of failures, oldest first

    def retry_at(self, keys, now):
        """When the next attempt for these keys is allowed, or None if it is allowed now."""
        waits = [
            times[-self.limit] + self.window
            for times in (self._recent(key, now) for key in keys)
            if len(times) >= self.limit
        ]
        return max(waits) if waits else None

    def start(self, keys, now):
        if len(self.failures) > PRUNE_ABOVE:
            for key in list(self.failures):
                self._recent(key, now)
        for key in keys:
            self.failures.setdefault(key, []).append(now)

    def succeeded(self, name_key, address_key, started):
        """A right password: the name's failures are forgiven; the address keeps its others."""
        self.failures.pop(name_key, None)
        times = self.failures.get(address_key, [])
        if started in times:
            times.remove(started)

    def _recent(self, key, now):
        times = [t for t in self.failures.get(key, []) if t > now - self.window]
        if times:
            self.failures[key] = times
        else:
            self.failures.pop(key, None)
        return times


class Sessions:
    """Live sessions: id → (user name, expiry). Only these sign anyone in."""

    def __init__(self):
        self.live = {}

    def start(self, name, now, seconds):
        self.live = {sid: s for sid, s in self.live.items() if s[1] > now}
        sid = secrets.token_urlsafe(32)
        self.live[sid] = (name, now + seconds)
        return sid

    def name(self, sid, now):
        session = self.live.get(sid)
        if session is None or session[1] <= now:
            return None
        return session[0]

    def end(self, sid):
        self.live.pop(sid, None)


@dataclass
class SignIn:
    """The sign-in state of one Datasette instance."""

    failures: FailureLimit = field(default_factory=FailureLimit)
    sessions: Sessions = field(default_factory=Sessions)

    def cookie(self, datasette, name, *, now, seconds):
        """A new session for ``name``: the signed cookie value."""
        sid = self.sessions.start(name, now, seconds)
        expires = baseconv.base62.encode(int(now + seconds))
        return datasette.sign({"a": {"id": name}, "e": expires, "s": sid}, "actor")

    def actor(self, datasette, cookie, *, now):
        """The actor of a cookie naming a live session, else None."""
        session = _unsigned(datasette, cookie)
        if session is None:
            return None
        name = self.sessions.name(session.get("s"), now)
        actor = session.get("a")
        if name is None or not isinstance(actor, dict) or actor.get("id") != name:
            return None
        return actor

    def end(self, datasette, cookie):
        session = _unsigned(datasette, cookie)
        if session is not None:
            self.sessions.end(session.get("s"))


def _unsigned(datasette, cookie):
    if not cookie:
        return None
    try:
        session = datasette.unsign(cookie, "actor")
    except BadData:  # a bad signature, or not even signed text
        return None
    return session if isinstance(session, dict) else None


_states = weakref.WeakKeyDictionary()


def state(datasette):
    """The SignIn of this Datasette (tests run several in one process)."""
    if datasette not in _states:
        _states[datasette] = SignIn()
    return _states[datasette]

