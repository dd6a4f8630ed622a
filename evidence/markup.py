"""Inline markup of PubMed titles and abstracts, as plain text and as safe HTML.

PubMed puts real elements (<i>, <sub>, MathML...) inside ArticleTitle and
AbstractText, while a literal "<" in the text arrives escaped. Working from
the parsed elements (never from strings) keeps the two apart: "p<sub>trend</sub>
<0.01" becomes the HTML ``p<sub>trend</sub> &lt;0.01``. Only a short list of
presentational and MathML elements survives, without attributes, so nothing in
a record (a <script>, an onerror=) can run in a browser.
"""

import re
from html import escape

INLINE_TAGS = {"i", "b", "u", "sup", "sub"}
MATHML_TAGS = {
    "math", "mi", "mn", "mo", "ms", "mtext", "mspace", "mrow", "mfrac", "msqrt",
    "mroot", "msup", "msub", "msubsup", "mover", "munder", "munderover",
    "mtable", "mtr", "mtd", "mstyle", "mfenced", "mpadded", "mphantom", "semantics",
}
_SPACES = re.compile(r"\s+")


def local_name(tag):
    """``{namespace}msup`` and ``mml:msup`` both give ``msup``."""
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def plain_text(element):
    """All the text inside an element, whitespace collapsed; None when empty."""
    if element is None:
        return None
    # Most elements (names, dates, ids) are a single text node: skip the tree walk.
    text = element.text or "" if len(element) == 0 else "".join(element.itertext())
    return _collapse(text)


def safe_html(element):
    """The element's content as HTML with only allowed tags; None when empty."""
    if element is None:
        return None
    html = escape(element.text or "", quote=False) if len(element) == 0 else _inner_html(element)
    return _collapse(html)


def _collapse(text):
    if "  " in text or "\n" in text or "\t" in text or "\r" in text:
        text = _SPACES.sub(" ", text)
    return text.strip() or None


def _inner_html(element):
    parts = [escape(element.text or "", quote=False)]
    for child in element:
        parts.append(_child_html(child))
        parts.append(escape(child.tail or "", quote=False))
    return "".join(parts)


def _child_html(child):
    if not isinstance(child.tag, str):  # comments and processing instructions
        return ""
    name = local_name(child.tag)
    if name in INLINE_TAGS or name in MATHML_TAGS:
        return f"<{name}>{_inner_html(child)}</{name}>"
    # An unknown element keeps its text, never its tag or attributes.
    return _inner_html(child)
