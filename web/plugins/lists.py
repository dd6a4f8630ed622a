"""The lists staff work from, as pages rather than tables: /search (every citation,
searched the way PubMed users search), /claims, /changes ("What changed") and
/fetches (the fetch runs in words); and the home page's summary of what changed.
The raw tables stay in Datasette, one link away, for IT."""

from datetime import datetime, timezone

from datasette import hookimpl

from litref.web import changes, claims_list, fetch_summary, literature, pages
from litref.web.responses import days_from, readable_database, render

FACETS = literature.FacetCache()


def _now():
    return datetime.now(timezone.utc)


async def search_view(datasette, request):
    db = await readable_database(datasette, request)
    search = literature.search_from_args(request.args)
    results = await literature.run(db, search, FACETS, pages.describe_citations)
    return await render(datasette, request, "search.html",
                        {**results, "search_text": search.query.text})


async def claims_view(datasette, request):
    db = await readable_database(datasette, request)
    return await render(datasette, request, "claims.html", await claims_list.claims_list(db, request.args))


async def changes_view(datasette, request):
    db = await readable_database(datasette, request)
    found = await changes.what_changed(db, now=_now(),
                                       days=days_from(request.args, changes.DEFAULT_DAYS))
    return await render(datasette, request, "changes.html", found)


async def fetches_view(datasette, request):
    db = await readable_database(datasette, request)
    days = days_from(request.args, fetch_summary.DEFAULT_DAYS)
    return await render(datasette, request, "fetches.html",
                        await fetch_summary.fetch_summary(db, now=_now(), days=days))


@hookimpl
def register_routes():
    return [
        (r"^/search$", search_view),
        (r"^/claims$", claims_view),
        (r"^/changes$", changes_view),
        (r"^/fetches$", fetches_view),
    ]


@hookimpl
def extra_template_vars(view_name, datasette):
    if view_name != "index":
        return {}

    async def what_changed():
        found = await changes.what_changed(datasette.get_database(), now=_now(),
                                           days=changes.DEFAULT_DAYS)
        return {"changes_summary": changes.summary(found), "changes_days": found["days"]}

    return what_changed
