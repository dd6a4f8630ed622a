"""What PubMed users type in a search box, read as PubMed reads it.

``parse(text)`` turns the text into a plain ``Query``: identifiers (a PMID,
"PMID: 28478399", several PMIDs, a DOI or its doi.org address, a PMC id),
clauses with PubMed's field tags (``Deng D[au]``, ``"Lupus Nephritis"[mh]``,
``Ann Rheum Dis[ta]``, ``2017[dp]``...), and the remaining words.

The remaining words are also tried the way PubMed's automatic term mapping
tries them (``mapping_guesses``): as a MeSH heading, a journal, and an author
("Hügle", "Deng D", "van der Heijde"). Which guesses hold is for the database
to say (web/literature.py); this module only reads text. It never fails: any
text gives a Query, and what it could not use is listed in ``ignored``.
"""

import re
from dataclasses import dataclass, field

from litref.evidence.names import INITIALS, name_key

# PubMed field tags litref can search → the field it searches.
FIELD_TAGS = {
    "au": "author", "author": "author", "fau": "author", "full author name": "author",
    "1au": "first_author", "first author": "first_author",
    "ta": "journal", "journal": "journal", "jour": "journal", "so": "journal",
    "mh": "mesh", "mesh": "mesh", "mesh terms": "mesh", "mh:noexp": "mesh",
    "mesh terms:noexp": "mesh", "majr": "major_mesh", "mesh major topic": "major_mesh",
    "ti": "title", "title": "title",
    "tiab": "words", "title/abstract": "words", "tw": "words", "text word": "words",
    "all": "words", "all fields": "words",
    "pmid": "pmid", "uid": "pmid", "pm": "pmid",
    "doi": "doi", "aid": "doi", "lid": "doi",
    "dp": "year", "pdat": "year", "publication date": "year",
}
FIELD_NAMES = {  # for "Searched for: ..." on the results page
    "author": "author", "first_author": "first author", "journal": "journal", "journal_iso": "journal",
    "mesh": "MeSH heading", "major_mesh": "MeSH heading (main topic)", "title": "words in the title",
    "words": "words in the title or abstract", "pmid": "PMID", "doi": "DOI", "year": "year",
}
_PMID = r"\d{1,9}"
_PMID_PREFIX = r"(?:PMID\s*[:\-]?\s*)"
_PMID_LIST = re.compile(rf"^\s*{_PMID_PREFIX}?{_PMID}(?:[\s,;]+{_PMID_PREFIX}?{_PMID})*\s*"
                        r"(?:\[(?:pmid|uid|pm)\])?\s*$", re.IGNORECASE)
_LABELLED_PMID = re.compile(rf"\bPMID\s*[:\-]\s*({_PMID})\b", re.IGNORECASE)
_DOI = re.compile(r"(?:\bdoi\s*:\s*|https?://(?:dx\.)?doi\.org/)?\b(10\.\d{4,9}/[^\s\"<>]+)",
                  re.IGNORECASE)
_WHOLE_DOI = re.compile(r"^\s*(?:doi\s*:\s*|https?://(?:dx\.)?doi\.org/)?10\.\d{4,9}/[^\s\"<>]+"
                        r"\s*(?:\[(?:doi|aid|lid)\])?\s*$", re.IGNORECASE)
_PMCID = re.compile(r"^\s*(?:PMCID\s*:\s*)?(PMC\d{1,9})\s*$", re.IGNORECASE)
_TAG = re.compile(r"\[([^\[\]]*)\]")
OPERATORS = {"AND", "OR", "NOT"}
_OPERATOR_AT_END = re.compile(r"(?:^|\s)(AND|OR|NOT)\s*$")
_OPERATOR_AT_START = re.compile(r"^\s*(AND|OR)\b")
_YEARS = re.compile(r"^\s*(\d{4})(?:\s*[:\-]\s*(\d{4}))?\s*$")
MAX_NAME_WORDS = 4  # "van der Heijde D": longer text is not a name
MAX_HEADING_WORDS = 12  # nor, longer than this, a journal's title or a MeSH heading
_NAME_WORD = re.compile(r"^[^\W\d_][\w'’\-.]*$")


@dataclass(frozen=True)
class Clause:
    """One field-tagged part: ``field`` (author, journal, mesh...), what was typed, and
    whether NOT stood before it."""

    field: str
    value: str
    excluded: bool = False


@dataclass(frozen=True)
class Query:
    text: str
    pmids: tuple = ()
    doi: str = None
    pmcid: str = None
    clauses: tuple = ()
    words: str = ""  # untagged words, for full-text search (web/fts.py makes them safe)
    ignored: tuple = field(default=())  # tags litref does not search, as typed

    @property
    def is_empty(self):
        return not (self.pmids or self.doi or self.pmcid or self.clauses or self.words.strip())

    @property
    def is_identifier(self):
        return bool(self.pmids or self.doi or self.pmcid)


def parse(text):
    """The Query for what was typed (``None`` counts as nothing typed)."""
    text = " ".join(str(text or "").replace("\x00", " ").split())
    if not text:
        return Query(text="")
    identifiers = _identifiers(text)
    if identifiers:
        return Query(text=text, **identifiers)
    clauses, words, ignored = _clauses(text)
    return Query(text=text, clauses=tuple(clauses), words=words, ignored=tuple(ignored))


