"""Staff-edited YAML files (searches.yml, and the same shape for claims.yml and pages.yml).

Staff are not programmers, so every problem is reported with the file, the
line and what to change, and all problems are reported at once.
"""

import re
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from litref.evidence.vocabularies import designs, stances, subjects

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")

# Which keys an entry may have; keys under "lists" hold a list of text, the rest text.
SEARCH_FIELDS = {"required": ("name", "query"), "optional": ("description",), "lists": ()}


class ConfigFileError(ValueError):
    """One or more problems in a staff-edited file; ``str()`` lists them all."""


CLAIM_FIELDS = {
    "required": ("id", "page", "text", "query"),
    "optional": ("section", "topics"),
    "lists": ("topics",),
}
CURATION_FIELDS = {"required": ("claim", "pmid", "stance"), "optional": ("note",), "lists": ()}
ASSESSMENT_FIELDS = {"required": ("pmid",), "optional": ("design", "subjects", "detail"), "lists": ()}
CURATION_LISTS = ("links", "assessments")
PAGE_FIELDS = {"required": ("id", "title"), "optional": ("url", "snapshot"), "lists": ()}


def read_claims(path, pages=None):
    """The claims of a claims.yml, each a dict with its ``line``.

    With ``pages`` (from ``read_pages``), each claim must name one of them.
    """
    claims = read_entries(path, "claims", CLAIM_FIELDS, id_field="id")
    if pages is not None:
        _raise_problems(_unknown_pages(path, claims, pages))
    return claims


def _unknown_pages(path, claims, pages):
    ids = [page["id"] for page in pages]
    for claim in claims:
        if claim["page"] not in ids:
            yield (f"{path} line {claim['line']}: page {claim['page']!r} is not in the pages file; "
                   f"use the id of one of its pages ({', '.join(ids) or 'it lists none'}), "
                   "or add the page there first.")


def read_pages(path):
    """The pages of a pages.yml, each a dict with its ``line``; ``snapshot_path`` is
    the saved copy (``snapshot`` is relative to the pages file), checked to exist."""
    path = Path(path)
    pages = read_entries(path, "pages", PAGE_FIELDS, id_field="id")
    _raise_problems(problem for page in pages for problem in _page_problems(path, page))
    for page in pages:
        page["url"] = page.get("url") or ""
        page["snapshot"] = page.get("snapshot") or ""
        page["snapshot_path"] = (path.parent / page["snapshot"]).resolve() if page["snapshot"] else None
    return pages


def _page_problems(path, page):
    where = f"{path} line {page['line']}"
    url = page.get("url") or ""
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            yield (f"{where}: url {url!r} is not a web address; write it as the browser shows it, "
                   "starting with https://, or leave it empty (\"\") to use the saved snapshot.")
    snapshot = page.get("snapshot")
    if snapshot and not (path.parent / snapshot).is_file():
        yield (f"{where}: snapshot {snapshot!r} is not a file (it is read from "
               f"{path.parent / snapshot}); save the page's text there, or correct the path.")
    if not url and not snapshot:
        yield f"{where}: the page has neither a url nor a snapshot; give it at least one."


def _raise_problems(problems):
    problems = list(problems)
    if problems:
        raise ConfigFileError("\n".join(problems))


def read_curation(path):
    """{"links": curated links (claim, pmid, stance, note), "assessments": a reviewer's
    reading of each study (pmid, design, subjects, detail)} from a file such as
    sample/curation.yml."""
    links = read_entries(path, "links", CURATION_FIELDS, id_field=None, also=CURATION_LISTS)
    assessments = read_entries(path, "assessments", ASSESSMENT_FIELDS, id_field=None,
                               also=CURATION_LISTS, required=False)
    _raise_problems(
        [f"{path} line {link['line']}: {problem}" for link in links for problem in _link_problems(link)]
        + [f"{path} line {entry['line']}: {problem}"
           for entry in assessments for problem in _assessment_problems(entry)]
    )
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
    except UnicodeDecodeError as error:
        raw = path.read_bytes()
        raise ConfigFileError(_not_text(path, raw.count(b"\n", 0, error.start) + 1,
                                        f"byte 0x{raw[error.start]:02X}")) from error
    except OSError as error:
        raise ConfigFileError(f"{path}: cannot read the file ({error.strerror or error}).") from error
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.reader.ReaderError as error:  # a control character: binary data, not text
        raise ConfigFileError(_not_text(path, text.count("\n", 0, error.position) + 1,
                                        f"character #x{error.character:04X}")) from error
    except yaml.YAMLError as error:
        raise ConfigFileError(f"{path}{_syntax_error(error)}") from error


