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
    top = _first_children(element)
    medline_element = top.get("MedlineCitation")
    medline = _first_children(medline_element)
    article_element = medline.get("Article")
    article = _first_children(article_element)
    journal_element = article.get("Journal")
    journal = _first_children(journal_element)
    issue = _first_grandchildren(journal_element, "JournalIssue")
    pmid_element = medline.get("PMID")
    citation = {
        "pmid": int(pmid_element.text),
        "pmid_version": int(pmid_element.get("Version", "1")),
        "status": medline_element.get("Status"),
        "journal": plain_text(journal.get("Title")),
        "journal_iso": plain_text(journal.get("ISOAbbreviation")),
        "issn": plain_text(journal.get("ISSN")),
        "volume": plain_text(issue.get("Volume")),
        "issue": plain_text(issue.get("Issue")),
        "pages": _pages(article.get("Pagination")),
        "article_date": _ymd(article.get("ArticleDate")),
        "date_completed": _ymd(medline.get("DateCompleted")),
        "date_revised": _ymd(medline.get("DateRevised")),
        "coi_statement": plain_text(medline.get("CoiStatement")),
        "authors_complete": _complete(article.get("AuthorList")),
        "is_book": 0,
        **_pub_date(issue.get("PubDate")),
        **_text_fields(article_element, article),
        **_pubmed_data(top.get("PubmedData")),
    }
    if not citation["doi"] and article_element is not None:
        citation["doi"] = plain_text(_doi_location(article_element))
    _untitled(citation)
    record = {
        "citation": citation,
        "authors": _authors(article.get("AuthorList")),
        "mesh": _mesh(medline.get("MeshHeadingList")),
        "publication_types": _publication_types(article.get("PublicationTypeList")),
        "keywords": _keywords(medline_element),
        "grants": _grants(article.get("GrantList")),
        "databanks": _databanks(article.get("DataBankList")),
        "links": _links(medline.get("CommentsCorrectionsList")),
    }
    return finish(record)


def book_record(element):
    """One <PubmedBookArticle> (NCBI Bookshelf) as a record dict."""
    top = _first_children(element)
    document_element = top.get("BookDocument")
    document = _first_children(document_element)
    book = _first_children(document.get("Book"))
    pmid_element = document.get("PMID")
    citation = {
        "pmid": int(pmid_element.text),
        "pmid_version": int(pmid_element.get("Version", "1")),
        "status": None,
        "journal": plain_text(book.get("BookTitle")),
        "journal_iso": None,
        "issn": None,
        "volume": plain_text(book.get("Volume")),
        "issue": None,
        "pages": None,
        "article_date": None,
        "date_completed": None,
        "date_revised": _ymd(document.get("DateRevised")),
        "coi_statement": None,
        "authors_complete": _complete(document.get("AuthorList")),
        "is_book": 1,
        **_pub_date(book.get("PubDate")),
        **_text_fields(document_element, document),
        **_pubmed_data(top.get("PubmedBookData")),
    }
    if citation["title"] is None:
        citation["title"] = citation["journal"]
        citation["title_html"] = safe_html(book.get("BookTitle"))
    _untitled(citation)
    record = {
        "citation": citation,
        "authors": _authors(document.get("AuthorList")),
        "mesh": [],
        "publication_types": _publication_types(document_element),
        "keywords": _keywords(document_element),
        "grants": _grants(document.get("GrantList")),
        "databanks": [],
        "links": [],
    }
    return finish(record)


def _first_children(element):
    """Each child's tag → the first child with it, as ``find(tag)`` would answer, from one
    pass. Each find() or findtext() call sets up lxml's path machinery anew (three
    findtext calls cost about five times one pass over the element), and a large file
    has millions of fields. A missing element gives an empty mapping, so every lookup
    in it finds nothing."""
    if element is None:
        return {}
    return {child.tag: child for child in element.iterchildren(reversed=True)}


def _first_child(element, tag):
    """``find(tag)`` for one field: the first child with the tag, or None."""
    return None if element is None else next(element.iterchildren(tag), None)


def _first_grandchildren(parent, tag):
    """Each grandchild's tag → the first under any ``tag`` child, as ``find(f"{tag}/X")``
    would answer (the DTD allows one ``tag``; a record breaking it is read as before)."""
    found = {}
    if parent is not None:
        for child in parent.iterchildren(tag):
            for grandchild in child.iterchildren():
                found.setdefault(grandchild.tag, grandchild)
    return found


def _grandchildren(parent, tag, grandchild_tag):
    """``iterfind(f"{tag}/{grandchild_tag}")``: those under every ``tag`` child, in order."""
    if parent is None:
        return
    for child in parent.iterchildren(tag):
        yield from child.iterchildren(grandchild_tag)


def _child_text(children, tag):
    """``findtext(tag)``: the child's text ("" when it has none), None without the child."""
    child = children.get(tag)
    return None if child is None else child.text or ""


def _untitled(citation):
    """A record with no title at all is shown as PubMed shows it."""
    if citation["title"] is None:
        citation["title"] = citation["title_html"] = NO_TITLE


def _doi_location(article):
    """The first ELocationID of type doi, as ``find("ELocationID[@EIdType='doi']")`` answers."""
    return next(
        (e for e in article.iterchildren("ELocationID") if e.get("EIdType") == "doi"), None
    )


