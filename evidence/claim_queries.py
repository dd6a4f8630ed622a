"""A claim's queries: its PubMed search, and the parts it is made of.

A claim's ``query`` is what a medical librarian would type into PubMed. It is
fetched from PubMed as the saved search ``claim-<id>``, and it is also read
here, to find the claim's candidates among everything stored, whatever brought
it in (db/candidates.py):

- the query's *parts* are the terms joined by its top-level AND: the first
  part names what the claim is about (its subject: lupus, or stem cells); the
  others, the population, intervention or outcome it makes a statement about;
- a citation is a candidate when it matches the subject; it ranks by how many
  parts it matches, counting first the parts its title (or its MeSH headings
  and publication types) names, then those its abstract only mentions. A
  record that PubMed has not indexed yet, or one whose abstract is not stored,
  still competes on its title.
"""

from litref.evidence.pubmed_query import ERROR, check_report

def claim_search(claim):
    """A claim's PubMed query as a saved search (``claim-<id>``), for the fetch."""
    return {
        "name": f"claim-{claim['id']}",
        "query": claim["query"],
        "description": f"Evidence for or against the claim: {claim['text']}",
        "line": claim.get("line"),
        "defined_in": claim.get("defined_in", "claims.yml"),
    }


def query_parts(tree):
    """The parts of a parsed query joined by its top-level AND (a NOT keeps its left side).

    ``(a OR b) AND c AND d`` → [a OR b, c, d]; a query with no top-level AND is one part.
    """
    if tree.get("op") == "AND":
        return [part for item in tree["items"] for part in query_parts(item)]
    if tree.get("op") == "NOT":
        return query_parts(tree["items"][0])
    return [tree]


def excluded_parts(tree):
    """What a top-level NOT excludes (``a NOT b`` → [b]): a candidate must match none."""
    if tree.get("op") == "AND":
        return [part for item in tree["items"] for part in excluded_parts(item)]
    if tree.get("op") == "NOT":
        return excluded_parts(tree["items"][0]) + tree["items"][1:]
    return []


TEXT_TAGS = {None, "tiab", "ti", "ab", "tw", "all"}
HEADING_TAGS = {"mh", "majr"}


def fts_string(term):
    """A term as an FTS5 string: a quoted phrase (so no text can be FTS5 syntax),
    with PubMed's trailing * as a prefix search."""
    text = term["term"]
    prefix = text.endswith("*")
    text = text.rstrip("*").replace('"', '""')
    return f'"{text}"' + ("*" if prefix else "")


def why_found(parts, parts_in_title, parts_total):
    """Why a citation is a claim's candidate, for staff:
    'matches 3 of 3 parts of the claim's query (2 in the title or MeSH)'."""
    where = f" ({parts_in_title} in the title or MeSH)" if parts_in_title else ""
    if parts_total == 1:
        return "matches the claim's query" + where
    return f"matches {parts} of {parts_total} parts of the claim's query{where}"


def query_problems(query):
    """What stops a claim's PubMed query, in words for staff (an empty list: nothing).

    The one place a query typed in the browser is checked before it is stored
    (web/plugins/site.py): the same offline check as ``litref check``
    (evidence/pubmed_query/), its errors only (warnings do not stop a fetch).
    """
    return [problem["message"] for problem in check_report(query)["problems"]
            if problem["severity"] == ERROR]
