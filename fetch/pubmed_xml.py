"""PubMed XML (efetch output, baseline and update files) → record dicts.

A pure transform: it reads a binary file object and yields plain dicts, one
per article, without ever holding the whole document as a tree (a 233 MB
update file would take ~2 GB that way). Each yielded item is either

    {"citation": {...one citations row...},
     "authors": [...], "mesh": [...], "publication_types": [...],
     "keywords": [...], "grants": [...], "databanks": [...], "links": [...]}

with the child lists keyed like the ``citation_*`` tables, or

    {"delete_pmids": [pmid, ...]}

for a <DeleteCitation> block of an update file.
"""

import html

from lxml import etree

from litref.evidence.markup import local_name, plain_text, safe_html
from litref.evidence.records import finish, normalise_orcid, with_grade

ARTICLE_TAGS = ("PubmedArticle", "PubmedBookArticle", "DeleteCitation")
ROOT_TAGS = {"PubmedArticleSet", "PubmedBookArticleSet", "PubmedArticle", "PubmedBookArticle"}
NO_TITLE = "[No title available]"
MONTHS = {
    str(number): name
    for number, name in enumerate(
        "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), start=1
    )
}
MONTH_NUMBERS = {name: number for number, name in MONTHS.items()}


class NotPubmedXML(ValueError):
    """The input is not a PubMed XML document (or is damaged)."""


def parse(source, name="input", *, graded=True):
    """Yield record dicts from a binary file object of PubMed XML.

    ``name`` names the source in error messages (a path, or "efetch of search X");
    ``graded=False`` leaves the grade to be added later (evidence/records.py: with_grade).
    """
    context = etree.iterparse(
        source,
        events=("end",),
        tag=ARTICLE_TAGS,
        load_dtd=False,
        no_network=True,
        resolve_entities=False,
        huge_tree=True,
        remove_blank_text=True,
    )
    try:
        for number, (_, element) in enumerate(context):
            if number == 0:
                _check_root(element.getroottree().getroot(), name)
            item = _item(element)
            yield with_grade(item) if graded else item
            _free(element)
        _check_root(context.root, name)
    except etree.XMLSyntaxError as error:
        where = f"at line {error.lineno}" if error.lineno else "(empty)"
        raise NotPubmedXML(
            f"{name}: not well-formed XML {where}: {error.msg}. "
            "The file or response is damaged or cut short; download it again."
        ) from error


def _check_root(root, name):
    if root is not None and root.findtext("ERROR"):
        raise NotPubmedXML(f"{name}: PubMed answered with an error: {root.findtext('ERROR')}")
    if root is None or local_name(root.tag) not in ROOT_TAGS:
        found = "nothing" if root is None else f"<{local_name(root.tag)}>"
        raise NotPubmedXML(
            f"{name}: this is not PubMed XML (its root element is {found}, "
            "expected <PubmedArticleSet>). Export from PubMed as XML, or use a "
            "MEDLINE .nbib/.txt file."
        )


def _free(element):
    # Drop finished articles so memory stays flat whatever the file size.
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _item(element):
    if element.tag == "DeleteCitation":
        return {"delete_pmids": [int(pmid.text) for pmid in element.iter("PMID")]}
    if element.tag == "PubmedBookArticle":
        return book_record(element)
    return article_record(element)


def article_record(element):
    """One <PubmedArticle> as a record dict. A record lacking an element the DTD
    requires (PubMed serves some without a Journal) is stored with what it has."""
    medline = element.find("MedlineCitation")
    article = _present(medline.find("Article"), "Article")
    journal = _present(article.find("Journal"), "Journal")
    pubmed_data = element.find("PubmedData")
    pmid_element = medline.find("PMID")
    pmid = int(pmid_element.text)
    citation = {
        "pmid": pmid,
        "pmid_version": int(pmid_element.get("Version", "1")),
        "status": medline.get("Status"),
        "journal": _text(journal, "Title"),
        "journal_iso": _text(journal, "ISOAbbreviation"),
        "issn": _text(journal, "ISSN"),
        "volume": _text(journal, "JournalIssue/Volume"),
        "issue": _text(journal, "JournalIssue/Issue"),
        "pages": _pages(article),
        "article_date": _ymd(article.find("ArticleDate")),
        "date_completed": _ymd(medline.find("DateCompleted")),
        "date_revised": _ymd(medline.find("DateRevised")),
        "coi_statement": plain_text(medline.find("CoiStatement")),
        "authors_complete": _complete(article.find("AuthorList")),
        "is_book": 0,
        **_pub_date(journal.find("JournalIssue/PubDate")),
        **_text_fields(article),
        **_pubmed_data(pubmed_data),
    }
    if not citation["doi"]:
        citation["doi"] = _text(article, "ELocationID[@EIdType='doi']")
    _untitled(citation)
    record = {
        "citation": citation,
        "authors": _authors(article.find("AuthorList")),
        "mesh": _mesh(medline.find("MeshHeadingList")),
        "publication_types": _publication_types(article.find("PublicationTypeList")),
        "keywords": _keywords(medline),
        "grants": _grants(article.find("GrantList")),
        "databanks": _databanks(article.find("DataBankList")),
        "links": _links(medline.find("CommentsCorrectionsList")),
    }
    return finish(record)


