"""What the staff pages show: the queries behind the home, claim and citation
pages, and the plain data the templates lay out.

Every function takes a Datasette ``Database`` (``await db.execute(sql, params)``)
and returns dicts and lists; the plugin in web/plugins/pages.py only routes.
"""

import json
import re
from datetime import datetime, timezone
from urllib.parse import quote

from lxml import etree
from markupsafe import Markup, escape

from litref.evidence.markup import safe_html
from litref.web.highlight import excerpt_html
from litref.evidence.vocabularies import curation_actions, designs, flags, grade_sources, stances, statuses
from litref.evidence.vocabularies import subjects as subject_codes

# citation_links.reftype in staff words; anything else is shown as PubMed names it.
LINK_TYPES = {
    "RetractionIn": "Retraction notice", "RetractionOf": "Retraction notice for",
    "ExpressionOfConcernIn": "Expression of concern",
    "ExpressionOfConcernFor": "Expression of concern about",
    "ErratumIn": "Erratum (correction)", "ErratumFor": "Erratum for",
    "CommentIn": "Commented on in", "CommentOn": "Comment on",
    "UpdateIn": "Updated in", "UpdateOf": "Update of",
    "RepublishedIn": "Republished in", "RepublishedFrom": "Republished from",
    "RetractedandRepublishedIn": "Retracted and republished in",
    "RetractedandRepublishedFrom": "Retracted and republished from",
}
CANDIDATES_SHOWN = 25
HISTORY_SHOWN = 20
# How a claim's evidence can be ordered within each stance.
EVIDENCE_ORDERS = {
    "grade": ("Strongest first", "d.is_missing, d.subjects = 'humans' DESC, "
              "coalesce(nullif(d.design_rank, 0), 99), d.year DESC, d.pmid"),
    "year": ("Newest first", "d.is_missing, d.year IS NULL, d.year DESC, d.design_rank, d.pmid"),
}
# What staff read instead of SQLite's "database is locked" (also in static/curation.js).
BUSY_MESSAGE = ("Not saved: the database stayed busy with other work for too long. Nothing was "
                "changed; please try again in a minute.")
QUEUE_PER_CLAIM = 3
QUEUE_CLAIMS = 10
EXCERPT_CHARACTERS = 400
ACTION_LABELS = {action["code"]: action["label"] for action in curation_actions.ACTIONS}
DESIGN_CHOICES = [{"code": d["code"], "label": d["label"]} for d in designs.DESIGNS if d["code"] != "notice"]
SUBJECT_CHOICES = [{"code": s["code"], "label": s["label"].split(":")[0]}
                   for s in subject_codes.SUBJECTS if s["code"] != "unknown"]
_STATUS_ORDER = " ".join(f"WHEN '{s['code']}' THEN {i}" for i, s in enumerate(statuses.STATUSES))


def arrivals_counted(claim_id, arrived):
    """SQL: how many undecided candidates of ``claim_id`` arrived as ``arrived`` says (a
    condition on ``a.found_at``), counted as claim_status counts: up to a hundred, then 101."""
    return (f"(SELECT count(*) FROM (SELECT 1 FROM claim_candidate_arrivals a "
            f"WHERE a.claim_id = {claim_id} AND {arrived} LIMIT {statuses.NEW_CANDIDATES_COUNTED + 1}))")


# The claims with undecided candidates not yet checked (arrived after the claim's last
# "checked"), worst status first, with how many.
QUEUE_CLAIMS_SQL = f"""
WITH counted AS MATERIALIZED (
    SELECT s.claim_id, s.status, s.text AS claim_text, s.page, coalesce(s.searched_at, '') AS checked,
        {arrivals_counted("s.claim_id", "a.found_at > coalesce(s.searched_at, '')")} AS waiting,
        CASE s.status {_STATUS_ORDER} END AS status_order, cl.position
    FROM claim_status s JOIN claims cl ON cl.id = s.claim_id
)
SELECT * FROM counted WHERE waiting > 0 ORDER BY status_order, position LIMIT :claims
"""
# A claim's best few of those: which ones first, reading no citation's row; then those
# few rows (at 1,000,000 citations a claim has thousands of candidates).
QUEUE_BEST_SQL = ("SELECT pmid FROM claim_candidate_ranks WHERE claim_id = :id AND arrived > :checked "
                  "ORDER BY rank LIMIT :per_claim")
