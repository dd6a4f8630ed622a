"""Reference formats, as pure functions of plain dicts.

A reference is a dict with the citations columns (pmid, title, journal,
journal_iso, volume, issue, pages, year, doi, pmcid, abstract, language, issn,
is_book, is_retracted, has_expression_of_concern, is_deleted, authors_complete)
and ``author_list``: dicts with last_name, fore_name, initials, suffix and
collective_name, in author order (see web/references.py).

Every format says when an article is retracted, under an expression of concern
or deleted from PubMed: a clinic must never cite a retracted paper unknowingly.
"""

import functools
import html
import json
import os
import re
import unicodedata

import bibtexparser
import rispy
from bibtexparser.library import Library
from bibtexparser.model import Entry, Field
from pylatexenc.latexencode import UnicodeToLatexEncoder

from litref.evidence.vocabularies.flags import FLAGS
from litref.evidence.vocabularies.stances import STANCES
from litref.web.pages import safe_markup

STANCE_LABELS = {stance["code"]: stance["label"] for stance in STANCES}

VANCOUVER_AUTHORS = 6  # ICMJE: list the first six, then "et al."
_PAGE_RANGE = re.compile(r"(?P<prefix>[A-Za-z]*)(?P<first>\d+)-(?P=prefix)?(?P<last>\d+)")
_SPACES = re.compile(r"\s+")
# Every LaTeX special character and every accented letter as LaTeX; characters
# LaTeX has no name for (CJK, emoji) stay as UTF-8, which biber and bibtex8 read.
_LATEX = UnicodeToLatexEncoder(
    non_ascii_only=False, replacement_latex_protection="braces-almost-all",
    unknown_char_policy="keep", unknown_char_warning=False,
)
_LATEX_SPECIALS = set('"#$%&<>\\^_{}~')  # the ASCII characters _LATEX rewrites
KINDS = {  # is_book → (BibTeX, RIS, CSL) type; the journal column holds a book's title
    False: ("article", "JOUR", "article-journal"),
    # NCBI Bookshelf records in PubMed are chapters or sections of a book.
    True: ("incollection", "CHAP", "chapter"),
}


def flags(reference):
    """Labels of what is wrong with an article ("Retracted", ...), empty when nothing."""
    return [flag["label"] for flag in FLAGS if reference.get(flag["column"])]


def judgement_text(stance, note=None, reviewer=None, reviewed_at=None):
    """ "Clinic staff's stance: Contradicts (alice, 2026-03-01). Note: ..." for an export's
    note: a judgement of the clinic's, never PubMed's."""
    who = ", ".join(part for part in (reviewer, (reviewed_at or "")[:10]) if part)
    label = STANCE_LABELS.get(stance, stance)
    text = f"Clinic staff's stance: {label}" + (f" ({who})" if who else "") + "."
    return text + (f" Note: {one_line(note)}" if note else "")


def notes(reference):
    """The note every format carries: what is wrong with the article, then what staff said."""
    return [*flags(reference), *([reference["staff_note"]] if reference.get("staff_note") else [])]


def pubmed_url(pmid):
    return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"


def one_line(text):
    """Whitespace (line breaks of structured abstracts included) folded to single spaces."""
    return _SPACES.sub(" ", text).strip() if text else text


def _kind(reference, position):
    return KINDS[bool(reference.get("is_book"))][position]


def _initials(author):
    if author.get("initials"):
        return author["initials"]
    return "".join(part[0] for part in re.split(r"[\s-]+", author.get("fore_name") or "") if part)


def _given(author):
    """Fore name if PubMed has it, else initials as "T. O." (how reference managers read them)."""
    return author.get("fore_name") or " ".join(f"{letter}." for letter in _initials(author))


# --- Vancouver (NLM Citing Medicine / ICMJE) -------------------------------------------

def vancouver_name(author):
    """ "Lim TO", "King JT Jr", or a group's name as PubMed gives it."""
    if author.get("collective_name"):
        return author["collective_name"]
    return " ".join(part for part in (author.get("last_name"), _initials(author),
                                      author.get("suffix")) if part)


def vancouver_authors(authors, complete=True):
    """Up to six names, then "et al." (also when PubMed says its list is incomplete).
    A group name is set off from personal names by a semicolon, as NLM does."""
    shown = authors[:VANCOUVER_AUTHORS]
    text = ""
    for index, author in enumerate(shown):
        if index:
            is_group, was_group = (bool(a.get("collective_name")) for a in (author, shown[index - 1]))
            text += "; " if is_group != was_group else ", "
        text += vancouver_name(author)
    if text and (len(authors) > VANCOUVER_AUTHORS or complete is False):
        text += ", et al."
    return text


def elide_pages(pages):
    """NLM page ranges drop the repeated leading digits: 1421-1432 → 1421-32."""
    def shorten(match):
        first, last = match["first"], match["last"]
        if len(first) == len(last):
            last = last[min(len(os.path.commonprefix([first, last])), len(last) - 1):]
        return f"{match['prefix']}{first}-{last}"

    return _PAGE_RANGE.sub(shorten, pages) if pages else pages