def _text_fields(parent, children):
    """Title and abstract (plain and safe HTML) of an Article or BookDocument, given
    the element and its ``_first_children``."""
    title = children.get("ArticleTitle")
    vernacular = children.get("VernacularTitle")
    if plain_text(title) is None:  # some records carry only the original-language title
        title = vernacular
    abstract = children.get("Abstract")
    parts = [] if abstract is None else list(abstract.iterchildren("AbstractText"))
    languages = [] if parent is None else parent.iterchildren("Language")
    return {
        "title": plain_text(title),
        "title_html": safe_html(title),
        "vernacular_title": plain_text(vernacular),
        "abstract": "\n\n".join(_labelled(p, plain_text(p)) for p in parts) or None,
        "abstract_html": "".join(
            f"<p>{_labelled(p, safe_html(p), bold=True)}</p>" for p in parts
        ) or None,
        "copyright": plain_text(_first_child(abstract, "CopyrightInformation")),
        "language": ", ".join(lang.text for lang in languages) or None,
    }


def _labelled(part, text, bold=False):
    label = part.get("Label")
    if not label:
        return text or ""
    # The label is plain text from the XML: in HTML it must be escaped like any text.
    label = f"<b>{html.escape(label)}:</b>" if bold else f"{label}:"
    return f"{label} {text or ''}".rstrip()


def _pages(pagination):
    if pagination is None:
        return None
    parts = _first_children(pagination)
    printed = plain_text(parts.get("MedlinePgn"))
    if printed:
        return printed
    start, end = plain_text(parts.get("StartPage")), plain_text(parts.get("EndPage"))
    return f"{start}-{end}" if start and end else start


def _pub_date(pub_date):
    """``pub_date`` as printed ("2009 Jun 15", "2001 Spring", "2018 Jul-Aug") and ``year``."""
    if pub_date is None:
        return {"pub_date": None, "year": None}
    parts = _first_children(pub_date)
    medline_date = plain_text(parts.get("MedlineDate"))
    if medline_date:
        year = medline_date[:4]
        return {"pub_date": medline_date, "year": int(year) if year.isdigit() else None}
    year = plain_text(parts.get("Year"))
    month = plain_text(parts.get("Month"))
    month = MONTHS.get(month.lstrip("0"), month) if month else None
    printed = [year, month or plain_text(parts.get("Season")), plain_text(parts.get("Day"))]
    return {
        "pub_date": " ".join(part for part in printed if part) or None,
        "year": int(year) if year and year.isdigit() else None,
    }


def _ymd(date):
    """A PubMed Year/Month/Day element as ISO ``YYYY-MM-DD`` (month may be a name)."""
    if date is None:
        return None
    parts = _first_children(date)
    year, month, day = (_child_text(parts, part) for part in ("Year", "Month", "Day"))
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
    history = {d.get("PubStatus"): d for d in _grandchildren(data, "History", "PubMedPubDate")}
    entrez = history.get("entrez", history.get("pubmed"))
    ids = {
        i.get("IdType"): (i.text or "").strip()
        for i in _grandchildren(data, "ArticleIdList", "ArticleId")
    }
    return {
        "entrez_date": _ymd(entrez),
        "publication_status": _child_text(_first_children(data), "PublicationStatus"),
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
    return [
        _author(position, a) for position, a in enumerate(author_list.iterchildren("Author"), 1)
    ]


def _author(position, author):
    # One pass over the children: a large file holds hundreds of thousands of authors.
    parts, affiliations, orcid = {}, [], None
    for child in author:
        if child.tag == "AffiliationInfo":
            affiliations.append(plain_text(_first_child(child, "Affiliation")))
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
    for heading in heading_list.iterchildren("MeshHeading"):
        descriptor = _first_child(heading, "DescriptorName")
        base = {
            "descriptor": plain_text(descriptor),
            "descriptor_ui": descriptor.get("UI"),
            "qualifier": None,
            "qualifier_ui": None,
            "major": int(descriptor.get("MajorTopicYN") == "Y"),
        }
        qualifiers = list(heading.iterchildren("QualifierName"))
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
    """Keywords of every KeywordList (a record may carry one per owner)."""
    keywords = []
    for keyword in _grandchildren(parent, "KeywordList", "Keyword"):
        text = plain_text(keyword)
        if text:
            keywords.append({"keyword": text, "major": int(keyword.get("MajorTopicYN") == "Y")})
    return keywords


def _grants(grant_list):
    if grant_list is None:
        return []
    return [_grant(_first_children(grant)) for grant in grant_list.iterchildren("Grant")]


def _grant(parts):
    return {
        "grant_id": plain_text(parts.get("GrantID")),
        "acronym": plain_text(parts.get("Acronym")),
        "agency": plain_text(parts.get("Agency")),
        "country": plain_text(parts.get("Country")),
    }


def _databanks(databank_list):
    if databank_list is None:
        return []
    return [
        {"databank": plain_text(_first_child(bank, "DataBankName")),
         "accession": plain_text(number)}
        for bank in databank_list.iterchildren("DataBank")
        for number in _grandchildren(bank, "AccessionNumberList", "AccessionNumber")
    ]


def _links(comments_list):
    """CommentsCorrections: RetractionIn/Of, ErratumIn/For, ExpressionOfConcernIn/For..."""
    if comments_list is None:
        return []
    links = []
    for item in comments_list.iterchildren("CommentsCorrections"):
        parts = _first_children(item)
        target = _child_text(parts, "PMID")
        links.append(
            {
                "reftype": item.get("RefType"),
                "target_pmid": int(target) if target and target.strip().isdigit() else None,
                "refsource": plain_text(parts.get("RefSource")),
            }
        )
    return links
