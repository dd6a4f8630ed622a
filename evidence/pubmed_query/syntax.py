"""Reading a PubMed query the way PubMed does: tokens, terms, groups, left to right.

``structure(query)`` returns the query's tree (a ``Group`` of terms and
groups, with the operators between them) and the problems found on the way:
quotes and brackets that do not pair up, a parenthesis left open, an empty
group, an operator with nothing to combine, two terms with no operator
between them. Checks on single terms (tags, dates, MeSH) walk the tree with
``atoms``; the left-to-right warning and ``pubmed_reading`` walk it with
``groups``. Written by hand, not with search-query (see tests/test_pubmed_query.py
for why): it must accept "X"[Mesh]/subheading and [majr:noexp], report every
problem at once, and never print.
"""

import re
from dataclasses import dataclass, field

from litref.evidence.pubmed_query.problems import ERROR, WARNING, Problem, QuerySyntaxError, short

OPERATORS = ("AND", "OR", "NOT")

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
class Token:
    kind: str
    text: str
    start: int
    end: int


def _tokens(query: str) -> list[Token]:
    return [
        Token(m.lastgroup, m.group(), m.start(), m.end())
        for m in _TOKEN.finditer(query)
        if m.lastgroup != "space"
    ]


def _is_operator(token: Token) -> bool:
    return token.kind == "word" and token.text in OPERATORS


def _is_range_colon(token: Token) -> bool:
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


def _bracket_problems(tokens: list[Token], query: str) -> list[Problem]:
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
class Atom:
    words: list[Token]
    tag: Token | None = None
    after_tag_qualifier: tuple[str, int, int] | None = None  # (text, start, end)
    range_to: "Atom | None" = None

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


@dataclass
class _Paren:
    text: str
    start: int
    end: int


@dataclass
class _Colon:
    token: Token


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


def _items(tokens: list[Token], query: str):
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
        elif tok.kind == "open_bracket":
            break  # never closed: the rest is a broken tag (_bracket_problems says so)
        else:  # a lone "]": reported by _bracket_problems
            i += 1
    return items


def _take_atom(tokens, i, items, query):
    j = i
    while j < len(tokens) and tokens[j].kind in ("word", "phrase") and not (
        _is_operator(tokens[j]) or _is_range_colon(tokens[j])
    ):
        j += 1
    atom = Atom(words=tokens[i:j])
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
            left = joined[-1] if joined and isinstance(joined[-1], Atom) else None
            right = items[i + 1] if i + 1 < len(items) and isinstance(items[i + 1], Atom) else None
            if left is not None and right is not None and left.range_to is None:
                left.range_to = right
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
class Group:
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
    if isinstance(operand, Atom) and operand.words:
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
                f'There is no AND, OR or NOT between "{short(_operand_text(query, previous))}" '
                f'and "{short(_operand_text(query, operand))}", so PubMed will combine them '
                "with AND. Write AND (or OR) between them so the query says what it means.",
                previous.end, operand.start, query[previous.end:operand.start],
            ))
        group.ops.append(_Op("AND", previous.end, operand.start))  # PubMed's rule
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


def _parse(items, query, problems) -> Group:
    root = Group(start=0, end=len(query))
    stack = [root]
    for item in items:
        group = stack[-1]
        if isinstance(item, _Paren) and item.text == "(":
            child = Group(start=item.start, opener=item)
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


def groups(group):
    yield group
    for operand in group.operands:
        if isinstance(operand, Group):
            yield from groups(operand)


def atoms(group):
    for operand in group.operands:
        if isinstance(operand, Group):
            yield from atoms(operand)
        else:
            yield operand


def split_heading(atom, query):
    """(heading, start, end, qualifier) of a MeSH term, where qualifier is None or
    (text, start, end, written after the tag). Offsets are into the query.

    Accepts "Heading/qualifier"[mh], "Heading"/qualifier[mh], heading/qu[mh]
    and "Heading"[mh]/qualifier.
    """
    start, end = atom.value_span
    raw = query[start:end]
    slash = raw.find("/")
    head_end = start + slash if slash >= 0 else end
    h_start, h_end = strip_span(query, start, head_end)
    qualifier = None
    if slash >= 0:
        q_start, q_end = strip_span(query, start + slash + 1, end)
        qualifier = (query[q_start:q_end], q_start, q_end, False)
    elif atom.after_tag_qualifier is not None:
        text, q_start, q_end = atom.after_tag_qualifier
        qualifier = (text.replace('"', ""), q_start, q_end, True)
    return query[h_start:h_end], h_start, h_end, qualifier


def strip_span(query, start, end):
    """Narrow [start, end) past surrounding quotes and spaces."""
    while start < end and query[start] in '" ':
        start += 1
    while end > start and query[end - 1] in '" ':
        end -= 1
    return start, end


# ---------------------------------------------------------------------------
# Left-to-right reading
# ---------------------------------------------------------------------------


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


def left_to_right(group, query) -> Problem | None:
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
    shown = _reading([short(_operand_text(query, o), 40) for o in group.operands], names)
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
# The whole query
# ---------------------------------------------------------------------------


def structure(query: str):
    """(root group or None, problems). None when quotes do not pair up."""
    quote = _unclosed_quote(query)
    if quote is not None:
        return None, [quote]
    tokens = _tokens(query)
    problems = _bracket_problems(tokens, query)
    items = _join_ranges(_items(tokens, query), query, problems)
    root = _parse(items, query, problems)
    return root, problems


def pubmed_reading(query: str) -> str:
    """The query with every parenthesis PubMed's left-to-right order implies.

    Raises QuerySyntaxError when the quotes do not pair up.
    """
    root, problems = structure(query)
    if root is None:
        raise QuerySyntaxError(query, problems)
    return _group_reading(root, query)


def _group_reading(group, query) -> str:
    texts = [
        "(" + _group_reading(o, query) + ")" if isinstance(o, Group) else _operand_text(query, o)
        for o in group.operands
    ]
    if not texts:
        return ""
    return _reading(texts, [op.text for op in group.ops])