def _identifiers(text):
    """PMIDs, a DOI or a PMC id when the text is one (or a pasted reference naming one)."""
    if _PMID_LIST.match(text):
        return {"pmids": tuple(dict.fromkeys(int(n) for n in re.findall(rf"\b{_PMID}\b", text)))}
    labelled = _LABELLED_PMID.findall(text)
    if labelled:  # a reference pasted whole: "... doi: 10.1/x. PMID: 28478399."
        return {"pmids": tuple(dict.fromkeys(int(n) for n in labelled))}
    pmcid = _PMCID.match(text)
    if pmcid:
        return {"pmcid": pmcid.group(1).upper()}
    doi = _DOI.search(text)
    if doi and (_WHOLE_DOI.match(text) or re.search(r"\bdoi\s*:|doi\.org/", text, re.IGNORECASE)):
        return {"doi": clean_doi(doi.group(1))}
    return None


def clean_doi(doi):
    """A DOI as typed or pasted, without the full stop or bracket a sentence put after it."""
    doi = re.sub(r"\[(?:doi|aid|lid)\]$", "", doi, flags=re.IGNORECASE)
    return doi.rstrip(".,;)]")


def _clauses(text):
    """Tagged clauses (in order), the untagged words, and the tags not understood."""
    clauses, untagged, ignored = [], [], []
    position = 0
    for tag_match in _TAG.finditer(text):
        before, operator, value = _split_tagged(text[position:tag_match.start()])
        position = tag_match.end()
        untagged.append(before)
        tag = " ".join(tag_match.group(1).lower().split())
        kind = FIELD_TAGS.get(tag)
        if kind is None:
            ignored.append(tag_match.group(0))
            untagged.append(" ".join(filter(None, (operator, value))))
        elif kind == "words":
            untagged.append(" ".join(filter(None, (operator, _quoted(value)))))
        elif value:
            clauses.append(_clause(kind, value, excluded=operator == "NOT"))
    untagged.append(text[position:])
    words = " ".join(part.strip() for part in untagged if part.strip())
    return clauses, _OPERATOR_AT_START.sub("", words).strip(), ignored


def _split_tagged(segment):
    """The words a tag applies to, back to a "quoted phrase", an operator or the
    previous tag (as PubMed reads them): (untagged text before, operator, value)."""
    segment = segment.rstrip()
    if segment.endswith('"') and segment.count('"') >= 2:
        start = segment.rindex('"', 0, len(segment) - 1)
        before, value = segment[:start], segment[start + 1:-1]
    else:
        before, value = "", segment
        words = segment.split()
        operators = [i for i, word in enumerate(words) if word in OPERATORS]
        if operators:
            before, value = " ".join(words[:operators[-1] + 1]), " ".join(words[operators[-1] + 1:])
    operator = _OPERATOR_AT_END.search(before)
    if operator:
        before = before[:operator.start()]
    return before, operator.group(1) if operator else None, value.strip().strip('"').strip()


def _clause(kind, value, excluded):
    if kind == "doi":
        return Clause(kind, clean_doi(value), excluded)
    return Clause(kind, value, excluded)


def _quoted(value):
    return f'"{value}"' if " " in value else value


def years(value):
    """(first, last) year of a [dp] clause: "2017" or "2015:2020"; None when not years."""
    match = _YEARS.match(value)
    if not match:
        return None
    first = int(match.group(1))
    return first, int(match.group(2) or first)


def mapping_guesses(words):
    """What the untagged words might be besides words (PubMed's automatic term
    mapping): ``{"mesh": heading, "journal": title, "author": (key, initials)}``,
    each only when the text could be one. A single word and a MeSH heading are
    searched as words too; a name with initials, or several words that are a
    journal, only as that (see web/literature.py)."""
    if not words or '"' in words or re.search(r"\b(?:AND|OR|NOT)\b|\*", words):
        return {}
    parts = words.split()
    if len(parts) > MAX_HEADING_WORDS:
        return {}
    guesses = {"mesh": words, "journal": words}
    author = author_guess(parts) if len(parts) <= MAX_NAME_WORDS else None
    if author:
        guesses["author"] = author
    return guesses


def author_guess(parts):
    """("deng", "D") for Deng D; ("hugle", "") for Hügle; None when not a name."""
    if not all(_NAME_WORD.match(part) for part in parts):
        return None
    surname, initials = parts, ""
    if len(parts) > 1 and INITIALS.match(parts[-1]):
        surname, initials = parts[:-1], parts[-1]
    key = name_key(" ".join(surname))
    return (key, initials) if key else None


def author_clause(value):
    """The (key, initials) of a typed [au] value, e.g. "Deng D" or "hügle t"."""
    parts = value.replace(",", " ").split()
    if len(parts) > 1 and re.fullmatch(r"[A-Za-z]{1,3}", parts[-1]):
        return name_key(" ".join(parts[:-1])), parts[-1].upper()
    return name_key(value), ""
