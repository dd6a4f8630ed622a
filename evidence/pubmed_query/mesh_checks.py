"""Checks against NLM's lists: every [Mesh]/[Majr] heading a current descriptor,
every /subheading one that heading allows, every [pt] a publication type, and
a miss answered with the closest real terms."""

import re

from litref.evidence.pubmed_query.problems import ERROR, WARNING, Problem
from litref.evidence.pubmed_query.syntax import split_heading, strip_span
from litref.evidence.pubmed_query.tags import lookup_tag


def vocabulary_problems(atom, query, vocabulary) -> list[Problem]:
    """What NLM's lists say is wrong with one term (nothing for other tags)."""
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


def _heading_problems(atom, query, vocabulary) -> list[Problem]:
    heading, h_start, h_end, qualifier = split_heading(atom, query)
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
    s, e = strip_span(query, start, end)
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
