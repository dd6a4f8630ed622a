"""metadata.json describes the database once, under ``databases."*"``.

Datasette 0.65 has no wildcard for database names, and the database's name
comes from its file (demo.db → demo, citations.db → citations, a test's
temporary file → anything). This hook hands the ``"*"`` block to every
attached database, so tables, canned queries and permissions apply whatever
the file is called. Settings written for a named database still win: Datasette
merges plugin metadata first and metadata.json over it.
"""

import copy
import functools
import json

from datasette import hookimpl

from litref.web.app import METADATA

WILDCARD = "*"
INTERNAL_DATABASES = {"_internal"}


@functools.cache
def _shared_block():
    """The ``"*"`` block of metadata.json, as litref serve and the tests load it.

    Read from the file, not from Datasette: datasette.metadata() would call this
    hook again, and Datasette keeps the file's dict in a private attribute."""
    return json.loads(METADATA.read_text(encoding="utf-8"))["databases"].get(WILDCARD)


@hookimpl
def get_metadata(datasette, key, database, table):
    shared = _shared_block()
    if not shared:
        return {}
    names = [name for name in datasette.databases if name not in INTERNAL_DATABASES]
    return {"databases": {name: copy.deepcopy(shared) for name in names}}
