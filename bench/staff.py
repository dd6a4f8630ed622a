"""A reviewer signed in to a running `litref serve`, for the benchmarks.

litref's sign-in (web/signin.py) accepts only a session it started itself, so the
benchmarks sign in as staff do: an account in the server's environment, then the
login form. Curation is posted as the claim page's JavaScript posts it.
"""

import http.client
import json
import re
import secrets
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from datasette_auth_passwords.utils import hash_password

ACCOUNT = "benchmark"
CSRF_INPUT = re.compile(r'name="csrftoken" value="([^"]+)"')
TIMEOUT = 120


def new_account():
    """(password, environment variables for `litref serve`): a quick hash, made per run."""
    password = secrets.token_urlsafe(16)
    return password, {f"LITREF_PASSWORD_HASH_{ACCOUNT.upper()}": hash_password(password, iterations=1000)}


class Reviewer:
    """One signed-in browser session: its cookies, its CSRF token, one kept-alive connection."""

    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        self.cookies, self.token = {}, None

    def sign_in(self, password):
        _, _, page = self.request("GET", "/-/login")
        self.token = CSRF_INPUT.search(page.decode()).group(1)
        _, status, _ = self.request("POST", "/-/login", {"username": ACCOUNT, "password": password,
                                                         "csrftoken": self.token})
        if status != 302 or "ds_actor" not in self.cookies:
            raise RuntimeError(f"signing in as {ACCOUNT} failed (HTTP {status})")
        return self

    def cookie_header(self):
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def curate(self, database, query, fields):
        """(milliseconds, ok, message) of one curation form, posted in the background."""
        ms, status, body = self.request("POST", f"/{database}/{query}",
                                        {**fields, "csrftoken": self.token, "_json": "1"})
        if status != 200:
            return ms, False, f"HTTP {status}: {body[:200].decode(errors='replace')}"
        answer = json.loads(body)
        return ms, bool(answer["ok"]), answer["message"]

    def request(self, method, path, form=None):
        """(milliseconds, status, body); cookies the server sets are kept."""
        headers = {"Cookie": self.cookie_header()} if self.cookies else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        try:
            response = self._send(method, path, body, headers)
        except (BrokenPipeError, ConnectionResetError):  # RemoteDisconnected is one
            # The server closes a kept-alive connection left idle (between benchmark
            # phases); a browser opens a new one, and so does this.
            self.conn.close()
            response = self._send(method, path, body, headers)
        data = response.read()
        ms = (time.perf_counter() - start) * 1000
        for header in response.headers.get_all("set-cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value:
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return ms, response.status, data

    def _send(self, method, path, body, headers):
        self.conn.request(method, path, body=body, headers=headers)
        return self.conn.getresponse()

    def close(self):
        self.conn.close()