def _sentence(text):
    """Text ending with a full stop (a ? or ! ending stays)."""
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def _vancouver_title(reference):
    title = (reference.get("title") or "").strip().rstrip(".")
    warnings = flags(reference)
    return _sentence(f"{title} [{'; '.join(warnings)}]" if warnings else title)


def _vancouver_source(reference):
    """ "Ann Rheum Dis. 2017;76(8):1436-9." with whatever parts the record has."""
    issue = f"({reference['issue']})" if reference.get("issue") else ""
    volume = f"{reference.get('volume') or ''}{issue}"
    when = ";".join(str(part) for part in (reference.get("year"), volume) if part)
    pages = elide_pages(reference.get("pages"))
    when = f"{when}:{pages}" if pages else when
    journal = reference.get("journal_iso") or reference.get("journal")
    return " ".join(_sentence(part) for part in (journal, when) if part)


def vancouver_identifiers(reference):
    """[(text, url)] for the DOI, PMID and PMCID, as PubMed's own citations end."""
    found = []
    if reference.get("doi"):
        found.append((f"doi: {reference['doi']}", f"https://doi.org/{reference['doi']}"))
    found.append((f"PMID: {reference['pmid']}", pubmed_url(reference["pmid"])))
    if reference.get("pmcid"):
        found.append((f"PMCID: {reference['pmcid']}",
                      f"https://www.ncbi.nlm.nih.gov/pmc/articles/{reference['pmcid']}/"))
    return found


def _identifier_separators(identifiers):
    """". " after the DOI, "; " between PubMed ids, "." at the end (PubMed's punctuation)."""
    return [". " if text.startswith("doi") else "; " for text, _ in identifiers[:-1]] + ["."]


def _vancouver_parts(reference, title):
    """Authors, title and source: everything before the identifiers."""
    authors = vancouver_authors(reference.get("author_list") or [],
                                complete=reference.get("authors_complete") != 0)
    return [_sentence(authors) if authors else "", title, _vancouver_source(reference)]


def _vancouver_body(reference):
    return " ".join(part for part in _vancouver_parts(reference, _vancouver_title(reference)) if part)


def vancouver_reference(reference):
    """One reference as plain text, without its number."""
    identifiers = vancouver_identifiers(reference)
    separators = _identifier_separators(identifiers)
    tail = "".join(text + separator for (text, _), separator in zip(identifiers, separators))
    return f"{_vancouver_body(reference)} {tail}"


def vancouver_text(references):
    """A numbered list, one reference a line, ready to paste under a page's text."""
    return "".join(f"{number}. {vancouver_reference(reference)}\n"
                   for number, reference in enumerate(references, start=1))


def vancouver_html(references):
    """The same list as an HTML page: an ordered list with the DOI and PubMed links."""
    items = "\n".join(f"<li>{_vancouver_reference_html(reference)}</li>" for reference in references)
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>References</title></head><body>\n<ol>\n{items}\n</ol>\n</body></html>\n")


def _vancouver_reference_html(reference):
    identifiers = vancouver_identifiers(reference)
    tail = "".join(
        f'<a href="{html.escape(url)}">{html.escape(label)}</a>{sep}'
        for (label, url), sep in zip(identifiers, _identifier_separators(identifiers))
    )
    authors, title, source = _vancouver_parts(reference, _vancouver_title_html(reference))
    body = " ".join(part for part in (html.escape(authors), title, html.escape(source)) if part)
    return f"{body} {tail}"


def _vancouver_title_html(reference):
    """The title with its formatting (italics, sub- and superscripts), made safe again."""
    title = str(safe_markup(reference.get("title_html"), reference.get("title"))).strip()
    title = title[:-1] if title.endswith(".") else title
    warnings = flags(reference)
    return _sentence(f"{title} [{html.escape('; '.join(warnings))}]" if warnings else title)


# --- BibTeX -----------------------------------------------------------------------------

def latex(text):
    """Text as LaTeX. pylatexenc works a character at a time, so each character's
    LaTeX is looked up once (whole abstracts through it took 2.5 s per 1,000
    references); NFC first, so "e" + combining accent is the one letter "é"."""
    return "".join(_latex_character(character) if character in _LATEX_SPECIALS
                   or not character.isascii() else character
                   for character in unicodedata.normalize("NFC", text))


@functools.cache
def _latex_character(character):
    return _LATEX.unicode_to_latex(character)


def _bibtex_name(author):
    """ "Last, Jr, First" with LaTeX escapes; a group's name in braces so it stays whole."""
    if author.get("collective_name"):
        return "{" + latex(author["collective_name"]) + "}"
    last, suffix, given = (latex(part or "") for part in
                           (author.get("last_name"), author.get("suffix"), _given(author)))
    if suffix:
        return f"{last}, {suffix}, {given}"
    return f"{last}, {given}" if given else last


def _verbatim(value):
    """DOIs and URLs are read verbatim; only braces could break the entry."""
    return str(value).replace("{", "%7B").replace("}", "%7D")


