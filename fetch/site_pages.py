"""Reading the clinic's website pages: a page over HTTP, and the text a visitor sees.

Polite to the clinic's own server, which is not built for robots:

- one request at a time, and at least ``pause`` seconds between two requests
  to the same host;
- a user agent that names litref, and robots.txt honoured for it (RFC 9309:
  a robots.txt that is missing allows everything; one that cannot be read
  allows nothing, so the page counts as not read);
- a conditional request (If-None-Match / If-Modified-Since) when the server
  gave validators with the last copy: an unchanged page is not sent again;
- a timeout on every request, a size limit, and "429 Too Many Requests" or
  "503" answered by waiting what Retry-After asks (up to ``max_wait``) before
  the one more try; a server error or a dropped connection is tried once more
  too.

The visible text: lxml parses the HTML as browsers do (charset from the
server, else from the page), elements a browser never shows are dropped
(``NEVER_SHOWN``), and inscriptis renders the rest as text laid out as on
screen (block elements on lines of their own, scripts, styles and the
document head left out, inline ``display: none`` honoured). Nothing here
strips tags by hand.
"""

import email.utils
import time
import urllib.error
import urllib.request
import urllib.robotparser
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib.metadata import version
from urllib.parse import urlsplit

import lxml.html
from inscriptis import Inscriptis
from inscriptis.css_profiles import CSS_PROFILES
from inscriptis.model.config import ParserConfig

ROBOT_NAME = "litref"
USER_AGENT = (f"{ROBOT_NAME}/{version('litref')} (checks that the health claims quoted from "
              "this site are still on it; one request at a time)")
HTML_TYPES = ("text/html", "application/xhtml+xml")
# Elements a browser never displays (the hidden attribute; JavaScript runs, so
# <noscript> does not show; <template> is never rendered).
NEVER_SHOWN = "//*[@hidden] | //noscript | //template"
# Worth one more try: the server busy or failing, or the connection dropped.
RETRY_STATUSES = (429, 500, 502, 503, 504)


class PageFetchError(Exception):
    """The page could not be read; the message says why and what to do."""


@dataclass(frozen=True)
class PageSettings:
    timeout: float = 30.0
    pause: float = 2.0
    max_wait: float = 120.0
    attempts: int = 2
    max_bytes: int = 5_000_000
    user_agent: str = USER_AGENT


