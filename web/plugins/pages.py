"""The staff pages: home page figures, /claim/<id>, /citation/<pmid> and the review
queue (the lists staff work from are in lists.py)."""

import re
from urllib.parse import quote

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

from litref.evidence.vocabularies import stances, statuses
from litref.web import pages, site_pages
from litref.web.links import REVIEW_PATH, claim_path
from litref.web.responses import readable_database as _database
from litref.web.responses import render as _render

PMID_TEXT = re.compile(r"[0-9]{1,18}")
# Exports of a claim's evidence or of one citation (their renderers live elsewhere).
CLAIM_EXPORTS = [("BibTeX", "bib"), ("RIS", "ris"), ("CSL JSON", "csljson"),
                 ("Vancouver", "vancouver")]


async def claim_view(datasette, request):
    claim_id = request.url_vars["claim_id"]
    page = request.args.get("candidates", "1")
    details = await pages.claim_page(
        await _database(datasette, request), claim_id, order=request.args.get("order", "grade"),
        candidate_page=int(page) if page.isdigit() and 0 < int(page) < 1000 else 1)
    if details is None:
        raise NotFound(f"There is no claim with id “{claim_id}”. Claim ids are listed in the "
                       "claims table; check the link or pick the claim there.")
    return await _render(datasette, request, "claim.html", {
        **details,
        "stances": stances.STANCES,
        "design_choices": pages.DESIGN_CHOICES,
        "subject_choices": pages.SUBJECT_CHOICES,
        "exports": CLAIM_EXPORTS,
        "db_path": datasette.urls.database(datasette.get_database().name),
        "back": "?claim_id=" + quote(claim_id, safe=""),
        # An archived claim is off the website: its evidence is kept as it was.
        "can_edit": bool(request.actor and request.actor.get("id"))
        and not details["claim"]["archived_at"],
    })


async def back_to_claim(request):
    """Where the curation forms land after a write: Datasette forwards the form's
    query string (?claim_id=...) to the query's static on_success_redirect. Forms
    of the review queue add back=review, and land on the queue again."""
    if request.args.get("back") == "review":
        return Response.redirect(REVIEW_PATH)
    claim_id = request.args.get("claim_id")
    return Response.redirect(claim_path(claim_id) if claim_id else "/")


async def review_view(datasette, request):
    db = await _database(datasette, request)
    return await _render(datasette, request, "review.html", {
        "claims": await pages.review_queue(db),
        "stances": stances.STANCES,
        "design_choices": pages.DESIGN_CHOICES,
        "subject_choices": pages.SUBJECT_CHOICES,
        "can_edit": bool(request.actor and request.actor.get("id")),
    })


async def citation_view(datasette, request):
    pmid = request.url_vars["pmid"]
    # Up to 18 ASCII digits: anything longer is no PMID and does not fit SQLite's integers.
    details = PMID_TEXT.fullmatch(pmid) and await pages.citation_page(
        await _database(datasette, request), int(pmid))
    if not details:
        raise NotFound(f"PMID “{pmid}” is not in this database. Check the number; if it is "
                       f"right, the article has not been fetched yet: look it up on PubMed.")
    return await _render(datasette, request, "citation.html", {**details, "exports": CLAIM_EXPORTS})


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["when"] = pages.readable_time
    env.filters["plain_message"] = pages.plain_message
    env.filters["counted"] = statuses.counted


@hookimpl
def register_routes():
    return [
        (r"^/claim/(?P<claim_id>[^/]+)$", claim_view),
        (r"^/claim$", back_to_claim),
        (r"^/citation/(?P<pmid>[^/]+)$", citation_view),
        (rf"^{REVIEW_PATH}$", review_view),
    ]


@hookimpl
def extra_template_vars(view_name, datasette):
    if view_name != "index":
        return {}

    async def home():
        db = datasette.get_database()
        return {"statuses": await pages.status_counts(db), "database": db.name,
                "site_pages": await site_pages.home_pages(db)}

    return home
