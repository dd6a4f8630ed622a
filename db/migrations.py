"""The database schema, as an ordered list of migrations.

Every schema change is a new function at the end of this file: an existing
database upgrades in place the next time any litref command opens it.
Never edit a migration that has shipped; add another one. Views are not
migrations: db/views.py holds them as they are now, and ``ensure_views``
replaces any that changed after the migrations ran.

PubMed data (``citations`` and its ``citation_*`` child tables) is kept apart
from anything staff write, so a re-fetch can never erase curation.
"""

from datetime import datetime, timezone

from sqlite_utils import Migrations

from litref.db.curation import (
    CLAIM_CHECK_SQL, CURATION_LOG_SQL, CURATION_LOG_V2_SQL, CURATION_TABLES_SQL, CURATION_TRIGGERS,
)
from litref.db.page_claims import CLAIM_LOG_SQL
from litref.db.sql import quoted_list
from litref.db.status_history import STATUS_HISTORY_SQL
from litref.evidence.grading import grade, level_rows
from litref.evidence.names import author_key, name_key
from litref.evidence.text_grading import text_rule_rows
from litref.evidence.vocabularies import flags, page_checks, page_states, stances

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
# Where each grade came from and the words that decided it (evidence/grading.py), added by m015c.
GRADE_SOURCE_COLUMNS = {"design_source": str, "design_words": str, "subjects_source": str,
                        "subjects_words": str}
CITATION_COLUMNS = {**V1_CITATION_COLUMNS, **LEVEL_COLUMNS, **GRADE_SOURCE_COLUMNS}

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


def _classify_stored_citations(db, columns=("study_design", "design_rank", "subjects")):
    """Grade the stored citations again (the grade's ``columns`` written)."""
    types, headings = {}, {}
    for pmid, name in db.execute("SELECT pmid, publication_type FROM citation_publication_types"):
        types.setdefault(pmid, []).append(name)
    for pmid, name in db.execute("SELECT pmid, descriptor FROM citation_mesh"):
        headings.setdefault(pmid, []).append(name)
    assignments = ", ".join(f"{column} = :{column}" for column in columns)
    last = -1
    while chunk := db.execute(
        "SELECT pmid, title, abstract FROM citations WHERE pmid > ? ORDER BY pmid LIMIT 5000", [last]
    ).fetchall():
        db.conn.executemany(f"UPDATE citations SET {assignments} WHERE pmid = :pmid", [
            {**grade(types.get(pmid, []), headings.get(pmid, []), title, abstract), "pmid": pmid}
            for pmid, title, abstract in chunk
        ])
        last = chunk[-1][0]


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
    """Made the first claim views. Views are not migrations any more: db/views.py
    makes the current ones after every upgrade (``ensure_views``)."""


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
        db.execute(f"DROP VIEW IF EXISTS {view}")


@migrations()
def m009_one_claim_check(db):
    """The claim_evidence triggers test for the claim as curation_log does, with
    the same message for staff (db/curation.py: claim_exists)."""
    for name in ("claim_evidence_needs_claim", "claim_evidence_keeps_claim"):
        db.execute(f"DROP TRIGGER {name}")
    for statement in CLAIM_CHECK_SQL:
        db.execute(statement)


@migrations()
def m010_flags_forward(db):
    """Flags only move forward (db/citations.py): when each citation's newest flag was
    first seen (``flagged_at``; before this, the best known is the row's last change),
    every DeleteCitation seen (``citation_deletions``, also for PMIDs not stored), and
    the stored notices applied to the stored articles they are about."""
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    db.execute("ALTER TABLE citations ADD COLUMN flagged_at TEXT")
    any_flag = " OR ".join(f"{column} = 1" for column in flags.COLUMNS)
    db.execute(f"UPDATE citations SET flagged_at = updated_at WHERE {any_flag}")
    db.execute(
        """CREATE TABLE citation_deletions (
            pmid INTEGER PRIMARY KEY,
            first_seen TEXT NOT NULL,
            source TEXT
        )"""
    )
    db.execute(
        "INSERT INTO citation_deletions (pmid, first_seen, source) "
        "SELECT pmid, updated_at, source FROM citations WHERE is_deleted = 1"
    )
    for reftype, column in flags.NOTICE_FLAGS.items():
        db.execute(
            f"UPDATE citations SET {column} = 1, updated_at = ?, flagged_at = ? WHERE {column} = 0 "
            "AND pmid IN (SELECT target_pmid FROM citation_links WHERE reftype = ?)",
            [now, now, reftype],
        )