def book_record(element):
    """One <PubmedBookArticle> (NCBI Bookshelf) as a record dict."""
    document = element.find("BookDocument")
    book = document.find("Book")
    pmid_element = document.find("PMID")
    citation = {
        "pmid": int(pmid_element.text),
        "pmid_version": int(pmid_element.get("Version", "1")),
        "status": None,
        "journal": plain_text(book.find("BookTitle")),
        "journal_iso": None,
        "issn": None,
        "volume": _text(book, "Volume"),
        "issue": None,
        "pages": None,
        "article_date": None,
        "date_completed": None,
        "date_revised": _ymd(document.find("DateRevised")),
        "coi_statement": None,
        "authors_complete": _complete(document.find("AuthorList")),
        "is_book": 1,
        **_pub_date(book.find("PubDate")),
        **_text_fields(document),
        **_pubmed_data(element.find("PubmedBookData")),
    }
    if citation["title"] is None:
        citation["title"] = citation["journal"]
        citation["title_html"] = safe_html(book.find("BookTitle"))
    _untitled(citation)
    record = {
        "citation": citation,
        "authors": _authors(document.find("AuthorList")),
        "mesh": [],
        "publication_types": _publication_types(document),
        "keywords": _keywords(document),
        "grants": _grants(document.find("GrantList")),
        "databanks": [],
        "links": [],
    }
    return finish(record)


def _present(found, tag):
    """The element, or an empty one in its place: every lookup in it then finds nothing."""
    return etree.Element(tag) if found is None else found


def _untitled(citation):
    """A record with no title at all is shown as PubMed shows it."""
    if citation["title"] is None:
        citation["title"] = citation["title_html"] = NO_TITLE


def _text(parent, path):
    if parent is None:
        return None
    found = parent.find(path)
    return plain_text(found)


def _text_fields(parent):
    """Title and abstract (plain and safe HTML) of an Article or BookDocument."""
    title = parent.find("ArticleTitle")
    vernacular = parent.find("VernacularTitle")
    if plain_text(title) is None:  # some records carry only the original-language title
        title = vernacular
    abstract = parent.find("Abstract")
    parts = [] if abstract is None else abstract.findall("AbstractText")
    return {
        "title": plain_text(title),
        "title_html": safe_html(title),
        "vernacular_title": plain_text(vernacular),
        "abstract": "\n\n".join(_labelled(p, plain_text(p)) for p in parts) or None,
        "abstract_html": "".join(
            f"<p>{_labelled(p, safe_html(p), bold=True)}</p>" for p in parts
        ) or None,
        "copyright": _text(abstract, "CopyrightInformation"),
        "language": ", ".join(lang.text for lang in parent.findall("Language")) or None,
    }


def _labelled(part, text, bold=False):
    label = part.get("Label")
    if not label:
        return text or ""
    # The label is plain text from the XML: in HTML it must be escaped like any text.
    label = f"<b>{html.escape(label)}:</b>" if bold else f"{label}:"
    return f"{label} {text or ''}".rstrip()


def _pages(article):
    pagination = article.find("Pagination")
    if pagination is None:
        return None
    printed = _text(pagination, "MedlinePgn")
    if printed:
        return printed
    start, end = _text(pagination, "StartPage"), _text(pagination, "EndPage")
    return f"{start}-{end}" if start and end else start


def _pub_date(pub_date):
    """``pub_date`` as printed ("2009 Jun 15", "2001 Spring", "2018 Jul-Aug") and ``year``."""
    if pub_date is None:
        return {"pub_date": None, "year": None}
    medline_date = _text(pub_date, "MedlineDate")
    if medline_date:
        year = medline_date[:4]
        return {"pub_date": medline_date, "year": int(year) if year.isdigit() else None}
    year = _text(pub_date, "Year")
    month = _text(pub_date, "Month")
    month = MONTHS.get(month.lstrip("0"), month) if month else None
    printed = [year, month or _text(pub_date, "Season"), _text(pub_date, "Day")]
    return {
        "pub_date": " ".join(part for part in printed if part) or None,
        "year": int(year) if year and year.isdigit() else None,
    }


