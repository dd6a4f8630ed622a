"""MEDLINE text (PubMed's "Send to: Citation manager", .nbib/.txt) → record dicts.

Read with ``Bio.Medline`` and shaped exactly like ``fetch.pubmed_xml`` records,
so both go through the same writer. MEDLINE text is poorer than XML: no MeSH or
publication-type UIs, no inline markup, and Bio.Medline keeps affiliations and
ORCIDs as flat lists that cannot be matched to their authors, so those stay
empty here (import the XML export for them).
"""

import re
from html import escape

from Bio import Medline

from litref.fetch.pubmed_xml import NO_TITLE
from litref.evidence.records import finish, with_grade

# MEDLINE comment/correction tags → the RefType PubMed XML uses for them.
LINK_TAGS = {
    "CIN": "CommentIn", "CON": "CommentOn",
    "EIN": "ErratumIn", "EFR": "ErratumFor",
    "RIN": "RetractionIn", "ROF": "RetractionOf",
    "ECI": "ExpressionOfConcernIn", "ECF": "ExpressionOfConcernFor",
    "UIN": "UpdateIn", "UOF": "UpdateOf",
    "RPI": "RepublishedIn", "RPF": "RepublishedFrom",
    "RRI": "RetractedandRepublishedIn", "RRF": "RetractedandRepublishedFrom",
    "CRI": "CorrectedandRepublishedIn", "CRF": "CorrectedandRepublishedFrom",
}
_LINK_PMID_WITH_SOURCE = re.compile(r"\s*(.*?)\s*PMID:\s*(\d+)")
_ID_TYPE = re.compile(r"(\S+)\s*\[(\w+)\]")


class NotMedline(ValueError):
    """The input is not MEDLINE text."""


def parse(text_handle, name="input", *, graded=True):
    """Yield record dicts from a text file object of MEDLINE records (``graded`` as in
    pubmed_xml.parse)."""
    for number, entry in enumerate(Medline.parse(text_handle), start=1):
        if "PMID" not in entry:
            raise NotMedline(
                f"{name}: record {number} has no 'PMID-' line, so this is not "
                "MEDLINE text. Export from PubMed with 'Send to: Citation manager'."
            )
        record = medline_record(entry)
        yield with_grade(record) if graded else record


def medline_record(entry):
    """One Bio.Medline record as a record dict."""
    ids = _article_ids(entry)
    citation = {
        "pmid": int(entry["PMID"]),
        "pmid_version": 1,
        "status": entry.get("STAT"),
        "title": entry.get("TI") or NO_TITLE,
        "title_html": _escaped(entry.get("TI") or NO_TITLE),
        "vernacular_title": entry.get("TT") or _joined(entry, "VTI"),
        "abstract": entry.get("AB"),
        "abstract_html": _paragraph(entry.get("AB")),
        "copyright": _joined(entry, "CI"),
        "coi_statement": _joined(entry, "COIS"),
        "journal": entry.get("JT"),
        "journal_iso": entry.get("TA"),
        "issn": _first(entry.get("IS"), r"^(\d{4}-\d{3}[\dX])"),
        "volume": entry.get("VI"),
        "issue": entry.get("IP"),
        "pages": entry.get("PG"),
        "pub_date": entry.get("DP"),
        "year": _year(entry.get("DP")),
        "article_date": _iso(entry.get("DEP")),
        "entrez_date": _iso(entry.get("EDAT")),
        "date_completed": _iso(entry.get("DCOM")),
        "date_revised": _iso(entry.get("LR")),
        "doi": ids.get("doi"),
        "pmcid": entry.get("PMC") or ids.get("pmc"),
        "language": ", ".join(_as_list(entry.get("LA"))) or None,
        "publication_status": entry.get("PST"),
        "authors_complete": None,  # MEDLINE text does not say
        "is_book": 0,
    }
    record = {
        "citation": citation,
        "authors": _authors(entry),
        "mesh": [row for heading in _as_list(entry.get("MH")) for row in _mesh(heading)],
        "publication_types": [
            {"publication_type": pt, "ui": None} for pt in _as_list(entry.get("PT"))
        ],
        "keywords": [{"keyword": k, "major": int(k.startswith("*"))} for k in _as_list(entry.get("OT"))],
        "grants": [_grant(g) for g in _as_list(entry.get("GR"))],
        "databanks": [_databank(si) for si in _as_list(entry.get("SI"))],
        "links": _links(entry),
    }
    for keyword in record["keywords"]:
        keyword["keyword"] = keyword["keyword"].lstrip("*")
    return finish(record)


def _joined(entry, key):
    """A one-value field that Bio.Medline hands over as a list of lines."""
    return " ".join(_as_list(entry.get(key))) or None


