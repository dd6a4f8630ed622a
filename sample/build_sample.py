"""Build sample/pubmed-sample.xml from sample/reference-records.json.

The sample is CONSTRUCTED from verified bibliographic facts (identifiers,
titles, authors, journals, years, publication types) recorded in
sample/reference-records.json (the project's verified reference records, kept
in the repository so that it stands alone). It was NOT downloaded from PubMed:
no efetch response for these articles was available. Only records with a PMID
are written, and only what was seen on a stored page goes in. Nothing else,
not even what the PubMed DTD makes look mandatory: no MEDLINE status,
language, cited medium or journal abbreviation code that nobody saw, no
"Journal Article" placeholder, no MeSH check tags and no abstract. So the file
is not valid against the PubMed DTD, on purpose; litref's importer stores what
a record has, as it must for real records (GUIDE: 54 real records have an
empty title).

A publication type goes in only when the reference record names a PubMed
publication type word for word, with no note saying it was read from the
abstract, the title or another site. What a reviewer
judged about a study (its design, its subjects, its stance on a claim) is
curation, not PubMed data: it lives in sample/curation.yml.

Usage:  python sample/build_sample.py [path/to/reference-records.json]

Deterministic: the same JSON always gives byte-identical output. Standard
library + lxml only.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from lxml import etree

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE / "reference-records.json"
OUTPUT = HERE / "pubmed-sample.xml"

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
HEADER_COMMENT = (
    " Sample PubMed-style data for litref. CONSTRUCTED by sample/build_sample.py "
    "from verified facts in reference-records.json; NOT downloaded from PubMed. "
    "Only what was seen on a stored page is here, so elements the PubMed DTD "
    "requires are missing where nobody saw them. Do not edit by hand: re-run the script. "
)

# PubMed publication types and their MeSH UIs, for the names the records use.
PUBLICATION_TYPE_UI = {
    "Journal Article": "D016428",
    "Review": "D016454",
    "Systematic Review": "D000078182",
    "Meta-Analysis": "D017418",
    "Randomized Controlled Trial": "D016449",
    "Comparative Study": "D003160",
    "Research Support, Non-U.S. Gov't": "D013485",
}

GROUP_WORDS = re.compile(
    r"\b(group|consortium|network|registry|investigators|collaborat\w*|committee|"
    r"society|association|team|study)\b",
    re.IGNORECASE,
)
SUFFIXES = {"Jr", "Sr", "2nd", "3rd", "4th"}


def load_records(path: Path) -> list[dict]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [r for r in data["records"] if r.get("pmid")]


# A bracketed note that only says where the record was seen (an NIH author
# manuscript in PMC) leaves the type as seen; any other note ("described in
# abstract", "per Peeref", "systematic review") means the type was read into the
# record, not seen as PubMed's.
SOURCE_NOTE = re.compile(r"author manuscript|NIHMS", re.IGNORECASE)


def seen_publication_types(entries: list[str] | None) -> tuple[list[str], list[str]]:
    """(PubMed type names seen word for word, the other pieces left out)."""
    by_name = {name.lower(): name for name in PUBLICATION_TYPE_UI}
    names: list[str] = []
    left_out: list[str] = []
    # Pieces are separated by ";" outside brackets ("Review (NIH author manuscript; NIHMS1)").
    for piece in (p for entry in entries or [] for p in re.split(r";(?![^(]*\))", entry)):
        notes = re.findall(r"\(([^)]*)\)", piece)
        key = " ".join(re.sub(r"\([^)]*\)", " ", piece).split()).lower()
        if key in by_name and all(SOURCE_NOTE.search(note) for note in notes):
            names.append(by_name[key])
        elif piece.strip():
            left_out.append(piece.strip())
    return list(dict.fromkeys(names)), left_out


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


def sub(parent, tag: str, text: str | None = None, **attrib) -> etree._Element:
    el = etree.SubElement(parent, tag, {k: v for k, v in attrib.items()})
    if text is not None:
        el.text = text
    return el


def build_journal(article, rec: dict) -> None:
    journal = sub(article, "Journal")
    issue = sub(journal, "JournalIssue")
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
    article = sub(citation, "Article")
    build_journal(article, rec)
    sub(article, "ArticleTitle", rec["title"])
    if rec.get("pages"):
        # Page range kept as seen (MEDLINE would abbreviate 1421-1432 to 1421-32).
        pagination = sub(article, "Pagination")
        sub(pagination, "MedlinePgn", str(rec["pages"]))
    elif rec.get("doi"):
        sub(article, "ELocationID", rec["doi"], EIdType="doi", ValidYN="Y")
    build_authors(article, rec)
    if rec.get("nct_ids"):
        bank_list = sub(article, "DataBankList", CompleteYN="Y")
        bank = sub(bank_list, "DataBank")
        sub(bank, "DataBankName", "ClinicalTrials.gov")
        numbers = sub(bank, "AccessionNumberList")
        for nct in rec["nct_ids"]:
            sub(numbers, "AccessionNumber", nct)
    if type_names:
        type_list = sub(article, "PublicationTypeList")
        for name in type_names:
            sub(type_list, "PublicationType", name, UI=PUBLICATION_TYPE_UI[name])


def build_pubmed_article(rec: dict) -> tuple[etree._Element, list[str]]:
    type_names, left_out = seen_publication_types(rec.get("publication_types"))
    art = etree.Element("PubmedArticle")
    art.append(etree.Comment(f" reference id: {rec['id']}. Not from PubMed: only what was seen. "))
    citation = sub(art, "MedlineCitation")
    sub(citation, "PMID", str(rec["pmid"]), Version="1")
    build_article(citation, rec, type_names)
    pubmed_data = sub(art, "PubmedData")
    ids = sub(pubmed_data, "ArticleIdList")
    sub(ids, "ArticleId", str(rec["pmid"]), IdType="pubmed")
    if rec.get("doi"):
        sub(ids, "ArticleId", rec["doi"], IdType="doi")
    if rec.get("pmcid"):
        sub(ids, "ArticleId", rec["pmcid"], IdType="pmc")
    return art, left_out


def build_document(records: list[dict]) -> tuple[bytes, dict[str, list[str]]]:
    """Return the XML bytes and, per reference id, publication-type text left out."""
    root = etree.Element("PubmedArticleSet")
    unmapped_by_id: dict[str, list[str]] = {}
    for rec in records:
        if not rec.get("year"):
            unmapped_by_id[rec["id"]] = ["SKIPPED: no year seen"]
            continue
        art, unmapped = build_pubmed_article(rec)
        root.append(art)
        if unmapped:
            unmapped_by_id[rec["id"]] = unmapped
    body = etree.tostring(root, pretty_print=True, encoding="unicode")
    text = "\n".join([XML_DECLARATION, f"<!--{HEADER_COMMENT}-->", body])
    return text.encode("utf-8"), unmapped_by_id


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    records = load_records(source)
    xml, left_out = build_document(records)
    OUTPUT.write_bytes(xml)
    count = xml.count(b"<PubmedArticle>")
    sys.stdout.write(f"wrote {OUTPUT} ({count} articles)\n")
    for rec_id, pieces in sorted(left_out.items()):
        sys.stdout.write(f"  {rec_id}: not a PubMed publication type, left out: {'; '.join(pieces)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