def _ymd(date):
    """A PubMed Year/Month/Day element as ISO ``YYYY-MM-DD`` (month may be a name)."""
    if date is None:
        return None
    year, month, day = (date.findtext(part) for part in ("Year", "Month", "Day"))
    if not year:
        return None
    month = _month_number(month)
    parts = [year] + [f"{int(p):02d}" for p in (month, day) if p and p.isdigit()]
    return "-".join(parts)


def _month_number(month):
    if month and not month.isdigit():
        return MONTH_NUMBERS.get(month[:3].title())
    return month


def _pubmed_data(data):
    """Entrez date, publication status and article ids from PubmedData/PubmedBookData."""
    if data is None:
        return {"entrez_date": None, "publication_status": None, "doi": None, "pmcid": None}
    history = {d.get("PubStatus"): d for d in data.iterfind("History/PubMedPubDate")}
    entrez = history.get("entrez", history.get("pubmed"))
    ids = {i.get("IdType"): (i.text or "").strip() for i in data.iterfind("ArticleIdList/ArticleId")}
    return {
        "entrez_date": _ymd(entrez),
        "publication_status": data.findtext("PublicationStatus"),
        "doi": ids.get("doi") or None,
        "pmcid": ids.get("pmc") or None,
    }


def _complete(author_list):
    """PubMed's AuthorList@CompleteYN: 0 when the list was cut short, None when absent."""
    if author_list is None:
        return None
    return int(author_list.get("CompleteYN", "Y") == "Y")


def _authors(author_list):
    if author_list is None:
        return []
    return [_author(position, a) for position, a in enumerate(author_list.iterfind("Author"), 1)]


def _author(position, author):
    # One pass over the children: a large file holds hundreds of thousands of authors.
    parts, affiliations, orcid = {}, [], None
    for child in author:
        if child.tag == "AffiliationInfo":
            affiliations.append(plain_text(child.find("Affiliation")))
        elif child.tag == "Identifier":
            if child.get("Source") == "ORCID" and orcid is None:
                orcid = child.text
        else:
            parts[child.tag] = child
    return {
        "position": position,
        "last_name": plain_text(parts.get("LastName")),
        "fore_name": plain_text(parts.get("ForeName")),
        "initials": plain_text(parts.get("Initials")),
        "suffix": plain_text(parts.get("Suffix")),
        "collective_name": plain_text(parts.get("CollectiveName")),
        "orcid": normalise_orcid(orcid),
        "affiliations": "\n".join(a for a in affiliations if a) or None,
    }


def _mesh(heading_list):
    """One row per descriptor/qualifier pair; qualifier NULL for a bare descriptor."""
    if heading_list is None:
        return []
    rows = []
    for heading in heading_list.iterfind("MeshHeading"):
        descriptor = heading.find("DescriptorName")
        base = {
            "descriptor": plain_text(descriptor),
            "descriptor_ui": descriptor.get("UI"),
            "qualifier": None,
            "qualifier_ui": None,
            "major": int(descriptor.get("MajorTopicYN") == "Y"),
        }
        qualifiers = heading.findall("QualifierName")
        rows.extend(
            {
                **base,
                "qualifier": plain_text(q),
                "qualifier_ui": q.get("UI"),
                "major": int(base["major"] or q.get("MajorTopicYN") == "Y"),
            }
            for q in qualifiers
        )
        if not qualifiers:
            rows.append(base)
    return rows


def _publication_types(parent):
    if parent is None:
        return []
    return [
        {"publication_type": plain_text(pt), "ui": pt.get("UI")}
        for pt in parent.iter("PublicationType")
    ]


def _keywords(parent):
    return [
        {"keyword": plain_text(k), "major": int(k.get("MajorTopicYN") == "Y")}
        for k in parent.iterfind("KeywordList/Keyword")
        if plain_text(k)
    ]


def _grants(grant_list):
    if grant_list is None:
        return []
    return [
        {
            "grant_id": _text(g, "GrantID"),
            "acronym": _text(g, "Acronym"),
            "agency": _text(g, "Agency"),
            "country": _text(g, "Country"),
        }
        for g in grant_list.iterfind("Grant")
    ]


def _databanks(databank_list):
    if databank_list is None:
        return []
    return [
        {"databank": _text(bank, "DataBankName"), "accession": plain_text(number)}
        for bank in databank_list.iterfind("DataBank")
        for number in bank.iterfind("AccessionNumberList/AccessionNumber")
    ]


def _links(comments_list):
    """CommentsCorrections: RetractionIn/Of, ErratumIn/For, ExpressionOfConcernIn/For..."""
    if comments_list is None:
        return []
    links = []
    for item in comments_list.iterfind("CommentsCorrections"):
        target = item.findtext("PMID")
        links.append(
            {
                "reftype": item.get("RefType"),
                "target_pmid": int(target) if target and target.strip().isdigit() else None,
                "refsource": _text(item, "RefSource"),
            }
        )
    return links
