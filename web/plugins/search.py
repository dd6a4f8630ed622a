"""Full-text search that any typed text survives (its highlights are drawn by
web/plugins/cells.py).

- ``fts_words(text)`` (SQL): free text → a safe FTS5 query, for canned queries
  such as literature_search.
- ``escape_fts(text)`` (SQL) is replaced by the same function. Datasette's own
  version, used by the table search box in ``searchmode: escaped``, still fails
  on a lone quote, on blank text and on NUL ("fts5: syntax error"); this
  hook runs after Datasette's, so ours wins on every connection.
"""

from datasette import hookimpl

from litref.web.fts import fts_words


# trylast: Datasette's built-in escape_fts is registered by a hook of its own.
@hookimpl(trylast=True)
def prepare_connection(conn):
    conn.create_function("fts_words", 1, fts_words, deterministic=True)
    conn.create_function("escape_fts", 1, fts_words, deterministic=True)