CANDIDATES_WITH_ABSTRACTS = ("SELECT k.*, c.abstract, c.abstract_html FROM claim_candidates k "
                             "JOIN citations c ON c.pmid = k.pmid ")
QUEUE_ROWS_SQL = (CANDIDATES_WITH_ABSTRACTS + "WHERE k.claim_id = :id "
                  "AND k.pmid IN (SELECT value FROM json_each(:pmids)) ORDER BY k.rank")


async def _dicts(db, sql, params=None):
    return [dict(row) for row in (await db.execute(sql, params or {})).rows]


async def _first(db, sql, params):
    rows = await _dicts(db, sql, params)
    return rows[0] if rows else None


async def status_counts(db):
    """Each status, worst first, with how many claims have it (zero included)."""
    counts = {
        row["status"]: row["n"]
        for row in await _dicts(db, "SELECT status, count(*) AS n FROM claim_status GROUP BY status")
    }
    return [{**status, "count": counts.get(status["code"], 0)} for status in statuses.STATUSES]


async def claim_page(db, claim_id, order="grade", candidate_page=1):
    """Everything the claim page shows, or None for an unknown claim id: its evidence
    in ``order`` (EVIDENCE_ORDERS), its candidates a page of CANDIDATES_SHOWN at a time."""
    claim = await _first(
        db, "SELECT id, page, section, text, archived_at FROM claims WHERE id = :id", {"id": claim_id}
    )
    if claim is None:
        return None
    # A filter on the view, not a join with it: a join makes SQLite work out every
    # claim's status (40 ms at 1,000,000 citations, against 3 ms). Archived claims
    # have no status.
    status = await _first(
        db,
        "SELECT status, strongest_human_evidence, new_evidence_since_review, last_reviewed, "
        "searched_at FROM claim_status WHERE claim_id = :id",
        {"id": claim_id},
    )
    claim.update(status or dict.fromkeys(
        ("status", "strongest_human_evidence", "new_evidence_since_review", "last_reviewed",
         "searched_at")
    ))
    levels = await level_labels(db)
    order = order if order in EVIDENCE_ORDERS else "grade"
    evidence = await _dicts(
        db,
        "SELECT d.*, c.title_html, c.has_erratum FROM claim_evidence_detail d "
        "LEFT JOIN citations c ON c.pmid = d.pmid WHERE d.claim_id = :id "
        f"ORDER BY {EVIDENCE_ORDERS[order][1]}",
        {"id": claim_id},
    )
    # One more than a page: whether there is a next page, without counting them all. By
    # rank, not LIMIT: the view then reads the citations of this page alone (db/views.py).
    after = (candidate_page - 1) * CANDIDATES_SHOWN
    candidates = await _dicts(
        db, CANDIDATES_WITH_ABSTRACTS
            + "WHERE k.claim_id = :id AND k.rank > :after AND k.rank <= :last ORDER BY k.rank",
        {"id": claim_id, "after": after, "last": after + CANDIDATES_SHOWN + 1},
    )
    dismissed = await _dicts(
        db, "SELECT d.*, c.title, c.title_html FROM candidate_decisions d "
            "LEFT JOIN citations c ON c.pmid = d.pmid WHERE d.claim_id = :id ORDER BY d.decided_at DESC",
        {"id": claim_id},
    )
    candidates_more = len(candidates) > CANDIDATES_SHOWN
    candidates = candidates[:CANDIDATES_SHOWN]
    extras = await _citation_extras(db, [row["pmid"] for row in evidence + candidates])
    evidence = [_describe(row, extras, levels) for row in evidence]
    return {
        "claim": {**claim, "status_info": statuses.BY_CODE.get(claim["status"])},
        "evidence_groups": [
            {**stance, "items": [row for row in evidence if row["stance"] == stance["code"]]}
            for stance in stances.STANCES
        ],
        "evidence_count": len(evidence),
        "exportable_count": sum(not row["is_missing"] for row in evidence),
        "evidence_order": order,
        "evidence_orders": {code: label for code, (label, _) in EVIDENCE_ORDERS.items()},
        "candidates": [_describe(row, extras, levels) for row in candidates],
        "candidates_more": candidates_more,
        "candidate_page": candidate_page,
        "candidates_per_page": CANDIDATES_SHOWN,
        "dismissed": [{**row, "title_markup": safe_markup(row["title_html"], row["title"])}
                      for row in dismissed],
        "history": [{**entry, "action_label": ACTION_LABELS.get(entry["action"], entry["action"])}
                    for entry in await _dicts(
                        db, f"SELECT * FROM curation_log WHERE claim_id = :id ORDER BY id DESC "
                            f"LIMIT {HISTORY_SHOWN}", {"id": claim_id})],
    }


