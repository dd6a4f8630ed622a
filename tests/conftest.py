import sys

import pytest

from tests import eutils_server

# Tests may import the fake server as `eutils_server` or `tests.eutils_server`;
# one module object under both names keeps a single set of classes.
sys.modules.setdefault("eutils_server", eutils_server)


@pytest.fixture
def eutils(monkeypatch):
    """A running FakeEutils that the client's LITREF_EUTILS_URL points at."""
    with eutils_server.FakeEutils() as server:
        monkeypatch.setenv("LITREF_EUTILS_URL", server.base_url)
        monkeypatch.setenv("NCBI_EMAIL", "tests@example.org")
        yield server
