"""The database schema, as an ordered list of migrations.

Every schema change is a new function at the end of this file: an existing
database upgrades in place the next time any litref command opens it.
Never edit a migration that has shipped; add another one.

PubMed data (``citations`` and its ``citation_*`` child tables) is kept apart
from anything staff write, so a re-fetch can never erase curation.
"""

from sqlite_utils import Migrations

migrations = Migrations("litref")

CITATION_COLUMNS = {
    "pmid": int,
    "pmid_version": int,
    "title": str,
    "title_html": str,
    "vernacular_title": str,
    "abstract": str,
    "abstract_html": str,
    "copyright": str,
    "coi_statement": str,
    "authors": str,
    "authors_complete": int,
    "journal": str,
    "journal_iso": str,
    "issn": str,
    "volume": str,
    "issue": str,
    "pages": str,
    "pub_date": str,
    "year": int,
    "article_date": str,
    "entrez_date": str,
    "date_completed": str,
    "date_revised": str,
    "doi": str,
    "pmcid": str,
    "language": str,
    "status": str,
    "publication_status": str,
    "is_book": int,
    "is_retracted": int,
    "has_expression_of_concern": int,
    "has_erratum": int,
    "is_deleted": int,
    "record_hash": str,
    "source": str,
    "added_at": str,
    "updated_at": str,
}

# Child tables: one row per repeated element of a record, keyed by pmid.
CHILD_TABLES = {
    "citation_authors": {
        "pmid": int,
        "position": int,
        "last_name": str,
        "fore_name": str,
        "initials": str,
        "suffix": str,
        "collective_name": str,
        "orcid": str,
        "affiliations": str,
    },
    "citation_mesh": {
        "pmid": int,
        "descriptor": str,
        "descriptor_ui": str,
        "qualifier": str,
        "qualifier_ui": str,
        "major": int,
    },
    "citation_publication_types": {"pmid": int, "publication_type": str, "ui": str},
    "citation_keywords": {"pmid": int, "keyword": str, "major": int},
    "citation_grants": {
        "pmid": int,
        "grant_id": str,
        "acronym": str,
        "agency": str,
        "country": str,
    },
    "citation_databanks": {"pmid": int, "databank": str, "accession": str},
    "citation_links": {"pmid": int, "reftype": str, "target_pmid": int, "refsource": str},
}


@migrations()
def m001_citations(db):
    db["citations"].create(CITATION_COLUMNS, pk="pmid", not_null={"title"})
    for column in ("year", "journal", "language", "status", "is_retracted", "is_deleted", "added_at"):
        db["citations"].create_index([column])
    for table, columns in CHILD_TABLES.items():
        db[table].create(columns, foreign_keys=[("pmid", "citations", "pmid")])
        db[table].create_index(["pmid"])
    db["citation_mesh"].create_index(["descriptor"])
    db["citation_publication_types"].create_index(["publication_type"])
    db["citation_keywords"].create_index(["keyword"])
    db["citation_databanks"].create_index(["accession"])
    db["citation_links"].create_index(["target_pmid"])
    db["citation_links"].create_index(["reftype"])
    # Porter stemming lets "cell" find "cells"; triggers keep the index in step.
    db["citations"].enable_fts(
        ["title", "abstract"], fts_version="FTS5", create_triggers=True, tokenize="porter"
    )


@migrations()
def m002_searches_and_runs(db):
    db["searches"].create(
        {"name": str, "query": str, "description": str, "updated_at": str}, pk="name"
    )
    db["search_hits"].create(
        {"search": str, "pmid": int, "first_seen": str, "last_seen": str},
        pk=("search", "pmid"),
        foreign_keys=[("search", "searches", "name")],
    )
    db["search_hits"].create_index(["pmid"])
    db["fetch_runs"].create(
        {
            "id": int,
            "search": str,
            "query": str,
            "mode": str,
            "since": str,
            "started": str,
            "finished": str,
            "status": str,
            "query_translation": str,
            "count_reported": int,
            "ids_retrieved": int,
            "new": int,
            "updated": int,
            "missing": int,
            "missing_pmids": str,
            "batches_done": int,
            "error": str,
        },
        pk="id",
    )
    db["fetch_runs"].create_index(["search", "started"])
    db["fetch_runs"].create_index(["status"])
