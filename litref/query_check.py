"""Every query of the staff-edited files, checked offline before anything uses it.

``litref check`` reports them all; ``litref fetch`` and ``litref claims`` call
``check_queries`` first: an error stops them (ConfigFileError, exit status 2)
before any request or write, naming the file, the line, the search or claim
and what to change; warnings come back as text to print. The checks
themselves are evidence/pubmed_query/.
"""

from litref.config import ConfigFileError
from litref.evidence.pubmed_query import (
    ERROR, VocabularyError, check_query, format_problem, vocabulary_info,
)

# What names an entry of each file in messages.
ID_FIELD = {"search": "name", "claim": "id"}


def check_queries(files):
    """The warnings about the queries in ``files`` ((path, entries, "search" | "claim")
    triples), as text; raises ConfigFileError listing every problem, in file order,
    if any query has an error."""
    problems = query_problems(files)
    errors = [text for is_error, text in problems if is_error]
    if errors:
        raise ConfigFileError("\n".join([text for _, text in problems] + [
            f"{count(len(errors), 'error')} in the queries: nothing was done. Correct them, "
            "then run `litref check` to see that every query is right."
        ]))
    return [text for _, text in problems]


def query_problems(files):
    """[(is_error, text)] in file order: each text names the file, the line and the
    entry, then gives the message and the part of the query it is about."""
    problems, said = [], set()
    for path, entries, kind in files:
        for entry in entries:
            for problem in check_query(entry["query"]):
                if not problem.text:  # about every query alike (the MeSH lists missing): once
                    if problem.message in said:
                        continue
                    said.add(problem.message)
                text = f"{_where(path, entry, kind)}: {format_problem(entry['query'], problem)}"
                problems.append((problem.severity == ERROR, text))
    return problems


def _where(path, entry, kind):
    line = entry.get("key_lines", {}).get("query", entry["line"])
    return f"{path} line {line}, {kind} {entry[ID_FIELD[kind]]!r}"


def summary(files, problems):
    """The closing line of `litref check`: what was checked, how it went, and against
    which of NLM's lists."""
    errors = sum(is_error for is_error, _ in problems)
    checked = " and ".join(f"{len(entries)} in {path}" for path, entries, _ in files)
    return (
        f"Checked the queries, {checked}: {count(errors, 'error')}, "
        f"{count(len(problems) - errors, 'warning')}. {checked_with()}"
    )


def checked_with():
    """Which MeSH lists the checks used, in words (for `litref check`)."""
    try:
        info = vocabulary_info()
    except VocabularyError:
        return "MeSH headings were not checked: the MeSH lists are not installed."
    return (
        f"MeSH headings and subheadings were checked against NLM's MeSH as retrieved on "
        f"{info['topics_data_date']} ({info['topics_package']} {info['topics_version']}), "
        f"publication types and geographic headings against MeSH {info['extra_mesh_year']} "
        f"({info['extra_package']} {info['extra_version']})."
    )


def count(number, noun):
    """'1 error', '2 errors'."""
    return f"{number} {noun if number == 1 else noun + 's'}"
