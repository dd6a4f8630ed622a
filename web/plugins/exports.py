"""Reference exports: BibTeX, RIS, CSL-JSON and a Vancouver list, on every table,
view, row and query result that has a ``pmid`` column.

The page or query result only decides which PMIDs and in what order; the full
records (authors from citation_authors, journal, volume, pages, DOI...) are then
read from the database. A table or view is exported whole (not only the page on
screen), filters, search and sort included; a query result as Datasette returned it.
"""

import re
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from datasette.utils.asgi import Response

from litref.web import formats
from litref.web.references import load_references, unique_pmids

# extension → (formatter, content type, offered as a file to save rather than shown)
FORMATS = {
    "bib": (formats.bibtex, "application/x-bibtex; charset=utf-8", True),
    "ris": (formats.ris, "application/x-research-info-systems; charset=utf-8", True),
    "csljson": (formats.csl_json, "application/vnd.citationstyles.csl+json; charset=utf-8", True),
    "vancouver": (formats.vancouver_text, "text/plain; charset=utf-8", False),
    "vancouver_html": (formats.vancouver_html, "text/html; charset=utf-8", False),
}
MAX_REFERENCES = 10_000
# Arguments that shape one page of a table; the export sets its own.
PAGE_ARGUMENTS = {"_next", "_size", "_shape", "_format", "_labels", "_nofacet", "_nocount", "_facet",
                  "_col", "_nocol"}
NOTHING_TO_EXPORT = (
    "Nothing to export: this list has no article stored from PubMed yet (an empty list, or "
    "curated PMIDs the next fetch will bring in). Link evidence first, or export another list."
)
# Datasette ends a table page's SQL with "limit <page size + 1>".
_PAGE_LIMIT = re.compile(r"\s+limit \d+\s*$")


class ExportRefused(Exception):
    """The export would be incomplete or too large, or Datasette refused the list: the
    reason is for staff."""


@hookimpl
def register_output_renderer():
    return [
        {"extension": extension, "render": _renderer(extension), "can_render": can_render}
        for extension in FORMATS
    ]


def can_render(columns, rows):
    """Offered where the list has a PMID to export (not on an empty list)."""
    if "pmid" not in columns:
        return False
    index = columns.index("pmid")
    return any(row[index] not in (None, "") for row in rows)


def _renderer(extension):
    async def render(datasette, request, database, table, query_name, view_name, columns, rows, data):
        if "pmid" not in columns:
            return _refusal("Only lists with a pmid column can be exported as references.")
        try:
            if view_name == "table" and not query_name:  # canned queries use the table view too
                values = await _all_table_pmids(datasette, request, extension, database)
            else:
                values = _result_pmids(columns, rows, data)
        except ExportRefused as error:
            return _refusal(str(error))
        pmids = unique_pmids(values)
        references = await datasette.get_database(database).execute_fn(
            lambda conn: load_references(conn, pmids)
        )
        if not references:
            return _refusal(NOTHING_TO_EXPORT, status=404)
        for reference in references:
            reference["staff_note"] = staff_judgement(columns, rows, reference["pmid"])
        formatter, content_type, is_file = FORMATS[extension]
        headers = {}
        if is_file:
            name = _file_name(query_name or table or database, request)
            headers["content-disposition"] = f'attachment; filename="{name}.{extension}"'
        return Response(formatter(references), content_type=content_type, headers=headers)

    return render


def _refusal(message, status=400):
    # A dict, not a Response: Datasette overrides a Response's status with the query's own.
    return {"body": message, "status_code": status, "content_type": "text/plain; charset=utf-8"}


def staff_judgement(columns, rows, pmid):
    """What staff said of a citation in this list (a claim's evidence has stance, note,
    reviewer and reviewed_at columns), as one sentence for the export's note; None
    when the list says nothing."""
    if "stance" not in columns:
        return None
    index = {name: position for position, name in enumerate(columns)}
    for row in rows:
        if str(row[index["pmid"]]) == str(pmid) and row[index["stance"]]:
            return formats.judgement_text(*(row[index[name]] if name in index else None
                                            for name in ("stance", "note", "reviewer", "reviewed_at")))
    return None


def _result_pmids(columns, rows, data):
    if data.get("truncated"):
        raise ExportRefused(
            f"This query stopped at {len(rows)} rows (Datasette's limit), so the export would "
            "be incomplete. Narrow the query and export again."
        )
    index = columns.index("pmid")
    return [row[index] for row in rows]


async def _all_table_pmids(datasette, request, extension, database):
    """Every pmid of the table or view as filtered, searched and sorted.

    Datasette 0.65's pages can skip rows: its first page is sorted without the
    primary-key tie-breaker the next pages use, so rows tied on the sort column
    (years) at the page boundary go missing. So Datasette builds the SQL of the
    list (filters, search and sort exactly as on screen, through the same
    permissions) and it runs once, without the page limit.
    """
    path, arguments = _json_request(request, extension)
    page = await datasette.client.get(
        f"{path}?{urlencode(arguments)}", headers={"cookie": request.headers.get("cookie", "")}
    )
    body = page.json()
    if page.status_code != 200:
        raise ExportRefused(body.get("error") or f"Datasette answered {page.status_code}.")
    sql, replaced = _PAGE_LIMIT.subn(f" limit {MAX_REFERENCES + 1}", body["query"]["sql"])
    if not replaced:
        raise ExportRefused("This list cannot be exported whole; export a query of it instead.")
    results = await datasette.get_database(database).execute(sql, body["query"]["params"])
    if len(results.rows) > MAX_REFERENCES:
        raise ExportRefused(
            f"This list has more than {MAX_REFERENCES:,} citations: too many for one "
            "reference file. Narrow it (a facet, a search, a range of years) and export again."
        )
    index = results.columns.index("pmid")
    return [row[index] for row in results.rows]


def _json_request(request, extension):
    """The JSON version of the request: same filters, search and sort; only the pmid
    column of one row, without facets or counts (the SQL is what is wanted)."""
    arguments = [(key, value) for key, value in parse_qsl(request.query_string, keep_blank_values=True)
                 if key not in PAGE_ARGUMENTS]
    arguments += [("_col", "pmid"), ("_size", "1"), ("_nofacet", "1"), ("_nocount", "1")]
    suffix = f".{extension}"
    if request.path.endswith(suffix):
        return request.path[: -len(suffix)] + ".json", arguments
    return request.path, arguments + [("_format", "json")]


def _file_name(name, request):
    """evidence_for_claim-msc-cures: the list's name and its parameters, safe in a header."""
    parameters = [request.args[key] for key in request.args if not key.startswith("_")]
    text = "-".join([str(name), *parameters])
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)[:100] or "references"
