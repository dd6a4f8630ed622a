"""How cells show in Datasette's tables and query results: the one ``render_cell``.

- text carrying search highlights (snippet()/highlight() markers) is escaped,
  then the markers become <mark>;
- a saved search's description ends with the link to its Atom feed, and its
  query shows how PubMed read it on the newest run and what PubMed said;
- a column named after what it links to (``claim_feed``, ``evidence_list``...)
  shows that link;
- pmid and claim_id cells link to the citation and claim pages;
- a count of new candidates past what is counted reads "more than 100".
"""

from datasette import hookimpl
from markupsafe import Markup

from litref.evidence.vocabularies import statuses
from litref.web.fts import has_marks, marked_html
from litref.web.links import LINK_COLUMNS, column_link, page_link
from litref.web.pages import query_with_pubmeds_word

# claim_status.new_candidates, as the canned queries name it too.
NEW_CANDIDATE_COUNTS = ("new_candidates", "new_since_review")


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if has_marks(value):
        return Markup(marked_html(value))
    database_url = datasette.urls.database(database)
    if table == "searches" and column == "description":
        # The table's key column is shown as a plain link to the row, so the feed
        # link goes after the search's description.
        link = column_link(database_url, "search_feed", row["name"])
        return Markup("{} {}").format(value or "", link)
    if table == "searches" and column == "query":
        return query_with_pubmeds_word(datasette.get_database(database), row["name"], value)
    if column in NEW_CANDIDATE_COUNTS and isinstance(value, int):
        return statuses.counted(value)
    if column in LINK_COLUMNS and value not in (None, ""):
        return column_link(database_url, column, value)
    # A foreign-key cell (claim_evidence.claim_id, citation_authors.pmid) arrives expanded.
    return page_link(column, value.get("value") if isinstance(value, dict) else value)
