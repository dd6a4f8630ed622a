"""The query checks as one call: syntax, then NLM's lists."""

from litref.evidence.pubmed_query import mesh_loader
from litref.evidence.pubmed_query.mesh_checks import vocabulary_problems
from litref.evidence.pubmed_query.problems import ERROR, WARNING, Problem, has_errors
from litref.evidence.pubmed_query.syntax import atoms, groups, left_to_right, pubmed_reading, structure
from litref.evidence.pubmed_query.term_checks import term_problems
from litref.evidence.pubmed_query.vocabulary import VocabularyError


def check_syntax(query: str) -> list[Problem]:
    """Problems PubMed's syntax rules show, without any vocabulary."""
    return _checked(query, vocabulary=None)


def check_query(query: str, vocabulary=None) -> list[Problem]:
    """Every problem: syntax, then MeSH headings, subheadings, publication types.

    Never fails for want of the MeSH lists: without them the syntax is still
    checked, and one warning says that headings were not.
    """
    if vocabulary is None:
        try:
            vocabulary = mesh_loader.load_vocabulary()
        except VocabularyError as missing:
            return [_unchecked_vocabulary(missing)] + check_syntax(query)
    return _checked(query, vocabulary)


def check_report(query: str) -> dict:
    """Everything a form needs to show about a query, as plain (JSON-ready) data.

    ``ok`` is False when there is an error; ``problems`` are ``Problem.as_dict()``
    in query order (offsets ready for highlighting); ``pubmed_reading`` is the
    query with the parentheses PubMed's left-to-right order implies (None when
    it cannot be read).
    """
    problems = check_query(query)
    return {
        "query": query,
        "ok": not has_errors(problems),
        "errors": sum(p.severity == ERROR for p in problems),
        "warnings": sum(p.severity == WARNING for p in problems),
        "problems": [p.as_dict() for p in problems],
        "pubmed_reading": None if has_errors(problems) else pubmed_reading(query),
    }


def _checked(query, vocabulary):
    root, problems = structure(query)
    if root is None:
        return problems
    for atom in atoms(root):
        found = term_problems(atom, query)
        if vocabulary is not None and not any(p.code == "unknown-tag" for p in found):
            found += vocabulary_problems(atom, query, vocabulary)
        problems += found
    problems += filter(None, (left_to_right(group, query) for group in groups(root)))
    return sorted(problems, key=lambda p: (p.start, p.end, p.severity != ERROR, p.code))


def _unchecked_vocabulary(missing) -> Problem:
    return Problem(
        WARNING, "vocabulary-unavailable",
        f"MeSH headings, subheadings and publication types were not checked: {missing}",
        0, 0, "",
    )
