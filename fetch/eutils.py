"""Talking to PubMed's E-utilities through Bio.Entrez.

Bio.Entrez does the requests and NCBI's identification (tool, email, api_key).
What it lacks, this module adds: a base URL for a mirror or a test server, a
deadline for each whole response (urlopen has no timeout at all, and a socket
timeout limits each read, so a server sending a byte a second would hold a
nightly run for ever), retries with exponential backoff and jitter (Biopython retries
429 and 5xx at once, without waiting, which is exactly what makes NCBI block an
IP), and a rate limit shared by every litref process on the machine
(fetch/ratelimit.py; Bio.Entrez's own limit is per process).
"""

import functools
import http.client
import io
import os
import random
import socket
import ssl
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.error import HTTPError, URLError

from Bio import Entrez
from Bio.Entrez.Parser import CorruptedXMLError, NotXMLError, ValidationError

from litref.evidence.settings import positive_number
from litref.fetch import pubmed_xml, ratelimit

NCBI_BASE_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
TOOL = "litref"
ESEARCH_CAP = 9999  # PubMed hands out at most the first 9,999 ids of any search
# Seconds between requests: a little under NCBI's 3 a second, or 10 with an API
# key, so that network jitter cannot push the arrivals over the limit.
REQUEST_INTERVAL = 0.37
REQUEST_INTERVAL_WITH_KEY = 0.11

# Failures worth another try: NCBI overloaded or rate-limiting, the network
# dropping, a body cut short or an HTML maintenance page instead of XML.
TRANSIENT = (
    URLError,
    ConnectionError,
    TimeoutError,
    http.client.HTTPException,
    NotXMLError,
    CorruptedXMLError,
    ValidationError,
    pubmed_xml.NotPubmedXML,
)


class ConfigError(Exception):
    """Missing or invalid configuration; the message says what to set."""


class PubMedError(Exception):
    """PubMed could not be reached, or answered with something unusable."""


class QueryRejected(PubMedError):
    """PubMed refused a query (its <ERROR>)."""


@dataclass(frozen=True)
class Settings:
    email: str
    api_key: str | None
    base_url: str
    timeout: float
    attempts: int
    backoff: float
    rate_file: Path

    @property
    def request_interval(self):
        return REQUEST_INTERVAL_WITH_KEY if self.api_key else REQUEST_INTERVAL


def settings_from_env(environ=os.environ):
    """Read NCBI_EMAIL, NCBI_API_KEY, LITREF_EUTILS_URL, the retry settings and LITREF_RATE_FILE."""
    email = environ.get("NCBI_EMAIL", "").strip()
    if not email:
        raise ConfigError(
            "NCBI_EMAIL is not set. NCBI asks every E-utilities user for a contact "
            "address: run `export NCBI_EMAIL=you@your-clinic.example` (or set it in "
            "the systemd unit / crontab) and try again."
        )
    base_url = environ.get("LITREF_EUTILS_URL") or NCBI_BASE_URL
    return Settings(
        email=email,
        api_key=environ.get("NCBI_API_KEY") or None,
        base_url=base_url if base_url.endswith("/") else base_url + "/",
        timeout=_number(environ, "LITREF_TIMEOUT", 60.0),
        attempts=int(_number(environ, "LITREF_ATTEMPTS", 5)),
        backoff=_number(environ, "LITREF_BACKOFF", 2.0),
        rate_file=Path(environ.get("LITREF_RATE_FILE") or ratelimit.default_path()),
    )


def _number(environ, name, default):
    try:
        return positive_number(environ, name, default)
    except ValueError as error:
        raise ConfigError(str(error)) from None


class RouteToBaseUrl(urllib.request.BaseHandler):
    """Sends Bio.Entrez's hard-coded NCBI URLs to another E-utilities server."""

    # Before HTTPSHandler's own pre-processing, which copies the host into the
    # Host header: a mirror behind a virtual host must see its own name there.
    handler_order = 100

    def __init__(self, base_url):
        self.base_url = base_url

    def https_request(self, request):
        if request.full_url.startswith(NCBI_BASE_URL):
            # Setting full_url re-parses it, so an http:// base is opened as http.
            request.full_url = self.base_url + request.full_url[len(NCBI_BASE_URL):]
        return request


class _DeadlineReader(io.RawIOBase):
    """A socket's reads for one response, each allowed only the time left before the deadline."""

    def __init__(self, sock, deadline):
        super().__init__()
        # The socket's own raw file: it keeps the socket open while the response is read.
        self.sock, self.raw, self.deadline = sock, sock.makefile("rb", buffering=0), deadline

    def readable(self):
        return True

    def readinto(self, buffer):
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the whole response took longer than LITREF_TIMEOUT")
        self.sock.settimeout(left)
        return self.raw.readinto(buffer)

    def close(self):
        self.raw.close()
        super().close()


class _DeadlineSocket:
    """A connected socket whose responses are read through a _DeadlineReader."""

    def __init__(self, sock, deadline):
        self._sock, self._deadline = sock, deadline

    def makefile(self, mode="r", *args, **kwargs):
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline))

    def __getattr__(self, name):
        return getattr(self._sock, name)


class _Deadline:
    """An http.client connection that must finish its response within ``seconds``
    of connecting (written by hand: neither urllib nor http.client has a limit on a
    whole response)."""

    def __init__(self, *args, seconds, **kwargs):
        super().__init__(*args, **kwargs)
        self.seconds = seconds

    def connect(self):
        super().connect()
        self.sock = _DeadlineSocket(self.sock, time.monotonic() + self.seconds)