async def review_queue(db):
    """The candidates reviewers have still to decide on, claims worst status first: each
    claim's best few that arrived since its candidates were last checked."""
    claims = await _dicts(db, QUEUE_CLAIMS_SQL, {"claims": QUEUE_CLAIMS})
    for claim in claims:
        by_claim = {"id": claim["claim_id"], "checked": claim["checked"], "per_claim": QUEUE_PER_CLAIM}
        best = [row["pmid"] for row in await _dicts(db, QUEUE_BEST_SQL, by_claim)]
        claim["rows"] = await _dicts(db, QUEUE_ROWS_SQL, {"id": claim["claim_id"], "pmids": json.dumps(best)})
    claims = [claim for claim in claims if claim["rows"]]  # decided on meanwhile by someone else
    levels = await level_labels(db)
    extras = await _citation_extras(db, [row["pmid"] for claim in claims for row in claim["rows"]])
    return [{"id": claim["claim_id"], "text": claim["claim_text"], "page": claim["page"],
             "status_info": statuses.BY_CODE.get(claim["status"]), "status": claim["status"],
             "waiting": claim["waiting"], "items": [_describe(row, extras, levels) for row in claim["rows"]]}
            for claim in claims]


async def citation_page(db, pmid):
    """Everything the citation page shows, or None when the PMID is not stored."""
    citation = await _first(db, "SELECT * FROM citations WHERE pmid = :pmid", {"pmid": pmid})
    if citation is None:
        return None
    by_pmid = {"pmid": pmid}
    extras = await _citation_extras(db, [pmid])
    notices = await _dicts(
        db,
        "SELECT l.reftype, l.target_pmid, l.refsource, t.pmid IS NOT NULL AS is_stored "
        "FROM citation_links l LEFT JOIN citations t ON t.pmid = l.target_pmid "
        "WHERE l.pmid = :pmid ORDER BY l.rowid",
        by_pmid,
    )
    return {
        "citation": _describe(
            {**citation, **(await _first(db, "SELECT * FROM citation_grades WHERE pmid = :pmid", by_pmid))},
            extras, await level_labels(db)),
        "abstract_markup": safe_markup(citation["abstract_html"], citation["abstract"]),
        "abstract_absence": None if citation["abstract"] else abstract_absence(citation),
        "authors": [{**author, "search_term": author_search_term(author)} for author in await _dicts(
            db, "SELECT * FROM citation_authors WHERE pmid = :pmid ORDER BY position", by_pmid
        )],
        "mesh": group_mesh(await _dicts(
            db, "SELECT descriptor, qualifier, major FROM citation_mesh WHERE pmid = :pmid "
                "ORDER BY rowid", by_pmid,
        )),
        "publication_types": [
            row["publication_type"] for row in await _dicts(
                db, "SELECT publication_type FROM citation_publication_types WHERE pmid = :pmid "
                    "ORDER BY rowid", by_pmid,
            )
        ],
        "notices": [{**n, "label": LINK_TYPES.get(n["reftype"], n["reftype"])} for n in notices],
        "claims": await _dicts(
            db,
            "SELECT e.claim_id, e.stance, e.note, e.reviewer, e.reviewed_at, cl.page, cl.text "
            "FROM claim_evidence e JOIN claims cl ON cl.id = e.claim_id WHERE e.pmid = :pmid "
            "ORDER BY cl.position",
            by_pmid,
        ),
    }


