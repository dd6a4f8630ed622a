"""Build sample/pubmed-sample.xml from sample/reference-records.json.

The sample is CONSTRUCTED from verified bibliographic facts (identifiers,
titles, authors, journals, years, publication types, subjects) recorded in
sample/reference-records.json (the project's verified reference records,
kept in the repository so that it stands alone). It was NOT downloaded from
PubMed: no efetch response for these articles was available. Only records with a PMID are
written, and only fields that were seen (non-null in the JSON) go in, except
where the PubMed DTD requires an element; those places are marked
"DTD-required" below and with an XML comment inside each article.

Usage:  python sample/build_sample.py [path/to/reference-records.json]

Deterministic: the same JSON always gives byte-identical output. Standard
library + lxml only. After writing, the output is validated against
Biopython's shipped copy of pubmed_250101.dtd (found without importing
Biopython); a validation error makes the script exit non-zero.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

from lxml import etree

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE / "reference-records.json"
OUTPUT = HERE / "pubmed-sample.xml"

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
DOCTYPE = (
    '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">'
)
HEADER_COMMENT = (
    " Sample PubMed efetch-style data for litref. CONSTRUCTED by sample/build_sample.py "
    "from verified facts in shared/reference-records.json; NOT downloaded from PubMed. "
    "Only fields that were seen are present; elements the PubMed DTD requires but that "
    "were not seen carry placeholder values, listed in the comment inside each article. "
    "Do not edit by hand: re-run the script. "
)

# Real PubMed publication types and their MeSH UIs.
PUBLICATION_TYPE_UI = {
    "Journal Article": "D016428",
    "Review": "D016454",
    "Systematic Review": "D000078182",
    "Meta-Analysis": "D017418",
    "Randomized Controlled Trial": "D016449",
    "Case Reports": "D002363",
    "Clinical Trial": "D016430",
    "Multicenter Study": "D016448",
    "Observational Study": "D064888",
    "Practice Guideline": "D017065",
    "Comparative Study": "D003160",
    "Research Support, Non-U.S. Gov't": "D013485",
}
# Free-text spellings seen in the JSON that obviously mean a PubMed type.
# A network meta-analysis is indexed under the Meta-Analysis type here.
PUBLICATION_TYPE_ALIASES = {
    "review article": "Review",
    "network meta-analysis": "Meta-Analysis",
}
# Placeholder for records whose publication types were not seen (or none of
# which map): the DTD requires PublicationTypeList with at least one entry,
# and "Journal Article" is the neutral type nearly every PubMed record has.
PLACEHOLDER_PUBLICATION_TYPE = "Journal Article"

# MeSH check tags that the JSON's `subjects` field records.
CHECK_TAGS = {"Animals": "D000818", "Humans": "D006801", "Mice": "D051379"}

GROUP_WORDS = re.compile(
    r"\b(group|consortium|network|registry|investigators|collaborat\w*|committee|"
    r"society|association|team|study)\b",
    re.IGNORECASE,
)
SUFFIXES = {"Jr", "Sr", "2nd", "3rd", "4th"}

# DTD-required values that were not seen. One constant each, so it is obvious
# they are placeholders and not per-article facts.
STATUS = "MEDLINE"  # MedlineCitation@Status is #REQUIRED; most of these journals are MEDLINE-indexed
PUB_MODEL = "Print"  # Article@PubModel is #REQUIRED; not seen
CITED_MEDIUM = "Print"  # JournalIssue@CitedMedium is #REQUIRED; not seen
LANGUAGE = "eng"  # Language+ is required; every title is English-language
PUBLICATION_STATUS = "ppublish"  # required to carry ArticleIdList; all have a volume/year, i.e. published


def load_records(path: Path) -> list[dict]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [r for r in data["records"] if r.get("pmid")]


def _lookup_type(text: str) -> list[str]:
    """Map one free-text piece onto PubMed type names ([] when not obvious)."""
    key = " ".join(text.split()).strip(" .").lower()
    if not key:
        return []
    for name in PUBLICATION_TYPE_UI:
        if key == name.lower():
            return [name]
    if key in PUBLICATION_TYPE_ALIASES:
        return [PUBLICATION_TYPE_ALIASES[key]]
    parts = [p for p in re.split(r"\s+and\s+", key) if p]
    if len(parts) > 1:
        mapped = [_lookup_type(p) for p in parts]
        if all(mapped):
            return [name for names in mapped for name in names]
    return []


def map_publication_types(free_text: list[str] | None) -> tuple[list[str], list[str]]:
    """Return (PubMed type names, free-text pieces that could not be mapped).

    A bracketed note is dropped unless the note itself names a PubMed type,
    e.g. "Review (systematic review)" gives Review + Systematic Review, while
    "Journal Article (NIH author manuscript ...)" gives Journal Article.
    """
    names: list[str] = []
    unmapped: list[str] = []
    for entry in free_text or []:
        notes = re.findall(r"\(([^)]*)\)", entry)
        main = re.sub(r"\([^)]*\)", " ", entry)
        for piece in main.split(";"):
            found = _lookup_type(piece)
            if found:
                names.extend(found)
            elif piece.strip():
                unmapped.append(piece.strip())
        for note in notes:
            names.extend(_lookup_type(note))
    unique = list(dict.fromkeys(names))
    return unique, unmapped


def split_author(name: str) -> dict:
    """'Sun L' -> LastName Sun, Initials L; group names -> CollectiveName."""
    name = " ".join(name.split())
    if GROUP_WORDS.search(name):
        return {"collective": name}
    tokens = name.split(" ")
    suffix = None
    if len(tokens) > 2 and tokens[-1] in SUFFIXES:
        suffix = tokens.pop()
    if len(tokens) > 1 and len(tokens[-1]) <= 4 and tokens[-1].isalpha() and tokens[-1].isupper():
        return {"last": " ".join(tokens[:-1]), "initials": tokens[-1], "suffix": suffix}
    return {"last": " ".join(tokens), "initials": None, "suffix": suffix}


def check_tags(subjects: list[str] | None) -> list[str]:
    seen = set()
    for subject in subjects or []:
        s = subject.lower()
        if s.startswith("human"):
            seen.add("Humans")
        if s.startswith("animal") or "mice" in s or "mouse" in s:
            seen.add("Animals")
        if "mice" in s or "mouse" in s:
            seen.add("Mice")
    return sorted(seen)  # PubMed lists MeSH headings alphabetically


def sub(parent, tag: str, text: str | None = None, **attrib) -> etree._Element:
    el = etree.SubElement(parent, tag, {k: v for k, v in attrib.items()})
    if text is not None:
        el.text = text
    return el


def build_journal(article, rec: dict) -> None:
    journal = sub(article, "Journal")
    issue = sub(journal, "JournalIssue", CitedMedium=CITED_MEDIUM)
    if rec.get("volume"):
        sub(issue, "Volume", str(rec["volume"]))
    if rec.get("issue"):
        sub(issue, "Issue", str(rec["issue"]))
    pub_date = sub(issue, "PubDate")
    sub(pub_date, "Year", str(rec["year"]))  # year only: no invented month/day
    if rec.get("journal"):
        sub(journal, "Title", rec["journal"])
    if rec.get("journal_iso"):
        sub(journal, "ISOAbbreviation", rec["journal_iso"])


def build_authors(article, rec: dict) -> None:
    if not rec.get("authors"):
        return
    complete = "Y" if rec.get("authors_complete") else "N"
    author_list = sub(article, "AuthorList", CompleteYN=complete)
    for name in rec["authors"]:
        parts = split_author(name)
        author = sub(author_list, "Author", ValidYN="Y")
        if "collective" in parts:
            sub(author, "CollectiveName", parts["collective"])
            continue
        sub(author, "LastName", parts["last"])
        if parts["initials"]:
            sub(author, "Initials", parts["initials"])
        if parts["suffix"]:
            sub(author, "Suffix", parts["suffix"])


def build_article(citation, rec: dict, type_names: list[str]) -> None:
    article = sub(citation, "Article", PubModel=PUB_MODEL)
    build_journal(article, rec)
    sub(article, "ArticleTitle", rec["title"])
    if rec.get("pages"):
        # Page range kept as seen (MEDLINE would abbreviate 1421-1432 to 1421-32).
        pagination = sub(article, "Pagination")
        sub(pagination, "MedlinePgn", str(rec["pages"]))
    else:
        # DTD: Pagination or at least one ELocationID; the seen DOI serves.
        sub(article, "ELocationID", rec["doi"], EIdType="doi", ValidYN="Y")
    build_authors(article, rec)
    sub(article, "Language", LANGUAGE)
    if rec.get("nct_ids"):
        bank_list = sub(article, "DataBankList", CompleteYN="Y")
        bank = sub(bank_list, "DataBank")
        sub(bank, "DataBankName", "ClinicalTrials.gov")
        numbers = sub(bank, "AccessionNumberList")
        for nct in rec["nct_ids"]:
            sub(numbers, "AccessionNumber", nct)
    type_list = sub(article, "PublicationTypeList")
    for name in type_names or [PLACEHOLDER_PUBLICATION_TYPE]:
        sub(type_list, "PublicationType", name, UI=PUBLICATION_TYPE_UI[name])


def build_pubmed_article(rec: dict) -> tuple[etree._Element, list[str]]:
    type_names, unmapped = map_publication_types(rec.get("publication_types"))
    placeholders = ["MedlineCitation@Status", "Article@PubModel", "JournalIssue@CitedMedium",
                    "Language", "MedlineJournalInfo/MedlineTA (from journal_iso)",
                    "PublicationStatus"]
    if not type_names:
        placeholders.append("PublicationType 'Journal Article' (types not seen or not mappable)")
    art = etree.Element("PubmedArticle")
    art.append(etree.Comment(
        f" reference id: {rec['id']}. Not from PubMed. DTD-required placeholders: "
        f"{'; '.join(placeholders)}. "
    ))
    citation = sub(art, "MedlineCitation", Status=STATUS, Owner="NLM")
    sub(citation, "PMID", str(rec["pmid"]), Version="1")
    build_article(citation, rec, type_names)
    journal_info = sub(citation, "MedlineJournalInfo")
    # MedlineTA is required; the seen ISO abbreviation is the closest fact.
    sub(journal_info, "MedlineTA", rec.get("journal_iso") or rec["journal"])
    tags = check_tags(rec.get("subjects"))
    if tags:
        mesh_list = sub(citation, "MeshHeadingList")
        for tag in tags:
            heading = sub(mesh_list, "MeshHeading")
            sub(heading, "DescriptorName", tag, UI=CHECK_TAGS[tag], MajorTopicYN="N")
    pubmed_data = sub(art, "PubmedData")
    sub(pubmed_data, "PublicationStatus", PUBLICATION_STATUS)
    ids = sub(pubmed_data, "ArticleIdList")
    sub(ids, "ArticleId", str(rec["pmid"]), IdType="pubmed")
    if rec.get("doi"):
        sub(ids, "ArticleId", rec["doi"], IdType="doi")
    if rec.get("pmcid"):
        sub(ids, "ArticleId", rec["pmcid"], IdType="pmc")
    return art, unmapped


def build_document(records: list[dict]) -> tuple[bytes, dict[str, list[str]]]:
    """Return the XML bytes and, per reference id, publication-type text not mapped."""
    root = etree.Element("PubmedArticleSet")
    unmapped_by_id: dict[str, list[str]] = {}
    for rec in records:
        if not rec.get("year") or not (rec.get("pages") or rec.get("doi")):
            # Cannot make a valid record without inventing a date or a location.
            unmapped_by_id[rec["id"]] = ["SKIPPED: no year, or neither pages nor DOI"]
            continue
        art, unmapped = build_pubmed_article(rec)
        root.append(art)
        if unmapped:
            unmapped_by_id[rec["id"]] = unmapped
    body = etree.tostring(root, pretty_print=True, encoding="unicode")
    text = "\n".join([XML_DECLARATION, DOCTYPE, f"<!--{HEADER_COMMENT}-->", body])
    return text.encode("utf-8"), unmapped_by_id


def dtd_path() -> Path | None:
    """Biopython's shipped pubmed_250101.dtd, located without importing Biopython."""
    spec = importlib.util.find_spec("Bio")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "Entrez" / "DTDs" / "pubmed_250101.dtd"
    return path if path.exists() else None


def validate(xml: bytes) -> list[str]:
    path = dtd_path()
    if path is None:
        return ["Biopython's pubmed_250101.dtd not found: cannot validate"]
    dtd = etree.DTD(str(path))
    tree = etree.fromstring(xml, etree.XMLParser(no_network=True, resolve_entities=False))
    if dtd.validate(tree):
        return []
    return [str(err) for err in dtd.error_log.filter_from_errors()]


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    records = load_records(source)
    xml, unmapped = build_document(records)
    errors = validate(xml)
    if errors:
        sys.stderr.write("pubmed-sample.xml does not validate:\n" + "\n".join(errors) + "\n")
        return 1
    OUTPUT.write_bytes(xml)
    count = xml.count(b"<PubmedArticle>")
    sys.stdout.write(f"wrote {OUTPUT} ({count} articles, valid against pubmed_250101.dtd)\n")
    for rec_id, pieces in sorted(unmapped.items()):
        sys.stdout.write(f"  {rec_id}: not mapped: {'; '.join(pieces)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
