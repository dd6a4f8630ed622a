"""Checks on one term that need no vocabulary: its field tag, the words before
it, wildcards, dates and date ranges, proximity."""

import difflib
import re

from litref.evidence.pubmed_query.problems import ERROR, WARNING, Problem
from litref.evidence.pubmed_query.syntax import OPERATORS, Token
from litref.evidence.pubmed_query.tags import FIELD_TAGS, lookup_tag, normalize_tag

# PubMed needs at least 4 characters before the first * (NLM Technical
# Bulletin 2024 May-Jun, "PubMed Update: Wildcard Search Improvements").
MIN_WILDCARD_STEM = 4


def term_problems(atom, query) -> list[Problem]:
    """What is wrong with one term (both ends of a date range), vocabulary aside."""
    problems = []
    for part in (atom, atom.range_to) if atom.range_to is not None else (atom,):
        problems += _tag_problems(part, query)
        problems += _lowercase_operator_problems(part)
        problems += _wildcard_problems(part)
        problems += _proximity_problems(part, query)
    if not any(p.code == "unknown-tag" for p in problems):
        problems += _date_problems(atom, query)
    return problems


def _tag_problems(atom, query) -> list[Problem]:
    if atom.tag is None:
        return []
    problems = []
    tag = atom.tag
    if not atom.words:
        problems.append(Problem(
            ERROR, "tag-without-term",
            f"The field tag {tag.text} has no search words before it. Write the "
            f'words first, then the tag, e.g. "lupus nephritis"{tag.text}.',
            tag.start, tag.end, tag.text,
        ))
    if lookup_tag(tag.text) is None:
        problems.append(_unknown_tag(tag))
    return problems


def _unknown_tag(tag: Token) -> Problem:
    name = normalize_tag(tag.text)
    close = difflib.get_close_matches(name, list(FIELD_TAGS), n=3, cutoff=0.6)
    suggestions = tuple(dict.fromkeys(f"[{FIELD_TAGS[c][0]}]" for c in close))
    if name == "ab":
        hint = " Its list has no abstract-only tag: use [tiab] (title or abstract)."
        suggestions = ("[tiab]",)
    elif suggestions:
        hint = f" Did you mean {' or '.join(suggestions)}?"
    else:
        hint = ""
    return Problem(
        ERROR, "unknown-tag",
        f"PubMed has no field tag {tag.text}.{hint} See \"Search Field Descriptions "
        "and Tags\" in PubMed's help for the list.",
        tag.start, tag.end, tag.text, suggestions,
    )


def _lowercase_operator_problems(atom) -> list[Problem]:
    """'and'/'or'/'not' not in capitals are ordinary words to PubMed.

    Inside a tagged phrase they are fine ("wit and humor"[mh] is a heading),
    so only the ones standing between terms are reported: at the start or
    end of the words before a tag, or anywhere in untagged words.
    """
    problems = []
    words = [w for w in atom.words if w.kind == "word"]
    for w in words:
        if w.text.upper() not in OPERATORS or w.text in OPERATORS:
            continue
        inside_tagged = atom.tag is not None and w is not atom.words[0] and w is not atom.words[-1]
        if inside_tagged:
            continue
        problems.append(Problem(
            WARNING, "lowercase-operator",
            f'PubMed only treats AND, OR and NOT as operators when they are written in '
            f'capitals, so "{w.text}" here is read as an ordinary search word, not as an '
            f"operator. If you meant the operator, write {w.text.upper()}.",
            w.start, w.end, w.text, (w.text.upper(),),
        ))
    return problems


def _wildcard_problems(atom) -> list[Problem]:
    problems = []
    for tok in atom.words:
        for m in re.finditer(r"[^\s\"]+", tok.text):
            piece = m.group()
            if "*" not in piece:
                continue
            stem = re.sub(r"[^0-9A-Za-z]", "", piece[: piece.index("*")])
            if len(stem) >= MIN_WILDCARD_STEM:
                continue
            start = tok.start + m.start()
            problems.append(Problem(
                WARNING, "short-wildcard",
                f'"{piece}": PubMed needs at least {MIN_WILDCARD_STEM} letters before '
                "the * wildcard, so it will not search this as written. Use a longer "
                "stem, or write out the words you mean joined with OR.",
                start, start + len(piece), piece,
            ))
    return problems


_DATE = re.compile(r"\d{4}(?:[/-](\d{1,2})(?:[/-](\d{1,2}))?)?")
_RELATIVE_DATE = re.compile(r"last \d+ (?:day|days|month|months|year|years)")


def _date_ok(text: str) -> bool:
    text = " ".join(text.strip().lower().split())
    if _RELATIVE_DATE.fullmatch(text):
        return True
    m = _DATE.fullmatch(text)
    if not m:
        return False
    month, day = m.group(1), m.group(2)
    return (month is None or 1 <= int(month) <= 12) and (day is None or 1 <= int(day) <= 31)


def _date_problems(atom, query) -> list[Problem]:
    """Dates under a date tag, and both ends of a range."""
    info = lookup_tag(atom.tag.text) if atom.tag else None
    right = atom.range_to
    right_info = lookup_tag(right.tag.text) if right is not None and right.tag else None
    if right is not None:
        problems = _range_shape_problems(atom, right, info, right_info, query)
        if problems:
            return problems
    if info is None or info[1] != "date":
        return []
    problems = []
    for part in (atom, right) if right is not None else (atom,):
        start, end = part.value_span
        value = query[start:end].replace('"', "")
        pieces = value.split(":") if right is None else [value]
        if not all(_date_ok(p) for p in pieces):
            problems.append(Problem(
                WARNING, "date-format",
                f'PubMed may not read "{value}" as a date. Write dates as YYYY, '
                "YYYY/MM or YYYY/MM/DD, e.g. 2020/06/30.",
                start, end, query[start:end],
            ))
    return problems


def _range_shape_problems(left, right, info, right_info, query) -> list[Problem]:
    start, end = left.start, right.end
    if info is None or right_info is None or info[1] != "date" or right_info[1] != "date":
        return [Problem(
            ERROR, "broken-range",
            'A ":" range works only between two dates with the same date tag, e.g. '
            '"2020"[dp] : "2023"[dp]. Give both ends a date tag such as [dp].',
            start, end, query[start:end],
        )]
    if info[0] != right_info[0]:
        return [Problem(
            ERROR, "broken-range",
            f"The two ends of this date range have different date tags ({left.tag.text} "
            f"and {right.tag.text}). Use the same tag on both ends.",
            start, end, query[start:end],
        )]
    return []


def _proximity_problems(atom, query) -> list[Problem]:
    info = lookup_tag(atom.tag.text) if atom.tag else None
    if info is None or info[2] is None:
        return []
    words = atom.words
    if len(words) == 1 and words[0].kind == "phrase" and len(words[0].text.strip('"').split()) >= 2:
        return []
    start, end = atom.value_span
    return [Problem(
        WARNING, "proximity-needs-phrase",
        f"A proximity tag such as {atom.tag.text} needs two or more words in double "
        'quotes before it, e.g. "breast cancer"[tiab:~2].',
        start, atom.tag.end, query[start:atom.tag.end],
    )]