async def describe_citations(db, rows):
    """Citation rows (dicts with pmid) with what every page shows of a citation."""
    extras = await _citation_extras(db, [row["pmid"] for row in rows])
    levels = await level_labels(db)
    return [_describe(row, extras, levels) for row in rows]


def author_search_term(author):
    """What finds everything stored by an author: "Deng D[au]", or a group's name."""
    if author.get("collective_name"):
        return f'"{author["collective_name"]}"[au]'
    name = " ".join(part for part in (author.get("last_name"), author.get("initials")) if part)
    return f"{name}[au]"


async def level_labels(db):
    """(kind, code) → {"short", "full"} from evidence_levels, e.g. ("design", "rct")."""
    return {
        (row["kind"], row["code"]): {"short": short_label(row["label"]), "full": row["label"]}
        for row in await _dicts(db, "SELECT kind, code, label FROM evidence_levels")
    }


def short_label(label):
    """'Observational study: cohort, ...' → 'Observational study' (for badges)."""
    return re.split(r"[:(]", label, maxsplit=1)[0].strip()


async def _citation_extras(db, pmids):
    """pmid → what the list rows lack: title_html, DOI, PMC id and trial registrations."""
    if not pmids:
        return {}
    params = {"pmids": "[" + ",".join(str(int(p)) for p in set(pmids)) + "]"}
    in_list = "(SELECT value FROM json_each(:pmids))"
    extras = {
        row["pmid"]: {**row, "trials": []}
        for row in await _dicts(
            db, f"SELECT pmid, title_html, doi, pmcid FROM citations WHERE pmid IN {in_list}",
            params,
        )
    }
    for row in await _dicts(
        db,
        "SELECT pmid, accession FROM citation_databanks WHERE databank = 'ClinicalTrials.gov' "
        f"AND pmid IN {in_list} ORDER BY rowid",
        params,
    ):
        extras[row["pmid"]]["trials"].append(row["accession"])
    return extras


def _describe(row, extras, levels):
    """A citation row (from any table or view) with what every page shows of it."""
    row = {**row, **extras.get(row["pmid"], {"trials": []})}
    return {
        **row,
        "title_markup": safe_markup(row.get("title_html"), row.get("title")),
        "design": levels.get(("design", row.get("study_design"))),
        "subjects_level": levels.get(("subjects", row.get("subjects"))),
        "grade_notes": grade_notes(row),
        # The start of the abstract with its formatting (the plain text when only that is read).
        "excerpt": excerpt_html(row.get("abstract_html"), ()) or excerpt(row.get("abstract")),
        "warnings": warnings(row),
        "links": external_links(row),
    }


def grade_notes(row):
    """Where the design and subjects came from, in words: 'Design from the title and
    abstract: “randomised, double-blind, placebo-controlled”'."""
    found = {}  # (source, words) → the fields it decided: one note when both came from one place
    for field, label in (("design", "Design"), ("subjects", "Subjects")):
        source = grade_sources.BY_CODE.get(row.get(f"{field}_source"))
        if source:
            found.setdefault((source["label"], row.get(f"{field}_words")), []).append(label)
    return [
        f"{' and '.join(labels).capitalize()} from {source}" + (f": “{words}”" if words else "")
        for (source, words), labels in found.items()
    ]


def excerpt(abstract):
    """The start of an abstract, cut at a word."""
    if not abstract or len(abstract) <= EXCERPT_CHARACTERS:
        return abstract
    return abstract[:EXCERPT_CHARACTERS].rsplit(" ", 1)[0] + " …"


def abstract_absence(citation):
    """Why a citation page shows no abstract: PubMed's record has none, or the file it
    was imported from had none (PubMed's own record may have one)."""
    source = citation.get("source") or ""
    if source.startswith("search:") or source == "curated":
        return "PubMed's record of this article has no abstract."
    return (f"No abstract is stored for this article: the file it was imported from "
            f"({source or 'unknown'}) has none. PubMed's own record may have one: follow the PubMed link.")


def warnings(citation):
    """What staff must know before relying on a citation, most serious first."""
    found = [{"level": "danger", "text": flag["warning"]}
             for flag in flags.FLAGS if citation.get(flag["column"])]
    if citation.get("has_erratum"):
        found.append({"level": "note", "text": "Erratum: a correction was published; "
                                               "check it before quoting figures."})
    return found