def _as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _escaped(text):
    return escape(text, quote=False) if text else None


def _paragraph(text):
    return f"<p>{_escaped(text)}</p>" if text else None


def _first(values, pattern):
    for value in _as_list(values):
        match = re.match(pattern, value)
        if match:
            return match.group(1)
    return None


def _year(printed):
    return int(printed[:4]) if printed and printed[:4].isdigit() else None


def _iso(value):
    """MEDLINE dates "20090814" or "2009/06/03 09:00" → "2009-08-14"."""
    if not value:
        return None
    digits = re.sub(r"\D", "", value.split(" ")[0])
    if len(digits) < 8:
        return digits[:4] or None
    return f"{digits[:4]}-{digits[4:6]}-{digits[6:8]}"


def _article_ids(entry):
    """``AID``/``LID`` lines "10.1002/stem.68 [doi]" → {"doi": "10.1002/stem.68"}."""
    ids = {}
    # Bio.Medline joins repeated LID lines into one string, so find every "id [type]".
    for value in _as_list(entry.get("AID")) + _as_list(entry.get("LID")):
        for identifier, id_type in _ID_TYPE.findall(value):
            ids.setdefault(id_type, identifier)
    return ids


def _authors(entry):
    # Full names (FAU) exist only since 2002; older records have just "Sun L" (AU).
    full_names = _as_list(entry.get("FAU"))
    short_names = _as_list(entry.get("AU"))
    people = [
        _person(
            full_names[i] if i < len(full_names) else None,
            short_names[i] if i < len(short_names) else None,
        )
        for i in range(max(len(full_names), len(short_names)))
    ]
    groups = [_group(name) for name in _as_list(entry.get("CN"))]
    authors = people + groups
    for position, author in enumerate(authors, start=1):
        author["position"] = position
    return authors


def _person(full_name, short_name):
    """From "Sun, Lingyun" (FAU) and "Sun L" (AU); either may be missing."""
    short_last, _, initials = (short_name or "").rpartition(" ")
    last, _, fore = (full_name or "").partition(", ")
    return {
        "last_name": last or short_last or short_name or None,
        "fore_name": fore or None,
        "initials": initials if short_last else None,
        "suffix": None,
        "collective_name": None,
        "orcid": None,
        "affiliations": None,
    }


def _group(name):
    return {
        "last_name": None, "fore_name": None, "initials": None, "suffix": None,
        "collective_name": name, "orcid": None, "affiliations": None,
    }


def _mesh(heading):
    """"Lupus Erythematosus, Systemic/*therapy" → rows; "*" marks a major topic."""
    descriptor, *qualifiers = heading.split("/")
    base = {
        "descriptor": descriptor.lstrip("*"),
        "descriptor_ui": None,
        "qualifier": None,
        "qualifier_ui": None,
        "major": int(descriptor.startswith("*")),
    }
    if not qualifiers:
        return [base]
    return [
        {**base, "qualifier": q.lstrip("*"), "major": int(base["major"] or q.startswith("*"))}
        for q in qualifiers
    ]


def _grant(value):
    """"R01 AR123/AR/NIAMS NIH HHS/United States" → id, acronym, agency, country.

    Read from the right: grant ids may themselves contain "/", and a grant
    without an id is just "Agency/Country".
    """
    parts = value.split("/")
    if len(parts) < 2:
        return {"grant_id": None, "acronym": None, "agency": value, "country": None}
    *rest, agency, country = parts
    grant_id, acronym = None, None
    if len(rest) == 1:
        grant_id = rest[0]
    elif len(rest) > 1:
        grant_id, acronym = "/".join(rest[:-1]), rest[-1]
    return {"grant_id": grant_id, "acronym": acronym, "agency": agency, "country": country}


def _databank(value):
    """"ClinicalTrials.gov/NCT00000000" → databank and accession."""
    databank, _, accession = value.partition("/")
    return {"databank": databank, "accession": accession or None}


def _links(entry):
    """Comment/correction lines → links. Bio.Medline may split one wrapped line into
    two list items ("... PMID:", "99000202"), so the lines are rejoined and then cut
    at each "PMID: n"."""
    links = []
    for tag, reftype in LINK_TAGS.items():
        text = " ".join(_as_list(entry.get(tag)))
        found = _LINK_PMID_WITH_SOURCE.findall(text)
        if text and not found:
            found = [(text, None)]
        links.extend(
            {
                "reftype": reftype,
                "target_pmid": int(pmid) if pmid else None,
                "refsource": source.strip(" .;") or None,
            }
            for source, pmid in found
        )
    return links
