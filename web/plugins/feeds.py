"""What the Atom feeds (datasette-atom renders the feed_* canned queries) need, and
the links that lead staff to them.

- ``html_paragraphs(text, ...)`` (SQL): escaped <p> paragraphs for
  atom_content_html, which feed readers show as HTML.
- ``render_cell``: canned queries name a column after what it links to (for
  example ``claim_feed``, holding a claim id); the cell shows the link. In the
  searches table, each search's description ends with its feed's link.
"""

from urllib.parse import urlencode

from datasette import hookimpl
from markupsafe import Markup

from web.formats import html_paragraphs

# column → (canned query or table, its parameter, fixed arguments, link text)
LINK_COLUMNS = {
    "evidence_list": ("evidence_for_claim", "claim_id", {}, "curated evidence"),
    "candidate_list": ("claim_candidates", "claim_id", {"_sort_desc": "arrived"}, "candidates"),
    "claim_feed": ("feed_claim.atom", "claim_id", {}, "Atom feed"),
    "search_feed": ("feed_search.atom", "search", {}, "Atom feed"),
}


@hookimpl
def prepare_connection(conn):
    conn.create_function("html_paragraphs", -1, html_paragraphs, deterministic=True)


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if table == "searches" and column == "description":
        # The table's key column is shown as a plain link to the row, so the feed
        # link goes after the search's description.
        link = _link(datasette, database, "search_feed", row["name"])
        return Markup("{} {}").format(value or "", link)
    if column in LINK_COLUMNS and value not in (None, ""):
        return _link(datasette, database, column, value)
    return None


def _link(datasette, database, column, value):
    target, parameter, fixed, text = LINK_COLUMNS[column]
    query = urlencode({parameter: value, **fixed})
    href = f"{datasette.urls.database(database)}/{target}?{query}"
    return Markup('<a href="{}">{}</a>').format(href, text)
