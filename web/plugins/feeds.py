"""Atom feeds: the ``.atom`` renderer of the feed_search and feed_claim canned queries
(the feeds themselves are made by web/feeds.py), and ``html_paragraphs(text, ...)``
(SQL): escaped <p> paragraphs for atom_content_html, which feed readers show as
HTML. The links that lead staff to the feeds are drawn by web/plugins/cells.py."""

from datasette import hookimpl
from datasette.utils.asgi import Response

from litref.web import feeds
from litref.web.formats import html_paragraphs


@hookimpl
def prepare_connection(conn):
    conn.create_function("html_paragraphs", -1, html_paragraphs, deterministic=True)


def can_render(query_name):
    return query_name in feeds.FEEDS


async def render(datasette, request, database, query_name, columns, rows):
    if query_name not in feeds.FEEDS:
        return {"body": "Only the feed_search and feed_claim queries are feeds.", "status_code": 400,
                "content_type": "text/plain; charset=utf-8"}
    about = await feeds.subject(datasette.get_database(database), query_name,
                                request.args.get(feeds.FEEDS[query_name], ""))
    entries = [dict(zip(columns, row)) for row in rows]
    body = feeds.atom(about, entries, feed_url=request.url,
                      page_url=datasette.absolute_url(request, about["page"]))
    return Response(body, content_type=feeds.CONTENT_TYPE)


# trylast: an installation upgraded from an earlier litref may still have the
# datasette-atom plugin, which also renders .atom; the last renderer registered wins.
@hookimpl(trylast=True)
def register_output_renderer():
    return {"extension": "atom", "render": render, "can_render": can_render}
