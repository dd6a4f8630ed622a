"""Matching words marked inside formatted titles and abstracts.

The full-text index finds the words ("cell" finds "cells"), and its highlight()
says which words of a record matched; here those words get a <mark> inside the
record's own safe HTML, so a highlighted title keeps its italics and its
"CD4<sup>+</sup>". A search result shows a window of the abstract around the
first match, cut from the formatted abstract, not from the plain text.
"""

import re

from lxml import etree
from markupsafe import Markup, escape

from litref.evidence.markup import safe_html
from litref.evidence.names import INITIALS, name_key
from litref.web.fts import MARK_END, MARK_START

_MARKED = re.compile(f"{MARK_START}([^{MARK_START}{MARK_END}]+){MARK_END}")
_TAG_OR_TEXT = re.compile(r"(<[^>]*>)")
EXCERPT_BEFORE = 90  # characters of the abstract shown before the first match
EXCERPT_LENGTH = 320


def marked_words(highlighted):
    """The words highlight() marked in a text, e.g. {"cells", "lupus"}."""
    return {word.strip() for word in _MARKED.findall(highlighted or "") if word.strip()}


def mark_html(html, words):
    """Safe HTML with each of ``words`` (whole words, any case) wrapped in <mark>.
    Only text between tags changes, and never inside a formula."""
    if not words or not html:
        return Markup(html or "")
    pattern = _words_pattern(words)
    parts, in_math = [], 0
    for part in _TAG_OR_TEXT.split(str(html)):
        if part.startswith("<"):
            in_math += part.startswith("<math") - part.startswith("</math")
            parts.append(part)
        else:
            parts.append(part if in_math else pattern.sub(r"<mark>\1</mark>", part))
    return Markup("".join(parts))


def _words_pattern(words):
    # Escaped as they are in the HTML ("&" is "&amp;" there); longest first.
    alternatives = sorted((re.escape(str(escape(word))) for word in words), key=len, reverse=True)
    return re.compile(rf"(?<!\w)({'|'.join(alternatives)})(?!\w)", re.IGNORECASE)


def excerpt_html(stored_html, words):
    """About EXCERPT_LENGTH characters of a formatted abstract, from a little before the
    first of ``words`` (or from its start), as safe inline HTML; None when empty."""
    root = _parse(stored_html)
    if root is None:
        return None
    for paragraph in root.iter("p"):  # one line: paragraphs run on, a space apart
        paragraph.tail = " " + (paragraph.tail or "")
    segments = list(_text_segments(root))
    text = "".join(_get(node, attribute) for node, attribute in segments)
    first = _words_pattern(words).search(text) if words else None
    start = _word_start(text, max(0, first.start() - EXCERPT_BEFORE)) if first else 0
    end = _word_end(text, start + EXCERPT_LENGTH)
    _keep_only(segments, start, end)
    inner = safe_html(root) or ""
    return mark_html(("… " if start else "") + inner + (" …" if end < len(text.rstrip()) else ""),
                     words)


def _parse(stored_html):
    if not stored_html:
        return None
    try:
        return etree.fromstring(f"<div>{stored_html}</div>")
    except etree.XMLSyntaxError:
        return None


def _text_segments(element):
    """(node, "text" or "tail") for every piece of text, in reading order."""
    yield element, "text"
    for child in element:
        if isinstance(child.tag, str):
            yield from _text_segments(child)
        yield child, "tail"


def _get(node, attribute):
    return getattr(node, attribute) or ""


def _keep_only(segments, start, end):
    """Cut every piece of text down to the characters between start and end."""
    offset = 0
    for node, attribute in segments:
        value = _get(node, attribute)
        kept = value[max(0, start - offset):max(0, end - offset)]
        setattr(node, attribute, kept)
        offset += len(value)


def _word_start(text, position):
    """The start of the word at ``position`` (never mid-word)."""
    while position > 0 and text[position - 1].isalnum():
        position -= 1
    return position


def _word_end(text, position):
    while position < len(text) and text[position].isalnum():
        position += 1
    return position


def mark_authors(authors, key, initials=""):
    """The author line ("Deng D, Zhang P") as HTML with the matching author marked."""
    if not authors:
        return Markup("")
    names = []
    for name in authors.split(", "):
        parts = name.split()
        has_initials = len(parts) > 1 and INITIALS.match(parts[-1])
        surname = " ".join(parts[:-1]) if has_initials else name
        matches = name_key(surname) == key and (not initials or (
            has_initials and parts[-1].startswith(initials.upper())))
        names.append(Markup("<mark>{}</mark>").format(name) if matches else escape(name))
    return Markup(", ").join(names)
