"""A website page's text as litref keeps it, and where a claim's quote is in it.

Pure functions, no I/O:

- ``normal_text``: the form every copy of a page is kept in (one line per
  paragraph or heading, spaces collapsed), so that two readings of an
  unchanged page give the same text and the same ``text_hash``;
- ``sentences``: the page's sentences with where they start and the heading
  they sit under; sentence boundaries come from sentencex (Wikimedia's
  rule-based segmenter: "Dr. Small" and "N.M.D." do not end a sentence);
- ``find_quote`` and ``nearest_passage``: is a claim's quote still on the
  page, and if not, which passage now on the page is most like it (fuzzy
  alignment by rapidfuzz).

Quotes are matched word for word, except that typographic variants count as
the same character (’ and ', “ and ", – and -): a page re-typeset by its editor
has not changed what it claims.
"""

import hashlib
import re
from dataclasses import dataclass

import sentencex
from rapidfuzz import fuzz

# What counts as the same character when matching a quote. One character for
# one, so that a position in the folded text is the same in the original.
_TYPOGRAPHIC = str.maketrans({"’": "'", "‘": "'", "‛": "'", "“": '"', "”": '"', "„": '"',
                              "–": "-", "—": "-", "‐": "-", "‑": "-", "\u00a0": " "})
_SPACES = re.compile(r"\s+")
# A heading: one short line that does not end like a sentence ("What is stem
# cell therapy?" and "You Might Also Enjoy..." are headings too).
HEADING_MAX_WORDS = 12
_ENDS_LIKE_A_SENTENCE = re.compile(r"(?<!\.)[.!:;,]['\"’”)]?$")  # "Enjoy..." is not
INTRODUCTION = "(introduction)"
# Below this similarity (0-100) the nearest passage is not the quote edited:
# the quote was removed. Measured on the clinic's pages: one changed figure or
# word scores 95-99; the nearest passage to a removed sentence 45-60.
EDITED_AT_LEAST = 80


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int  # where it starts in the page text
    section: str  # the heading above it, INTRODUCTION before the first one

    @property
    def end(self):
        return self.start + len(self.text)


def normal_text(raw):
    """One line per paragraph or heading, spaces collapsed, no empty lines."""
    lines = (_SPACES.sub(" ", line.replace("\u00a0", " ")).strip() for line in raw.splitlines())
    return "\n".join(line for line in lines if line)


def text_hash(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def fold(text):
    """``text`` with typographic variants made plain (same length, same positions)."""
    return text.translate(_TYPOGRAPHIC)


def is_heading(line):
    return len(line.split()) <= HEADING_MAX_WORDS and not _ENDS_LIKE_A_SENTENCE.search(line)


def sentences(text):
    """The sentences of a page's text (``normal_text``), in page order.

    The first line is the page's title; headings are not sentences but name
    the section of those that follow.
    """
    found, section, start = [], INTRODUCTION, 0
    for number, line in enumerate(text.split("\n")):
        if number and is_heading(line):
            section = line
        elif number:
            found += _split_line(line, start, section)
        start += len(line) + 1
    return found


def _split_line(line, start, section):
    result, offset = [], 0
    for piece in sentencex.segment("en", line):
        text = piece.strip()
        if text:
            begin = line.index(text, offset)
            result.append(Sentence(text, start + begin, section))
            offset = begin + len(text)
    return result


def find_quote(quote, text):
    """Where the quote starts in the page's text, or None when it is not there."""
    position = fold(text).find(fold(_SPACES.sub(" ", quote).strip()))
    return None if position < 0 else position


def nearest_passage(quote, text):
    """The sentence(s) of the page most like the quote, how alike (0-100), and where
    they start.

    rapidfuzz aligns the quote with the stretch of the page it matches best;
    the passage is the whole sentences that stretch falls in.
    """
    alignment = fuzz.partial_ratio_alignment(fold(quote), fold(text))
    if alignment is None:  # nothing to compare with
        return None, 0, None
    touched = [s for s in sentences(text)
               if s.start < alignment.dest_end and s.end > alignment.dest_start]
    if not touched:  # the best stretch is a heading: show it as it is
        return text[alignment.dest_start:alignment.dest_end], round(alignment.score), alignment.dest_start
    return " ".join(s.text for s in touched), round(alignment.score), touched[0].start