@dataclass(frozen=True)
class Reading:
    """What one request for a page gave: its visible text, or ``not_modified``."""
    text: str | None
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class PageReader:
    """Reads pages one at a time, keeping each host's robots.txt and last request time."""
    settings: PageSettings = PageSettings()
    sleep: object = time.sleep
    clock: object = time.monotonic
    _robots: dict = field(default_factory=dict)
    _last_request: dict = field(default_factory=dict)
    _opener: object = field(default_factory=urllib.request.build_opener)

    def read(self, url, *, etag=None, last_modified=None):
        """The page's visible text (a ``Reading``); raises PageFetchError."""
        if not self._robots_allow(url):
            raise PageFetchError(
                f"the site's robots.txt does not allow {ROBOT_NAME} to read {url}. Ask the web "
                f"team to allow the user agent '{ROBOT_NAME}' for the clinic's pages, or leave "
                "the page's url empty in pages.yml (litref then uses the saved copy).")
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        status, response_headers, body = self._get(url, headers)
        validators = {"etag": response_headers.get("ETag"),
                      "last_modified": response_headers.get("Last-Modified")}
        if status == 304:
            return Reading(None, not_modified=True, etag=etag, last_modified=last_modified)
        content_type = response_headers.get_content_type()
        if content_type not in HTML_TYPES:
            raise PageFetchError(f"{url} is not a web page (the server says {content_type}); "
                                 "check the page's url in pages.yml.")
        text = visible_text(body, response_headers.get_content_charset())
        if not text.strip():
            raise PageFetchError(
                f"{url} shows no text to litref (a page built by JavaScript in the browser "
                "looks empty to it); ask the web team whether the page's text is in its HTML.")
        return Reading(text, **validators)

    def _robots_allow(self, url):
        parts = urlsplit(url)
        site = f"{parts.scheme}://{parts.netloc}"
        if site not in self._robots:
            self._robots[site] = self._read_robots(site + "/robots.txt")
        return self._robots[site].can_fetch(ROBOT_NAME, url)

    def _read_robots(self, robots_url):
        parser = urllib.robotparser.RobotFileParser(robots_url)
        try:
            status, _, body = self._get(robots_url, {})
        except PageFetchError as error:
            raise PageFetchError(f"its robots.txt could not be read ({error}), so litref did "
                                 "not read the page (RFC 9309: an unreadable robots.txt "
                                 "allows nothing); it tries again next time.") from error
        # A missing robots.txt (404, 410...) allows everything.
        parser.parse(body.decode("utf-8", "replace").splitlines() if status == 200 else [])
        return parser

    def _get(self, url, headers):
        """(status, headers, body) of a GET; 304 and client errors are answers, not
        failures; busy or failing servers get one more try."""
        for attempt in range(1, self.settings.attempts + 1):
            try:
                return self._request(url, headers)
            except _Retryable as problem:
                if attempt == self.settings.attempts:
                    raise PageFetchError(f"{problem} (tried {attempt} times)") from None
                wait = problem.retry_after
                if wait is not None and wait > self.settings.max_wait:
                    raise PageFetchError(f"{problem}, and asked litref to wait {wait:.0f} s "
                                         "before trying again; it tries again next time.") from None
                self.sleep(max(wait or 0, self.settings.pause))

    def _request(self, url, headers):
        self._wait_turn(urlsplit(url).netloc)
        request = urllib.request.Request(url, headers={**headers, "User-Agent": self.settings.user_agent})
        try:
            with self._opener.open(request, timeout=self.settings.timeout) as response:
                return response.status, response.headers, self._body(response, url)
        except urllib.error.HTTPError as error:
            if error.code in RETRY_STATUSES:
                raise _Retryable(f"the server answered {error.code} {error.reason}",
                                 retry_after(error.headers.get("Retry-After"))) from None
            if error.code == 304 or (400 <= error.code < 500 and url.endswith("/robots.txt")):
                return error.code, error.headers, b""
            raise PageFetchError(f"the server answered {error.code} {error.reason} for {url}; "
                                 "check the page's url in pages.yml.") from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise _Retryable(f"the connection to {urlsplit(url).netloc} failed ({reason})", None) from None
        finally:
            self._last_request[urlsplit(url).netloc] = self.clock()

    def _wait_turn(self, host):
        last = self._last_request.get(host)
        if last is not None:
            self.sleep(max(0.0, last + self.settings.pause - self.clock()))

    def _body(self, response, url):
        body = response.read(self.settings.max_bytes + 1)
        if len(body) > self.settings.max_bytes:
            raise PageFetchError(f"{url} is larger than {self.settings.max_bytes:,} bytes; "
                                 "check the page's url in pages.yml.")
        return body


class _Retryable(Exception):
    def __init__(self, message, retry_after):
        super().__init__(message)
        self.retry_after = retry_after


def retry_after(value, now=None):
    """Seconds a Retry-After header asks for (a number of seconds, or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment - (now or datetime.now(timezone.utc))).total_seconds())


def visible_text(html, charset=None):
    """The text a visitor sees on an HTML page (bytes or str), laid out as on screen."""
    tree = _parse(html, charset)
    for hidden in tree.xpath(NEVER_SHOWN):
        hidden.drop_tree()
    return Inscriptis(tree, ParserConfig(css=CSS_PROFILES["strict"])).get_text()


def _parse(html, charset):
    """The HTML as a tree: in the charset the server named; else UTF-8 (what browsers
    try first); else as the page's <meta> says (libxml2 reads it)."""
    if isinstance(html, bytes) and charset:
        try:
            return lxml.html.document_fromstring(html, parser=lxml.html.HTMLParser(encoding=charset))
        except LookupError:  # a charset nobody knows: as if the server had named none
            pass
    if isinstance(html, bytes):
        try:
            return lxml.html.document_fromstring(html.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):  # not UTF-8; or XHTML declaring its encoding
            pass
    return lxml.html.document_fromstring(html)


def read_snapshot(path):
    """A saved copy of a page: its text as it is (an .html copy: its visible text)."""
    data = path.read_bytes()
    return visible_text(data) if path.suffix.lower() in (".html", ".htm") else data.decode("utf-8")