def external_links(citation):
    """PubMed, DOI, PubMed Central and ClinicalTrials.gov links, as (label, url)."""
    links = [("PubMed", f"https://pubmed.ncbi.nlm.nih.gov/{int(citation['pmid'])}/")]
    if citation.get("doi"):
        links.append(("DOI", "https://doi.org/" + quote(citation["doi"], safe="/:;()<>.-_")))
    if citation.get("pmcid"):
        links.append(("Full text (PMC)",
                      f"https://www.ncbi.nlm.nih.gov/pmc/articles/{quote(citation['pmcid'])}/"))
    for trial in citation.get("trials", []):
        links.append((f"ClinicalTrials.gov {trial}",
                      f"https://clinicaltrials.gov/study/{quote(trial)}"))
    return links


def group_mesh(rows):
    """citation_mesh rows → one entry per descriptor with its qualifiers."""
    headings = {}
    for row in rows:
        heading = headings.setdefault(
            row["descriptor"], {"descriptor": row["descriptor"], "major": False, "qualifiers": []}
        )
        if row["qualifier"]:
            heading["qualifiers"].append({"name": row["qualifier"], "major": bool(row["major"])})
        else:
            heading["major"] = heading["major"] or bool(row["major"])
    return list(headings.values())


def safe_markup(stored_html, plain_text):
    """Stored title/abstract HTML, passed once more through evidence/markup.py's allow-list
    (abstracts keep their paragraphs): a row written by anything but our importer
    can still never inject markup. HTML that does not parse falls back to the
    escaped plain text."""
    if not stored_html:
        return escape(plain_text or "")
    try:
        root = etree.fromstring(f"<div>{stored_html}</div>")
    except etree.XMLSyntaxError:
        return escape(plain_text or "")
    if len(root) and all(child.tag == "p" for child in root) and not (root.text or "").strip():
        return Markup("".join(f"<p>{safe_html(p) or ''}</p>" for p in root))
    return Markup(safe_html(root) or "")


def readable_time(value):
    """'2026-11-21T16:22:46+00:00' → '21 Nov 2026, 16:22 UTC'; other text unchanged."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return value
    if moment.tzinfo is None:
        return moment.strftime("%-d %b %Y, %H:%M")
    return moment.astimezone(timezone.utc).strftime("%-d %b %Y, %H:%M UTC")


def plain_message(message):
    """Datasette shows why a write failed in SQLite's words; the one staff could meet
    while litref works, "database is locked", in plain words."""
    return BUSY_MESSAGE if "database is locked" in str(message) else message


async def query_with_pubmeds_word(db, search, query):
    """A saved search's query, then how PubMed read it on the search's newest run and
    what PubMed said about it (its ErrorList and WarningList): the `searches` cell."""
    run = await _first(
        db,
        "SELECT started, status, query, query_translation, pubmed_errors, pubmed_warnings "
        "FROM fetch_runs WHERE search = :search ORDER BY started DESC, id DESC LIMIT 1",
        {"search": search},
    )
    if run is None:
        return Markup('{}<div class="pubmed-word">Not run yet.</div>').format(query)
    said = [Markup("<br>{}: {}").format(label, _pubmed_list(run[column]))
            for column, label in (("pubmed_errors", "PubMed's errors"),
                                  ("pubmed_warnings", "PubMed's warnings")) if run[column]]
    reading = Markup(" PubMed did not answer.")
    if run["query_translation"]:
        edited = " (the query as it was then)" if run["query"] != query else ""
        reading = Markup(" PubMed read it{} as: <code>{}</code>").format(edited, run["query_translation"])
    return Markup('{}<div class="pubmed-word">Newest run {}: {}.{}{}</div>').format(
        query, readable_time(run["started"]), run["status"], reading, Markup("").join(said))


def _pubmed_list(text):
    """'QuotedPhraseNotFound: "stem cell mobilisation"; OutputMessage: ...' from the stored JSON."""
    return "; ".join(f"{kind}: {', '.join(items)}" for kind, items in json.loads(text).items())
