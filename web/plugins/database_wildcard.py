"""metadata.json describes the database once, under ``databases."*"``.

Datasette 0.65 has no wildcard for database names, and the database's name
comes from its file (demo.db → demo, citations.db → citations, a test's
temporary file → anything). This hook hands the ``"*"`` block to every
attached database, so tables, canned queries and permissions apply whatever
the file is called. Settings written for a named database still win: Datasette
merges plugin metadata first and metadata.json over it.
"""

import copy

from datasette import hookimpl

WILDCARD = "*"
INTERNAL_DATABASES = {"_internal"}


@hookimpl
def get_metadata(datasette, key, database, table):
    # datasette.metadata() would call this hook again: read the file's dict directly.
    shared = (datasette._metadata_local.get("databases") or {}).get(WILDCARD)
    if not shared:
        return {}
    names = [name for name in datasette.databases if name not in INTERNAL_DATABASES]
    return {"databases": {name: copy.deepcopy(shared) for name in names}}
