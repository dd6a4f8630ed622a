"""Staff-edited YAML files (searches.yml, and the same shape for claims.yml).

Staff are not programmers, so every problem is reported with the file, the
line and what to change, and all problems are reported at once.
"""

import re
from pathlib import Path

import yaml

from litref.evidence.vocabularies import designs, stances, subjects

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")

# Which keys an entry may have; keys under "lists" hold a list of text, the rest text.
SEARCH_FIELDS = {"required": ("name", "query"), "optional": ("description",), "lists": ()}


class ConfigFileError(ValueError):
    """One or more problems in a staff-edited file; ``str()`` lists them all."""


CLAIM_FIELDS = {
    "required": ("id", "page", "text", "query"),
    "optional": ("file", "section", "topics"),
    "lists": ("topics",),
}
CURATION_FIELDS = {"required": ("claim", "pmid", "stance"), "optional": ("note",), "lists": ()}
ASSESSMENT_FIELDS = {"required": ("pmid",), "optional": ("design", "subjects", "detail"), "lists": ()}
CURATION_LISTS = ("links", "assessments")


def read_claims(path):
    """The claims of a claims.yml, each a dict with its ``line``."""
    return read_entries(path, "claims", CLAIM_FIELDS, id_field="id")


def read_curation(path):
    """{"links": curated links (claim, pmid, stance, note), "assessments": a reviewer's
    reading of each study (pmid, design, subjects, detail)} from a file such as
    sample/curation.yml."""
    links = read_entries(path, "links", CURATION_FIELDS, id_field=None, also=CURATION_LISTS)
    assessments = read_entries(path, "assessments", ASSESSMENT_FIELDS, id_field=None,
                               also=CURATION_LISTS, required=False)
    problems = [f"{path} line {link['line']}: {problem}"
                for link in links for problem in _link_problems(link)]
    problems += [f"{path} line {entry['line']}: {problem}"
                 for entry in assessments for problem in _assessment_problems(entry)]
    if problems:
        raise ConfigFileError("\n".join(problems))
    return {"links": links, "assessments": assessments}


def _link_problems(link):
    yield from _code_problem("stance", link["stance"], stances.CODES)
    yield from _pmid_problem(link)


def _assessment_problems(entry):
    yield from _pmid_problem(entry)
    for field, codes in (("design", designs.CODES), ("subjects", subjects.CODES)):
        if entry.get(field) is not None:
            yield from _code_problem(field, entry[field], codes)


def _code_problem(field, value, codes):
    if value not in codes:
        yield f"{field} {value!r} must be one of {', '.join(codes)}."


def _pmid_problem(entry):
    if not str(entry["pmid"]).isdigit():
        yield f"pmid {entry['pmid']!r} must be a PubMed id (digits only)."


def read_searches(path):
    """The saved searches of a searches.yml, each a dict with its ``line``."""
    return read_entries(path, "searches", SEARCH_FIELDS, id_field="name")


def read_entries(path, list_key, fields, *, id_field, also=(), required=True):
    """Read ``list_key:`` — a list of mappings — checking keys, required fields and ids.

    ``also`` names the other top-level lists the file may hold; with
    ``required=False`` a file without ``list_key:`` gives no entries."""
    path = Path(path)
    root = _compose(path)
    problems = []
    entries = _entry_nodes(path, root, list_key, problems, also=also or (list_key,), required=required)
    allowed = set(fields["required"]) | set(fields["optional"])
    seen = {}
    result = []
    for node in entries:
        entry = _entry(path, node, allowed, fields, problems)
        if entry is None:
            continue
        ident = entry.get(id_field)
        if ident is not None:
            if not NAME_PATTERN.match(ident):
                problems.append(
                    f"{path} line {entry['line']}: {id_field} {ident!r} may only use "
                    "lower-case letters, digits and hyphens (for example 'msc-sle')."
                )
            elif ident in seen:
                problems.append(
                    f"{path} line {entry['line']}: {id_field} {ident!r} is used twice "
                    f"(first on line {seen[ident]}); give each entry its own {id_field}."
                )
            seen.setdefault(ident, entry["line"])
        result.append(entry)
    if problems:
        raise ConfigFileError("\n".join(problems))
    return result


def _compose(path):
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigFileError(f"{path}: cannot read the file ({error.strerror or error}).") from error
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        raise ConfigFileError(f"{path}{_syntax_error(error)}") from error


def _syntax_error(error):
    """Where and what. PyYAML reports an unclosed quote or bracket at the end of
    the file, which helps nobody, so then the line where it started is named too."""
    mark, context = getattr(error, "problem_mark", None), getattr(error, "context_mark", None)
    where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    problem = getattr(error, "problem", None) or str(error)
    if context and "end of stream" in problem:
        problem += f" ({error.context} that starts on line {context.line + 1})"
    return (
        f"{where}: YAML syntax error: {problem}. Check the indentation and quoting there "
        "(text containing ': ' or '#' needs 'single quotes', and an apostrophe inside "
        "single quotes is written twice: '')."
    )


def _entry_nodes(path, root, list_key, problems, *, also, required):
    if not isinstance(root, yaml.MappingNode):
        raise ConfigFileError(f"{path}: expected a '{list_key}:' list at the top of the file.")
    nodes = None
    for key, value in root.value:
        if key.value not in also:
            allowed = " and ".join(f"'{name}:'" for name in also)
            problems.append(
                f"{path} line {key.start_mark.line + 1}: unknown top-level key {key.value!r}; "
                f"only {allowed} {'is' if len(also) == 1 else 'are'} allowed."
            )
        elif key.value != list_key:
            continue
        elif isinstance(value, yaml.SequenceNode):
            nodes = value.value
        else:
            problems.append(f"{path} line {value.start_mark.line + 1}: '{list_key}:' must be a list of entries.")
    if nodes is None and required and not problems:
        problems.append(f"{path}: no '{list_key}:' list found.")
    return nodes or []


def _entry(path, node, allowed, fields, problems):
    line = node.start_mark.line + 1
    if not isinstance(node, yaml.MappingNode):
        problems.append(f"{path} line {line}: each entry must be a set of 'key: value' lines.")
        return None
    entry = {"line": line, "defined_in": path.name, "key_lines": {}}
    for key, value in node.value:
        key_line = key.start_mark.line + 1
        entry["key_lines"][key.value] = key_line  # e.g. where the query is, for its checks
        if key.value not in allowed:
            problems.append(
                f"{path} line {key_line}: unknown key {key.value!r}; allowed keys are "
                f"{', '.join(sorted(allowed))}."
            )
            continue
        entry[key.value] = _value(path, key.value, value, key.value in fields["lists"], problems)
    for name in fields["required"]:
        if entry.get(name, "") in ("", []):  # None: already reported as a wrong type
            problems.append(f"{path} line {line}: the entry has no {name!r}; add one.")
    return entry


def _value(path, key, node, is_list, problems):
    if not is_list and isinstance(node, yaml.ScalarNode):
        return node.value.strip()
    if is_list and isinstance(node, yaml.SequenceNode) and all(
        isinstance(n, yaml.ScalarNode) for n in node.value
    ):
        return [n.value.strip() for n in node.value]
    kind = "a list of text (one '- item' per line)" if is_list else "text"
    problems.append(f"{path} line {node.start_mark.line + 1}: {key!r} must be {kind}.")
    return None
