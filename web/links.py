"""Where things live in the staff site, and the links every cell and page use."""

from urllib.parse import quote, urlencode

from markupsafe import Markup

PMID_COLUMNS = {"pmid", "target_pmid"}
REVIEW_PATH = "/review"
# A canned query names a column after what it links to; the cell shows that link.
# column → (canned query or table, its parameter, fixed arguments, link text)
LINK_COLUMNS = {
    "evidence_list": ("evidence_for_claim", "claim_id", {}, "curated evidence"),
    "candidate_list": ("claim_candidates", "claim_id", {"_sort_desc": "arrived"}, "candidates"),
    "claim_feed": ("feed_claim.atom", "claim_id", {}, "Atom feed"),
    "search_feed": ("feed_search.atom", "search", {}, "Atom feed"),
}


def claim_path(claim_id):
    return "/claim/" + quote(str(claim_id), safe="")


def citation_path(pmid):
    return f"/citation/{int(pmid)}"


def column_link(database_url, column, value):
    """The link a LINK_COLUMNS cell shows, for the database at ``database_url``."""
    target, parameter, fixed, text = LINK_COLUMNS[column]
    href = f"{database_url}/{target}?{urlencode({parameter: value, **fixed})}"
    return Markup('<a href="{}">{}</a>').format(href, text)


def page_link(column, value):
    """pmid and claim_id cells link to the staff pages; None for any other cell."""
    if column in PMID_COLUMNS and isinstance(value, int):
        return Markup('<a href="{}">{}</a>').format(citation_path(value), value)
    if column == "claim_id" and isinstance(value, str) and value:
        return Markup('<a href="{}">{}</a>').format(claim_path(value), value)
    return None
