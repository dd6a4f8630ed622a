"""/check-query: staff paste a PubMed query and see what litref's offline checks say,
before they save it in searches.yml or claims.yml. Nothing is stored; the page
only shows ``check_report`` (evidence/pubmed_query/), the same verdict
`litref check` gives and the claim form can give."""

import asyncio

from datasette import hookimpl
from datasette.utils.asgi import Response

from litref.evidence.pubmed_query import VocabularyError, check_report, vocabulary_info

# A query longer than this is not a query anyone types (PubMed's own limit is far lower).
MAX_QUERY = 10_000


async def check_query_view(datasette, request):
    await datasette.ensure_permissions(request.actor, ["view-instance"])
    query = request.args.get("q", "")[:MAX_QUERY]
    # In a thread: the first check of a process may build the MeSH index (about a second).
    report = await asyncio.to_thread(check_report, query) if query.strip() else None
    return Response.html(await datasette.render_template(
        "check_query.html",
        {"query": query, "report": report, "parts": report and _marked(report), "lists": _lists()},
        request=request,
    ))


def _marked(report):
    """Each problem with the query cut into before / the problem / after, for <mark>."""
    query = report["query"]
    return [(problem, query[:problem["start"]], problem["text"], query[problem["end"]:])
            for problem in report["problems"]]


def _lists():
    try:
        return vocabulary_info()
    except VocabularyError:
        return None


@hookimpl
def register_routes():
    return [(r"^/check-query$", check_query_view)]