class _DeadlineHTTPConnection(_Deadline, http.client.HTTPConnection):
    pass


class _DeadlineHTTPSConnection(_Deadline, http.client.HTTPSConnection):
    pass


class DeadlineHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, seconds):
        super().__init__()
        self.seconds = seconds

    def http_open(self, req):
        return self.do_open(functools.partial(_DeadlineHTTPConnection, seconds=self.seconds), req)


class DeadlineHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, seconds):
        self.tls = ssl.create_default_context()
        super().__init__(context=self.tls)
        self.seconds = seconds

    def https_open(self, req):
        return self.do_open(functools.partial(_DeadlineHTTPSConnection, seconds=self.seconds), req,
                            context=self.tls)


def configure(settings):
    """Apply settings to Bio.Entrez and urllib (both are process-wide).

    Raises ConfigError if the shared rate-limit file cannot be written.
    """
    try:
        ratelimit.check(settings.rate_file)
    except OSError as error:
        raise ConfigError(
            f"Cannot use the rate-limit file {settings.rate_file} ({error.strerror}). "
            "Set LITREF_RATE_FILE to a file the user running litref may create and write "
            "(the same file for every litref process on this machine)."
        ) from error
    Entrez.email = settings.email
    Entrez.tool = TOOL
    Entrez.api_key = settings.api_key
    Entrez.max_tries = 1  # retried here instead, with backoff
    socket.setdefaulttimeout(settings.timeout)  # connecting
    handlers = [DeadlineHTTPHandler(settings.timeout), DeadlineHTTPSHandler(settings.timeout)]
    if settings.base_url != NCBI_BASE_URL:
        handlers.append(RouteToBaseUrl(settings.base_url))
    urllib.request.install_opener(urllib.request.build_opener(*handlers))


def with_retries(settings, action, what):
    """Run ``action()``; on a transient failure wait and try again, up to settings.attempts.

    Each attempt first waits for its turn under the shared rate limit. A 429
    pauses every litref process, not only this one: the others would otherwise
    go on spending the allowance NCBI just said was used up.
    """
    for attempt in range(1, settings.attempts + 1):
        ratelimit.wait_turn(settings.rate_file, settings.request_interval)
        try:
            return action()
        except HTTPError as error:
            if error.code != 429 and error.code < 500:
                raise PubMedError(f"{what}: PubMed refused the request (HTTP {error.code}).") from error
            failure = error
        except TRANSIENT as error:
            failure = error
        _back_off(settings, attempt, failure)
    raise PubMedError(
        f"{what}: {describe_failure(failure)}; gave up after {settings.attempts} attempts. "
        "PubMed may be busy or down: the next run will try again. If it keeps failing, "
        "check the network and LITREF_EUTILS_URL."
    ) from failure


def _back_off(settings, attempt, failure):
    """Wait before the next try. A 429 pauses every litref process, even after the last try."""
    seconds = _delay(settings, attempt, failure)
    if isinstance(failure, HTTPError) and failure.code == 429:
        ratelimit.pause(settings.rate_file, seconds)  # every next wait_turn sleeps it out
    elif attempt < settings.attempts:
        time.sleep(seconds)


def _delay(settings, attempt, failure):
    retry_after = getattr(failure, "headers", None) and failure.headers.get("Retry-After")
    if retry_after and retry_after.isdigit():
        return float(retry_after)
    # Exponential backoff with jitter, so parallel clients do not retry in step.
    return settings.backoff * 2 ** (attempt - 1) * random.uniform(0.5, 1.5)


def describe_failure(error):
    """A staff-readable line for a transient failure."""
    if isinstance(error, HTTPError):
        if error.code == 429:
            return "PubMed kept answering 429 Too Many Requests"
        return f"PubMed kept answering HTTP {error.code} (server error)"
    if isinstance(error, TimeoutError) or "timed out" in str(error):
        return "PubMed did not answer within the timeout (LITREF_TIMEOUT)"
    if isinstance(error, (NotXMLError, CorruptedXMLError, ValidationError, pubmed_xml.NotPubmedXML)):
        return f"the response was not complete PubMed XML ({error})"
    return f"the connection failed ({error.reason if isinstance(error, URLError) else error})"


def esearch(settings, term, what, **params):
    """One esearch; returns Bio.Entrez's parsed result, with PubMed's ErrorList and
    WarningList for the caller to judge (fetch/harvest.py).

    Raises QueryRejected for PubMed's <ERROR>.
    """

    def action():
        handle = Entrez.esearch(db="pubmed", term=term, **params)
        try:
            return Entrez.read(handle)
        except RuntimeError as error:  # Bio.Entrez raises PubMed's <ERROR> text this way
            raise QueryRejected(f"{what}: PubMed rejected the query: {error}") from error
        finally:
            handle.close()

    return with_retries(settings, action, what)


def efetch_history(settings, webenv, query_key, retstart, retmax, what):
    """Records retstart..retstart+retmax of a history-server search, parsed while streaming."""
    return _efetch(settings, what, WebEnv=webenv, query_key=query_key, retstart=retstart, retmax=retmax)


def efetch_ids(settings, pmids, what):
    """The records of these PMIDs (Bio.Entrez POSTs long id lists)."""
    return _efetch(settings, what, id=[str(pmid) for pmid in pmids])


def _efetch(settings, what, **params):
    def action():
        handle = Entrez.efetch(db="pubmed", retmode="xml", **params)
        try:
            return list(pubmed_xml.parse(handle, what))
        finally:
            handle.close()

    return with_retries(settings, action, what)