@migrations()
def m011_pages(db):
    """The clinic's website as a monitored input (db/pages.py): the pages of
    pages.yml, every differing copy of their text, every reading of them, and
    what the newest text says about the claims (kept apart from PubMed data and
    from staff curation). Claims name their page by id (``page_id``; ``page``
    keeps its title), and reviewers change claims from the browser through
    ``claim_log`` (db/page_claims.py). The old ``file`` column named a page file
    outside the project: pages.yml replaces it."""
    for statement in _PAGE_TABLES_SQL + CLAIM_LOG_SQL:
        db.execute(statement)


_PAGE_TABLES_SQL = [
    """CREATE TABLE pages (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        url TEXT NOT NULL DEFAULT '',
        snapshot TEXT NOT NULL DEFAULT '',
        position INTEGER,
        line INTEGER,
        loaded_at TEXT,
        removed_at TEXT
    )""",
    """CREATE TABLE page_snapshots (
        id INTEGER PRIMARY KEY,
        page_id TEXT NOT NULL REFERENCES pages(id),
        taken_at TEXT NOT NULL,
        source TEXT NOT NULL,
        text_hash TEXT NOT NULL,
        text TEXT NOT NULL
    )""",
    "CREATE INDEX idx_page_snapshots_page ON page_snapshots (page_id, id)",
    f"""CREATE TABLE page_checks (
        id INTEGER PRIMARY KEY,
        page_id TEXT NOT NULL REFERENCES pages(id),
        checked_at TEXT NOT NULL,
        source TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN {quoted_list(page_checks.CODES)}),
        snapshot_id INTEGER REFERENCES page_snapshots(id),
        error TEXT,
        etag TEXT,
        last_modified TEXT
    )""",
    "CREATE INDEX idx_page_checks_page ON page_checks (page_id, id)",
    "CREATE INDEX idx_page_checks_snapshot ON page_checks (snapshot_id)",
    f"""CREATE TABLE claim_page_checks (
        claim_id TEXT PRIMARY KEY REFERENCES claims(id) ON DELETE CASCADE,
        page_id TEXT NOT NULL,
        snapshot_id INTEGER NOT NULL,
        checked_text TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN {quoted_list(page_states.FOUND)}),
        page_offset INTEGER,
        last_seen TEXT,
        nearest_passage TEXT,
        similarity INTEGER
    )""",
    """CREATE TABLE page_statements (
        page_id TEXT NOT NULL REFERENCES pages(id),
        snapshot_id INTEGER NOT NULL,
        position INTEGER NOT NULL,
        section TEXT,
        text TEXT NOT NULL,
        signals TEXT NOT NULL,
        claimed_by TEXT,
        first_seen TEXT NOT NULL,
        PRIMARY KEY (page_id, position)
    )""",
    "ALTER TABLE claims ADD COLUMN page_id TEXT",
    "ALTER TABLE claims ADD COLUMN source TEXT NOT NULL DEFAULT 'file'",
    "ALTER TABLE claims ADD COLUMN archived_by TEXT",
    "CREATE INDEX idx_claims_page_id ON claims (page_id)",
    "ALTER TABLE claims DROP COLUMN file",
]


@migrations()
def m014_pubmed_messages(db):
    """PubMed's word on each run's query, beside its QueryTranslation: the ErrorList
    (PhraseNotFound, FieldNotFound) and WarningList (PhraseIgnored,
    QuotedPhraseNotFound, OutputMessage) of its esearch, as JSON (db/runs.py)."""
    db["fetch_runs"].add_column("pubmed_errors", str)
    db["fetch_runs"].add_column("pubmed_warnings", str)