def bibtex_entry(reference):
    pmid = reference["pmid"]
    fields = {
        "author": " and ".join(_bibtex_name(a) for a in reference.get("author_list") or []),
        # Double braces keep PubMed's capitals (SLE, MSCs) in styles that lower-case titles.
        "title": "{" + latex(reference.get("title") or "") + "}",
        ("booktitle" if reference.get("is_book") else "journal"): latex(reference.get("journal") or ""),
        "year": str(reference.get("year") or ""),
        "volume": latex(reference.get("volume") or ""),
        "number": latex(reference.get("issue") or ""),
        "pages": latex(reference.get("pages") or "").replace("-", "--"),
        "doi": _verbatim(reference.get("doi") or ""),
        "pmid": str(pmid),
        "pmcid": reference.get("pmcid") or "",
        "issn": reference.get("issn") or "",
        "language": latex(reference.get("language") or ""),
        "url": pubmed_url(pmid),
        "note": latex("; ".join(notes(reference))),
        "abstract": latex(one_line(reference.get("abstract")) or ""),
    }
    return Entry(_kind(reference, 0), f"pmid{pmid}",
                 [Field(key, value) for key, value in fields.items() if value])


def bibtex(references):
    library = Library()
    for reference in references:
        library.add(bibtex_entry(reference))
    return bibtexparser.write_string(library)


# --- RIS --------------------------------------------------------------------------------

def _ris_name(author):
    if author.get("collective_name"):
        return author["collective_name"]
    parts = (author.get("last_name"), _given(author), author.get("suffix"))
    return ", ".join(part for part in parts if part)


def _ris_pages(pages):
    """SP and EP: "1421-1432" → ("1421", "1432"); anything else is a start page."""
    first, dash, last = (pages or "").partition("-")
    return {"start_page": first.strip(), "end_page": last.strip() if dash else ""}


def ris_record(reference):
    pmid = reference["pmid"]
    record = {
        "type_of_reference": _kind(reference, 1),
        "authors": [_ris_name(a) for a in reference.get("author_list") or []],
        "title": reference.get("title"),
        "secondary_title": reference.get("journal"),
        "alternate_title1": reference.get("journal_iso"),
        "year": str(reference["year"]) if reference.get("year") else None,
        "volume": reference.get("volume"),
        "number": reference.get("issue"),
        **_ris_pages(reference.get("pages")),
        "doi": reference.get("doi"),
        "accession_number": str(pmid),
        "custom2": reference.get("pmcid"),
        "issn": reference.get("issn"),
        "language": reference.get("language"),
        "abstract": reference.get("abstract"),
        "urls": [pubmed_url(pmid)],
        "notes": notes(reference),
        "name_of_database": "PubMed",
    }
    # One line a tag: a line break inside a value would start a broken tag.
    return {key: [one_line(v) for v in value] if isinstance(value, list) else one_line(value)
            for key, value in record.items() if value}


class _RisWriter(rispy.RisWriter):
    """rispy numbers each record ("1."); reference managers expect only tagged lines."""

    def set_header(self, count):
        return ""


def ris(references):
    return rispy.dumps([ris_record(reference) for reference in references], implementation=_RisWriter)


# --- CSL-JSON ---------------------------------------------------------------------------

def _csl_name(author):
    if author.get("collective_name"):
        return {"literal": author["collective_name"]}
    name = {"family": author.get("last_name"), "given": _given(author), "suffix": author.get("suffix")}
    return {key: value for key, value in name.items() if value}


def csl_item(reference):
    pmid = reference["pmid"]
    item = {
        "id": f"pmid{pmid}",
        "type": _kind(reference, 2),
        "title": reference.get("title"),
        "author": [_csl_name(a) for a in reference.get("author_list") or []],
        "container-title": reference.get("journal"),
        "container-title-short": reference.get("journal_iso"),
        "volume": reference.get("volume"),
        "issue": reference.get("issue"),
        "page": reference.get("pages"),
        "issued": {"date-parts": [[reference["year"]]]} if reference.get("year") else None,
        "DOI": reference.get("doi"),
        "PMID": str(pmid),
        "PMCID": reference.get("pmcid"),
        "ISSN": reference.get("issn"),
        "language": reference.get("language"),
        "URL": pubmed_url(pmid),
        "abstract": reference.get("abstract"),
        "note": "; ".join(notes(reference)),
    }
    return {key: value for key, value in item.items() if value}


def csl_json(references):
    return json.dumps([csl_item(reference) for reference in references], ensure_ascii=False, indent=2)


# --- Atom entries -----------------------------------------------------------------------

def html_paragraphs(*texts):
    """Escaped text as <p> paragraphs (blank lines start a new one); empty parts skipped.
    Feed readers render atom_content_html, so nothing in a record may stay markup."""
    paragraphs = []
    for text in texts:
        for paragraph in re.split(r"\n\s*\n", str(text)) if text not in (None, "") else []:
            if paragraph.strip():
                paragraphs.append(f"<p>{html.escape(one_line(paragraph))}</p>")
    return "".join(paragraphs)
