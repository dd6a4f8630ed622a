"""The pages about the clinic's website: /page/<id> (a page's claims, its unclaimed
statements, its evidence map), /page/<id>/report (the printable evidence report),
the forms that change claims from the browser, and a claim's evidence by year.

The forms post here (Datasette checks their CSRF token like every POST) and
each writes one row to ``claim_log``, whose triggers refuse or apply it
(db/page_claims.py). A refusal shows the page again with the message and what
was typed; a change lands back on the page with a message.
"""

import re
import sqlite3

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

from litref.evidence.claim_queries import query_problems
from litref.web import site_pages
from litref.web.responses import readable_database, render

_SPACES = re.compile(r"\s+")


def _not_found(page_id):
    return NotFound(f"There is no page “{page_id}” in pages.yml. The home page lists the pages.")


async def page_view(datasette, request):
    return await _page(datasette, request)


async def _page(datasette, request, form=None, status=200):
    """The page's view; after a refused change, with the message and what was typed."""
    page_id = request.url_vars["page_id"]
    details = await site_pages.page_view(await readable_database(datasette, request), page_id)
    if details is None:
        raise _not_found(page_id)
    reviewer = _reviewer(request)
    return await render(datasette, request, "page.html",
                        {**details, "can_edit": bool(reviewer), "form": form or {}}, status=status)


async def page_report(datasette, request):
    page_id = request.url_vars["page_id"]
    report = await site_pages.page_report(await readable_database(datasette, request), page_id)
    if report is None:
        raise _not_found(page_id)
    return await render(datasette, request, "page_report.html", report)


def _reviewer(request):
    return (request.actor or {}).get("id")


async def change_claims(datasette, request):
    """POST /page/<page_id>/claims: one change (``action``: add, archive, not-a-claim)."""
    page_id = request.url_vars["page_id"]
    if request.method != "POST":
        return Response.redirect(f"/page/{page_id}")
    db = await readable_database(datasette, request)
    fields = {key: _SPACES.sub(" ", value).strip() for key, value in (await request.post_vars()).items()}
    change = {
        "action": fields.get("action"), "claim_id": fields.get("claim_id") or None,
        "page_id": page_id, "section": fields.get("section") or None,
        "text": fields.get("text") or None, "query": fields.get("query") or None,
        "note": fields.get("note") or None,
        "reviewer": _reviewer(request),
    }
    problems = query_problems(change["query"]) if change["action"] == "add" and change["query"] else []
    if not problems:
        problems = await _write(db, change)
    if problems:
        datasette.add_message(request, "Not saved: " + " ".join(problems), datasette.ERROR)
        return await _page(datasette, request, form=fields, status=400)
    datasette.add_message(request, _DONE[change["action"]], datasette.INFO)
    where = f"claim-{change['claim_id']}" if change["action"] == "add" else _LANDING[change["action"]]
    return Response.redirect(f"/page/{page_id}#{where}")


_DONE = {
    "add": "Claim added: it is checked against the page every night; its PubMed query runs "
           "with the next fetch. Run `litref claims --export` to write it to claims.yml.",
    "archive": "Claim archived: its evidence is kept. Run `litref claims --export` to take it "
               "out of claims.yml.",
    "not-a-claim": "Set aside: this statement is no longer listed.",
}

# Where the page view opens after a change (a new claim opens at the claim itself).
_LANDING = {"archive": "claims", "not-a-claim": "statements"}


async def _write(db, change):
    """Insert the change into claim_log (its triggers apply it); the refusal, if any."""
    try:
        await db.execute_write(
            "INSERT INTO claim_log (action, claim_id, page_id, section, text, query, "
            "note, reviewer, logged_at) VALUES (:action, :claim_id, :page_id, :section, :text, "
            ":query, :note, :reviewer, strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'))",
            change,
        )
    except sqlite3.IntegrityError as error:  # a trigger's RAISE, or an unknown action
        return [str(error) if "CHECK" not in str(error) else "Unknown change: use the page's forms."]
    return []


@hookimpl
def register_routes():
    return [
        (r"^/page/(?P<page_id>[^/]+)$", page_view),
        (r"^/page/(?P<page_id>[^/]+)/report$", page_report),
        (r"^/page/(?P<page_id>[^/]+)/claims$", change_claims),
    ]


@hookimpl
def extra_template_vars(template, request, datasette):
    """A claim's evidence by year, for the claim page's include."""
    if template != "claim.html" or request is None:
        return {}

    async def by_year():
        db = datasette.get_database()
        return {"evidence_by_year": await site_pages.evidence_by_year(
            db, request.url_vars.get("claim_id"))}

    return by_year