@migrations()
def m015_assessments_and_screening(db):
    """A reviewer's assessment of a study (design, subjects), candidates marked not
    relevant, and claims searched with nothing found: tables of their own, written
    through curation_log, which is rebuilt to take the new actions (every row kept)."""
    for statement in CURATION_TABLES_SQL:
        db.execute(statement)
    for trigger in ("curation_log_refuses", "curation_log_applies"):
        db.execute(f"DROP TRIGGER {trigger}")
    db.execute("ALTER TABLE curation_log RENAME TO curation_log_v1")
    db.execute(CURATION_LOG_V2_SQL)
    kept = ("id, action, claim_id, pmid, stance, note, reviewer, logged_at, previous_stance, "
            "previous_note, previous_reviewer")
    db.execute(f"INSERT INTO curation_log ({kept}) SELECT {kept} FROM curation_log_v1")
    db.execute("DROP TABLE curation_log_v1")
    db.execute("CREATE INDEX idx_curation_log_claim ON curation_log (claim_id)")
    for statement in CURATION_TRIGGERS:
        db.execute(statement)


@migrations()
def m015b_candidates_from_claim_queries(db):
    """Candidates come from each claim's own PubMed query evaluated on every stored
    citation (db/candidates.py), kept in claim_matches; the text matches of the
    claim's words (claim_text_matches, claims.fts_query) are gone. Every claim's
    candidates are worked out anew by the next litref command that writes
    (claims.candidates_query is empty until then)."""
    db.execute("DROP TABLE claim_text_matches")
    db.execute("ALTER TABLE claims DROP COLUMN fts_query")
    db.execute("ALTER TABLE claims ADD COLUMN candidates_query TEXT")
    db.execute(CLAIM_MATCHES_SQL)
    db.execute("CREATE INDEX idx_claim_matches_pmid ON claim_matches (pmid)")
    # A claim's candidates that arrived since a date (new since its review).
    db.execute("CREATE INDEX idx_claim_matches_found ON claim_matches (claim_id, found_at)")


CLAIM_MATCHES_SQL = """CREATE TABLE claim_matches (
    claim_id TEXT NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
    pmid INTEGER NOT NULL,
    parts INTEGER NOT NULL,
    parts_in_title INTEGER NOT NULL,
    found_by TEXT NOT NULL,
    found_at TEXT NOT NULL,
    PRIMARY KEY (claim_id, pmid)
)"""


@migrations()
def m015c_grades_from_title_and_abstract(db):
    """Designs and subjects that PubMed has not indexed yet are read from the title and
    abstract (evidence/text_grading.py); every grade keeps its source and the words
    that decided it, and the text rules are written out for staff
    (text_grading_rules). Three misgrades of the indexing rules are mended
    (evidence/grading.py). Stored citations are graded again (a few minutes at a
    million citations)."""
    for column, kind in GRADE_SOURCE_COLUMNS.items():
        db["citations"].add_column(column, kind)
    db["text_grading_rules"].create(
        {"kind": str, "number": int, "code": str, "cue": str, "description": str, "needs": str,
         "words": str, "pattern": str, "before": str, "extend": str},
        pk=("kind", "number"),
    )
    db["text_grading_rules"].insert_all(text_rule_rows())
    # "Random Allocation" and "Comparative Study" no longer grade on their own.
    db["evidence_levels"].delete_where()
    db["evidence_levels"].insert_all(level_rows())
    _classify_stored_citations(db, columns=tuple(LEVEL_COLUMNS) + tuple(GRADE_SOURCE_COLUMNS))


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


@migrations()
def m016_candidate_ranks_index(db):
    """A claim's candidates are ranked (view claim_candidate_ranks) from this index alone,
    without reading each match's row: a fifth less for a claim with 20,000 candidates."""
    db.execute("CREATE INDEX idx_claim_matches_rank "
               "ON claim_matches (claim_id, parts_in_title, parts, pmid, found_at)")


@migrations()
def m017_mesh_heading_index(db):
    """A heading with a subheading ("Lupus Erythematosus, Systemic/epidemiology"[Mesh]) and
    a major topic ([majr]) found from one covering index: by the heading alone SQLite read
    every row of a heading given to tens of thousands of citations (a claim's edit took
    seconds at 1,000,000). It starts with the heading, so it replaces m001's index on it."""
    db.execute("CREATE INDEX idx_citation_mesh_heading "
               "ON citation_mesh (descriptor, qualifier, major, pmid)")
    db.execute("DROP INDEX IF EXISTS idx_citation_mesh_descriptor")
