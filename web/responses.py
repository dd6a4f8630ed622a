"""What every staff page route does first and last: check that the visitor may read
the database, and render a template with the context every page shares.

Routes name no database, so the same URLs work for demo.db and citations.db:
they read the first (only) database Datasette serves.
"""

from datasette.utils.asgi import Response

from litref.web.links import citation_path, claim_path


async def readable_database(datasette, request):
    """The database the staff pages show, once the visitor may view it."""
    db = datasette.get_database()
    await datasette.ensure_permissions(request.actor, [("view-database", db.name), "view-instance"])
    return db


async def render(datasette, request, template, context, status=200):
    return Response.html(await datasette.render_template(
        template, {**context, "database": datasette.get_database().name,
                   "claim_path": claim_path, "citation_path": citation_path},
        request=request,
    ), status=status)


MAX_DAYS = 366


def days_from(args, default):
    """The ?days= of a page that looks back (1 to MAX_DAYS), else ``default``."""
    value = args.get("days", "")
    return min(int(value), MAX_DAYS) if value.isdigit() and int(value) > 0 else default
