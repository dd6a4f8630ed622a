"""The database schema, as an ordered list of migrations.

Every schema change is a new function at the end of this file: an existing
database upgrades in place the next time any litref command opens it.
Never edit a migration that has shipped; add another one. Views are not
migrations: db/views.py holds them as they are now, and ``ensure_views``
replaces any that changed after the migrations ran.

PubMed data (``citations`` and its ``citation_*`` child tables) is kept apart
from anything staff write, so a re-fetch can never erase curation.
"""

from sqlite_utils import Migrations

from litref.db.candidates import refresh_claim_matches
from litref.db.curation import CLAIM_CHECK_SQL, CURATION_LOG_SQL
from litref.db.sql import quoted_list
from litref.db.status_history import STATUS_HISTORY_SQL
from litref.db.views import V1_CLAIM_VIEWS
from litref.evidence.grading import classify, level_rows
from litref.evidence.names import author_key, name_key
from litref.evidence.vocabularies import stances

migrations = Migrations("litref")

# The shapes as first shipped, used by m001 only: never edit them. Later
# migrations add columns, and CITATION_COLUMNS below is the current shape.
V1_CITATION_COLUMNS = {
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

# Evidence level of each citation (see evidence/grading.py), added by m003.
LEVEL_COLUMNS = {"study_design": str, "design_rank": int, "subjects": str}
CITATION_COLUMNS = {**V1_CITATION_COLUMNS, **LEVEL_COLUMNS}

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

# Columns litref derives from a child row as it writes it (db/citations.py), each
# with the function that derives it; added by m012.
DERIVED_CHILD_COLUMNS = {"citation_authors": {"name_key": author_key}}


@migrations()
def m001_citations(db):
    db["citations"].create(V1_CITATION_COLUMNS, pk="pmid", not_null={"title"})
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


@migrations()
def m003_evidence_levels(db):
    for column, kind in LEVEL_COLUMNS.items():
        db["citations"].add_column(column, kind)
    for column in LEVEL_COLUMNS:
        db["citations"].create_index([column])
    db["evidence_levels"].create(
        {"kind": str, "code": str, "rank": int, "label": str,
         "publication_types": str, "mesh_headings": str},
        pk=("kind", "code"),
    )
    db["evidence_levels"].insert_all(level_rows())
    _classify_stored_citations(db)


def _classify_stored_citations(db):
    """Give citations stored before levels existed their level."""
    types, headings = {}, {}
    for pmid, name in db.execute("SELECT pmid, publication_type FROM citation_publication_types"):
        types.setdefault(pmid, []).append(name)
    for pmid, name in db.execute("SELECT pmid, descriptor FROM citation_mesh"):
        headings.setdefault(pmid, []).append(name)
    pmids = [row[0] for row in db.execute("SELECT pmid FROM citations")]
    db.conn.executemany(
        "UPDATE citations SET study_design = :study_design, design_rank = :design_rank, "
        "subjects = :subjects WHERE pmid = :pmid",
        [{**classify(types.get(p, []), headings.get(p, [])), "pmid": p} for p in pmids],
    )


@migrations()
def m004_claims_and_curation(db):
    # Plain SQL: CHECK constraints and triggers make the database itself refuse
    # bad curation (Datasette's write connection runs without foreign keys).
    for statement in _CLAIM_TABLES_SQL:
        db.execute(statement.format(stances=quoted_list(stances.CODES)))


_CLAIM_TABLES_SQL = [
    """CREATE TABLE claims (
        id TEXT PRIMARY KEY,
        page TEXT NOT NULL,
        file TEXT,
        section TEXT,
        text TEXT NOT NULL,
        query TEXT NOT NULL,
        fts_query TEXT,
        position INTEGER,
        line INTEGER,
        loaded_at TEXT,
        archived_at TEXT
    )""",
    """CREATE TABLE claim_topics (
        claim_id TEXT NOT NULL REFERENCES claims(id),
        topic TEXT NOT NULL,
        PRIMARY KEY (claim_id, topic)
    )""",
    "CREATE INDEX idx_claim_topics_topic ON claim_topics (topic)",
    """CREATE TABLE claim_evidence (
        claim_id TEXT NOT NULL REFERENCES claims(id),
        pmid INTEGER NOT NULL,
        stance TEXT NOT NULL CHECK (stance IN {stances}),
        note TEXT,
        reviewer TEXT NOT NULL,
        reviewed_at TEXT NOT NULL,
        is_sample INTEGER NOT NULL DEFAULT 0 CHECK (is_sample IN (0, 1)),
        PRIMARY KEY (claim_id, pmid)
    )""",
    "CREATE INDEX idx_claim_evidence_pmid ON claim_evidence (pmid)",
    """CREATE TRIGGER claim_evidence_needs_claim BEFORE INSERT ON claim_evidence
        WHEN NOT EXISTS (SELECT 1 FROM claims WHERE id = NEW.claim_id)
        BEGIN SELECT RAISE(ABORT, 'unknown claim id: add the claim to claims.yml first'); END""",
    """CREATE TRIGGER claim_evidence_keeps_claim BEFORE UPDATE OF claim_id ON claim_evidence
        WHEN NOT EXISTS (SELECT 1 FROM claims WHERE id = NEW.claim_id)
        BEGIN SELECT RAISE(ABORT, 'unknown claim id: add the claim to claims.yml first'); END""",
    """CREATE TRIGGER claims_keep_curated BEFORE DELETE ON claims
        WHEN EXISTS (SELECT 1 FROM claim_evidence WHERE claim_id = OLD.id)
        BEGIN SELECT RAISE(ABORT, 'this claim has curated evidence: archive it instead'); END""",
]


@migrations()
def m005_claim_views(db):
    for statement in V1_CLAIM_VIEWS:
        db.execute(statement)


@migrations()
def m006_design_headings_only(db):
    """Prevalence, Incidence and Population Surveillance no longer grade a citation
    as observational: they are topics, given to reviews too."""
    db["evidence_levels"].delete_where("kind = 'design'")
    db["evidence_levels"].insert_all(row for row in level_rows() if row["kind"] == "design")
    _classify_stored_citations(db)


@migrations()
def m007_curation_log(db):
    """Staff curation from the browser goes through curation_log: triggers refuse
    bad requests with a message staff can act on (Datasette shows it), then apply
    the change to claim_evidence. The log keeps every change, with what a change or
    removal replaced, so no judgement is ever lost (db/curation.py)."""
    for statement in CURATION_LOG_SQL:
        db.execute(statement)


@migrations()
def m008_stored_text_matches(db):
    """Each claim's best text matches are stored (db/candidates.py) instead of being
    ranked inside claim_candidates on every query (28 s a query at 200,000
    citations), and claim_status counts new candidates from recent hits only.
    The views keep their names, columns and rows (see db/views.py)."""
    db.execute(
        """CREATE TABLE claim_text_matches (
            claim_id TEXT NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
            pmid INTEGER NOT NULL,
            text_rank INTEGER NOT NULL,
            PRIMARY KEY (claim_id, pmid)
        )"""
    )
    db.execute("CREATE INDEX idx_claim_text_matches_pmid ON claim_text_matches (pmid)")
    # Covering: a claim's hits since a date without reading the rows.
    db["search_hits"].create_index(["search", "first_seen", "pmid"])
    # Citations a fetch changed ("What the latest fetch brought in"): 5 ms instead
    # of reading every citation at 1,000,000 (bench/README.md).
    db["citations"].create_index(["updated_at"])
    # Their new versions are made by db/views.py's ensure_views, after every migration.
    for view in ("claim_candidates", "claim_status"):
        db.execute(f"DROP VIEW {view}")
    refresh_claim_matches(db)


@migrations()
def m009_one_claim_check(db):
    """The claim_evidence triggers test for the claim as curation_log does, with
    the same message for staff (db/curation.py: claim_exists)."""
    for name in ("claim_evidence_needs_claim", "claim_evidence_keeps_claim"):
        db.execute(f"DROP TRIGGER {name}")
    for statement in CLAIM_CHECK_SQL:
        db.execute(statement)


@migrations()
def m012_search_lookups(db):
    """What PubMed users type, found by index at 1,000,000 citations: an author by
    surname whatever its case and accents (citation_authors.name_key, see
    evidence/names.py), a journal by its title or abbreviation, a DOI or PMC id,
    and a MeSH heading, all without regard to case (web/literature.py)."""
    db["citation_authors"].add_column("name_key", str)
    db.conn.create_function("litref_name_key", 1, name_key, deterministic=True)
    db.execute("UPDATE citation_authors "
               "SET name_key = litref_name_key(coalesce(nullif(last_name, ''), collective_name))")
    for statement in SEARCH_LOOKUP_INDEXES:
        db.execute(statement)


SEARCH_LOOKUP_INDEXES = [
    # Covering: the PMIDs of an author or a heading without reading the rows.
    "CREATE INDEX idx_citation_authors_name_key ON citation_authors (name_key, initials, pmid)",
    "CREATE INDEX idx_citation_mesh_descriptor_nocase "
    "ON citation_mesh (descriptor COLLATE NOCASE, major, pmid)",
    "CREATE INDEX idx_citations_journal_nocase ON citations (journal COLLATE NOCASE)",
    "CREATE INDEX idx_citations_journal_iso_nocase ON citations (journal_iso COLLATE NOCASE)",
    "CREATE INDEX idx_citations_doi_nocase ON citations (doi COLLATE NOCASE)",
    "CREATE INDEX idx_citations_pmcid ON citations (pmcid)",
    "CREATE INDEX idx_citations_has_expression_of_concern ON citations (has_expression_of_concern)",
    # What the search page counts, by PMID: a citation's row holds its abstract, and
    # reading year or journal from it means reading past the abstract (bench/README.md).
    "CREATE INDEX idx_citations_search_facets ON citations "
    "(pmid, year, study_design, subjects, journal, is_retracted, has_expression_of_concern, is_deleted)",
]


@migrations()
def m012b_status_history(db):
    """Each claim's status over time, for "What changed" (db/status_history.py):
    written after every fetch, import and claims load, and by triggers when staff
    change the curation."""
    for statement in STATUS_HISTORY_SQL:
        db.execute(statement)
