"""``parse_query``: a query as plain data, with PubMed's left-to-right reading made
explicit. The shape is described in this package's docstring (__init__.py)."""

from litref.evidence.pubmed_query.checks import check_syntax
from litref.evidence.pubmed_query.problems import QuerySyntaxError, has_errors
from litref.evidence.pubmed_query.syntax import Group, split_heading, structure
from litref.evidence.pubmed_query.tags import NO_EXPLOSION, lookup_tag


def parse_query(query: str) -> dict:
    """The query as nested dicts; raises QuerySyntaxError (with the errors) when
    PubMed could not read it as written. Warnings do not stop it."""
    problems = check_syntax(query)
    if has_errors(problems):
        raise QuerySyntaxError(query, problems)
    root, _ = structure(query)
    return _node(root, query)


def _node(operand, query):
    return _group_node(operand, query) if isinstance(operand, Group) else _term_node(operand, query)


def _group_node(group, query):
    """Operators applied in the order written: each change of operator wraps
    everything before it. A run of the same operator is one n-ary node."""
    node = _node(group.operands[0], query)
    run = None  # the node this loop built last: only it may grow
    for op, operand in zip(group.ops, group.operands[1:]):
        right = _node(operand, query)
        if run is not None and run["op"] == op.text:
            run["items"].append(right)
        else:
            node = run = {"op": op.text, "items": [node, right]}
    return node


def _term_node(atom, query):
    tag, kind, proximity = lookup_tag(atom.tag.text) if atom.tag else (None, None, None)
    noexp = bool(tag) and tag.endswith(NO_EXPLOSION)
    tag = tag.removesuffix(NO_EXPLOSION) if tag else None
    if atom.range_to is not None:
        return {"range": [_plain(query, atom), _plain(query, atom.range_to)], "tag": tag}
    text = _plain(query, atom)
    if kind == "date" and ":" in text:  # 2020:2023[dp]
        low, _, high = text.partition(":")
        return {"range": [low.strip(), high.strip()], "tag": tag}
    qualifier = None
    if kind == "mesh":
        text, _, _, found = split_heading(atom, query)
        text = _unquoted(text)
        qualifier = _unquoted(found[0]) if found else None
    elif atom.after_tag_qualifier is not None:
        qualifier = _unquoted(atom.after_tag_qualifier[0])
    return {
        "term": text,
        "tag": tag,
        "phrase": any(word.kind == "phrase" for word in atom.words),
        "qualifier": qualifier,
        "noexp": noexp,
        "proximity": proximity,
    }


def _plain(query, atom):
    start, end = atom.value_span
    return _unquoted(query[start:end])


def _unquoted(text):
    return " ".join(text.replace('"', " ").split())
