"""Full-text search that any typed text survives, and safe highlights.

- ``fts_words(text)`` (SQL): free text → a safe FTS5 query, for canned queries
  such as literature_search.
- ``escape_fts(text)`` (SQL) is replaced by the same function. Datasette's own
  version, used by the table search box in ``searchmode: escaped``, still fails
  on a lone quote, on blank text and on NUL ("fts5: syntax error"); this
  hook runs after Datasette's, so ours wins on every connection.
- ``render_cell``: cells carrying the highlight markers of snippet()/highlight()
  are escaped first, then the markers become <mark>.
"""

from datasette import hookimpl
from markupsafe import Markup

from web.fts import fts_words, has_marks, marked_html


# trylast: Datasette's built-in escape_fts is registered by a hook of its own.
@hookimpl(trylast=True)
def prepare_connection(conn):
    conn.create_function("fts_words", 1, fts_words, deterministic=True)
    conn.create_function("escape_fts", 1, fts_words, deterministic=True)


@hookimpl
def render_cell(value):
    if has_marks(value):
        return Markup(marked_html(value))
    return None
