"""Free text typed by staff → a full-text query that can never be a syntax error,
and search highlights that are safe to show.

Every word typed counts, in any script, and all of them must match (as in
PubMed and in Datasette's own search box).
"""

import html
import re

# Balanced "double quotes" make a phrase; anything else between spaces is a word.
_TERMS = re.compile(r'"([^"]*)"|([^\s"]+)')
# NUL ends an FTS5 string early ("unterminated string"); other controls are noise.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# An empty phrase is valid FTS5 that matches nothing: the answer to an empty search.
MATCHES_NOTHING = '""'
OPERATORS = {"AND", "OR", "NOT"}

# Private-use characters: snippet() and highlight() wrap matches in them, and
# marked_html() turns them into <mark> only after escaping the text around them,
# so nothing in a title or abstract can become markup.
MARK_START = "\ue000"
MARK_END = "\ue001"
_MARKED = re.compile(f"{MARK_START}([^{MARK_START}{MARK_END}]*){MARK_END}")


def fts_words(text):
    """An FTS5 query for the words and "quoted phrases" of ``text``: all must match.

    Each term is quoted, so brackets, hyphens, colons, stray quotes and FTS5
    syntax are taken as plain text. As in PubMed, upper-case OR and NOT between
    two terms keep their meaning (AND is what happens anyway), and a trailing
    ``*`` finds word beginnings ("mesenchym*"). Terms with no letter or digit
    are dropped: they could only match nothing.
    """
    parts = []
    for phrase, word in _TERMS.findall(_CONTROL.sub(" ", "" if text is None else str(text))):
        if word in OPERATORS:
            _add_operator(parts, word)
            continue
        body = word.rstrip("*") if word else phrase
        if any(character.isalnum() for character in body):
            parts.append('"' + body + '"' + ("*" if word.endswith("*") else ""))
    if parts and parts[-1] in OPERATORS:
        parts.pop()
    return " ".join(parts) or MATCHES_NOTHING


def _add_operator(parts, operator):
    """An operator only stands between two terms; AND is implicit."""
    if parts and parts[-1] in OPERATORS:
        parts.pop()
    if parts and operator != "AND":
        parts.append(operator)


def marked_html(text):
    """HTML for text whose matches snippet()/highlight() wrapped in the markers."""
    escaped = html.escape(text, quote=False)
    marked = _MARKED.sub(r"<mark>\1</mark>", escaped)
    return marked.replace(MARK_START, "").replace(MARK_END, "")


def has_marks(value):
    return isinstance(value, str) and MARK_START in value