def _not_text(path, line, what):
    return (
        f"{path} line {line}: this is not UTF-8 text ({what} cannot be read). The file was "
        "probably saved as 'Latin-1', 'Windows-1252' or 'ANSI', or is not a text file at all. "
        "Open it in a text editor and save it with the encoding 'UTF-8' (or restore it from "
        "the last good copy)."
    )


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


# claims.yml as `litref claims --export` writes it: the layout of the shipped
# file, so that exporting unchanged claims rewrites it byte for byte.
DEFAULT_CLAIMS_HEADER = (
    "# Claims on the clinic website, one entry per checkable statement, written by\n"
    "# `litref claims --export`. See README.md (\"The website's claims\") for the fields.\n"
)


def claims_file_text(claims, pages, header=DEFAULT_CLAIMS_HEADER):
    """The text of a claims.yml holding ``claims`` (dicts as ``read_claims`` gives),
    with a comment line naming each page (``pages``: id → title) before its claims."""
    entries, page = [], None
    for claim in claims:
        lines = []
        if claim["page"] != page:
            page = claim["page"]
            lines.append(f"  # ---- Page {page}: \"{pages.get(page, page)}\"")
        lines += [f"  - id: {claim['id']}", f"    page: {page}"]
        if claim.get("section"):
            lines.append(f"    section: {_quoted(claim['section'])}")
        lines += [f"    text: {_quoted(claim['text'])}", f"    query: {_single_quoted(claim['query'])}"]
        if claim.get("topics"):
            lines.append(f"    topics: [{', '.join(claim['topics'])}]")
        entries.append("\n".join(lines))
    return header + "claims:\n" + "\n\n".join(entries) + "\n"


def _quoted(text):
    """Double quotes, as staff write claims; single quotes when the text has a double quote."""
    return _single_quoted(text) if '"' in text or "\\" in text else f'"{text}"'


def _single_quoted(text):
    return "'" + text.replace("'", "''") + "'"


def header_of(path):
    """The comment lines before 'claims:' of an existing claims file (kept by an export)."""
    path = Path(path)
    if not path.is_file():
        return DEFAULT_CLAIMS_HEADER
    text = path.read_text(encoding="utf-8")
    start = text.find("\nclaims:")
    return text[:start + 1] if start >= 0 else DEFAULT_CLAIMS_HEADER


def write_claims(path, claims, pages):
    """Write claims.yml anew (its introduction kept), after checking that it reads back
    as exactly these claims; returns how many were written."""
    path = Path(path)
    titles = {page["id"]: page["title"] for page in pages}
    text = claims_file_text(claims, titles, header_of(path))
    new = path.with_name(path.name + ".new")
    try:
        new.write_text(text, encoding="utf-8")
    except OSError as error:
        raise ConfigFileError(f"{path}: cannot write beside it ({error.strerror or error}); check "
                              "that its folder exists and may be written.") from error
    try:
        same = _comparable(read_claims(new, pages)) == _comparable(claims)
    except ConfigFileError:
        same = False
    if not same:
        new.unlink()
        raise ConfigFileError(f"{path}: the claims could not be written so that they read back "
                              "the same; nothing was changed. Please report this.")
    new.replace(path)
    return len(claims)


def _comparable(claims):
    fields = ("id", "page", "section", "text", "query", "topics")
    return [{field: claim.get(field) or None for field in fields} for claim in claims]
