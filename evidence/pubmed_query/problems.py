"""What the checks report: a ``Problem`` in a query, and how to show one in a log."""

from dataclasses import asdict, dataclass

ERROR = "error"
WARNING = "warning"
# How much of a long query a log shows around a problem, in characters.
CONTEXT = 30
EXCERPT = 110


@dataclass(frozen=True)
class Problem:
    """One thing to fix in a query. ``end`` is exclusive: query[start:end] == text.

    A problem about the whole query (the MeSH lists could not be read) has
    start == end == 0 and no text.
    """

    severity: str  # "error" | "warning"
    code: str  # stable id, e.g. "unknown-heading", "left-to-right"
    message: str  # for staff: what is wrong and what to write instead
    start: int
    end: int
    text: str
    suggestions: tuple[str, ...] = ()  # replacements, best first

    def as_dict(self) -> dict:
        data = asdict(self)
        data["suggestions"] = list(self.suggestions)
        return data


def has_errors(problems) -> bool:
    return any(p.severity == ERROR for p in problems)


def format_problem(query: str, problem: Problem) -> str:
    """The message, then the part of the query it is about, underlined with ^.

    A long query is cut to the problem with some words either side; "..."
    marks a cut.
    """
    lines = [f"{problem.severity}: {problem.message}"]
    if problem.text:
        low = max(0, problem.start - CONTEXT)
        high = min(len(query), low + EXCERPT)
        before = "..." if low else ""
        after = "..." if high < len(query) else ""
        lines.append("  " + before + query[low:high] + after)
        column = len(before) + problem.start - low
        lines.append("  " + " " * column + "^" * max(1, min(problem.end, high) - problem.start))
    return "\n".join(lines)


class QuerySyntaxError(ValueError):
    """A query that cannot be read as written; ``problems`` are its errors, in order."""

    def __init__(self, query: str, problems):
        self.query = query
        self.problems = [p for p in problems if p.severity == ERROR]
        super().__init__("\n".join(format_problem(query, p) for p in self.problems))


def short(text: str, limit: int = 60) -> str:
    """A long piece of query cut in the middle, for messages."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    half = (limit - 5) // 2
    return text[:half] + " ... " + text[-half:]
