"""What the Atom feeds (datasette-atom renders the feed_* canned queries) need:
``html_paragraphs(text, ...)`` (SQL), escaped <p> paragraphs for
atom_content_html, which feed readers show as HTML. The links that lead staff
to the feeds are drawn by web/plugins/cells.py."""

from datasette import hookimpl

from litref.web.formats import html_paragraphs


@hookimpl
def prepare_connection(conn):
    conn.create_function("html_paragraphs", -1, html_paragraphs, deterministic=True)
