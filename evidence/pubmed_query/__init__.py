"""PubMed queries read and checked offline, before PubMed ever sees them.

Everything here is a pure function of the query, apart from loading NLM's
MeSH lists (mesh_loader.py, the one module that reads files).

Checking: ``check_query(query) -> list[Problem]``
    Syntax (quotes, brackets, field tags, empty groups, operators that
    dangle, are written in lower case or that PubMed reads left to right
    differently than it looks, short wildcard stems, date ranges), then the
    vocabulary: every [Mesh]/[Majr] heading a current MeSH descriptor, every
    /subheading one that heading allows, every [pt] a publication type, with
    the closest real terms after a miss. A ``Problem`` has ``severity``
    ("error" | "warning"), ``code`` (stable, e.g. "unknown-heading"),
    ``message`` (for staff: what is wrong, what to write instead), ``start``
    and ``end`` (query[start:end] == ``text``) and ``suggestions`` (best
    first); ``as_dict()`` gives it as plain data. ``check_syntax`` runs the
    syntax checks only; ``format_problem(query, problem)`` is the message
    with the query underlined, for logs and terminals; ``check_report(query)``
    is the whole verdict as JSON-ready data, for a web form.

Reading: ``parse_query(query) -> node``
    The query as plain data, with PubMed's strictly left-to-right reading of
    AND, OR and NOT made explicit. Raises ``QuerySyntaxError`` (``.problems``:
    the errors, each a Problem) when the query has a syntax error; warnings do
    not stop it. A node is one of:

    - an operation ``{"op": "AND" | "OR" | "NOT", "items": [node, node, ...]}``:
      two or more items, combined in order. ``NOT`` means the first item and
      none of the others: ``{"op": "NOT", "items": [a, b, c]}`` is
      a AND NOT b AND NOT c. A change of operator wraps everything before
      it, as PubMed does: ``a OR b AND c`` is
      ``{"op": "AND", "items": [{"op": "OR", "items": [a, b]}, c]}``. Two
      terms with no operator between them are joined by AND (PubMed's rule);
      an operator with nothing on one side is left out (check_query warns).
      Parentheses give nested nodes; a group of one term is that term.
    - a term ``{"term": str, "tag": str | None, "phrase": bool,
      "qualifier": str | None, "noexp": bool, "proximity": int | None}``:
      ``term`` is the text without quotes, spaces collapsed, a wildcard ``*``
      kept where it was written (``"mesenchymal stem cell*"`` gives
      ``mesenchymal stem cell*``); several words before one tag stay one
      term, as written (``smith j[au]``, or untagged ``stem cell therapy``).
      ``tag`` is the tag PubMed's help uses, in lower case, whatever the
      spelling: "tiab", "ti", "mh" (for [Mesh], [MeSH Terms], [mh]), "majr",
      "sh", "pt" ([Publication Type], [ptyp]), "au", "la", "dp" ([pdat]),
      "edat", "lr" ([mdat]), "tw", "all", ... (tags.py lists them all; there
      is no "ab": PubMed has no abstract-only tag); None when untagged.
      ``phrase`` is True when the text was in double quotes. ``qualifier``
      is the subheading of a MeSH term however it was written
      ("Heading/drug therapy"[Mesh], "Heading"[Mesh]/drug therapy), else
      None. ``noexp`` is True for [mh:noexp], [majr:noexp], [sh:noexp] (the
      tag itself is then "mh", "majr", "sh"). ``proximity`` is N of
      "words"[tiab:~N], else None.
    - a date range ``{"range": [from, to], "tag": "dp" | "edat" | "lr" | ...}``
      for ``"2020"[dp] : "2023"[dp]`` and ``2020:2023[dp]``; the dates as
      written (YYYY, YYYY/MM or YYYY/MM/DD; "3000" is PubMed's "no end").
      One date without a colon is a term with a date tag.

    Example: ``parse_query('("Lupus Nephritis/drug therapy"[Mesh] OR lupus*[tiab]) '
    'AND "Randomized Controlled Trial"[pt] NOT "2020"[dp] : "2021"[dp]')`` is::

        {"op": "NOT", "items": [
            {"op": "AND", "items": [
                {"op": "OR", "items": [
                    {"term": "Lupus Nephritis", "tag": "mh", "phrase": True,
                     "qualifier": "drug therapy", "noexp": False, "proximity": None},
                    {"term": "lupus*", "tag": "tiab", "phrase": False,
                     "qualifier": None, "noexp": False, "proximity": None}]},
                {"term": "Randomized Controlled Trial", "tag": "pt", "phrase": True,
                 "qualifier": None, "noexp": False, "proximity": None}]},
            {"range": ["2020", "2021"], "tag": "dp"}]}

    ``pubmed_reading(query)`` gives the same reading as text, with every
    parenthesis PubMed's order implies.

The MeSH lists: ``load_vocabulary()`` (once per process, cached on disk) and
``vocabulary_info()`` (packages, versions, data dates) in mesh_loader.py; both
raise ``VocabularyError`` when the packages are not installed (check_query
then checks the syntax and warns once).
"""

from litref.evidence.pubmed_query.checks import check_query, check_report, check_syntax
from litref.evidence.pubmed_query.mesh_loader import load_vocabulary, vocabulary_info
from litref.evidence.pubmed_query.problems import (
    ERROR, WARNING, Problem, QuerySyntaxError, format_problem, has_errors,
)
from litref.evidence.pubmed_query.syntax import pubmed_reading
from litref.evidence.pubmed_query.tree import parse_query
from litref.evidence.pubmed_query.vocabulary import VocabularyError

__all__ = [
    "ERROR", "WARNING", "Problem", "QuerySyntaxError", "check_query", "check_report",
    "check_syntax", "format_problem", "has_errors", "load_vocabulary", "parse_query",
    "pubmed_reading", "vocabulary_info", "VocabularyError",
]
