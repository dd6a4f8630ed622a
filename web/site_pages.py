"""What the pages about the clinic's website show: the home page's page-by-page
summary, a page's own view (/page/<id>), its printable evidence report, and a
claim's evidence by year.

Every function takes a Datasette ``Database`` and returns plain data; the
plugin in web/plugins/site.py only routes, and web/evidence_map.py draws.
"""

import difflib
from datetime import datetime, timezone

from litref.evidence import page_text
from litref.evidence.vocabularies import page_checks, page_states, stances, statement_signals, statuses
from litref.web import evidence_map, formats
from litref.web.pages import _dicts, _first, level_labels, warnings
from litref.web.references import load_references

STANCE_LABELS = {stance["code"]: stance["label"] for stance in stances.STANCES}
HISTORY_SHOWN = 20
READINGS_SHOWN = 10

# A claim's curated links, the strongest first: decisive stances before context,
# strong designs in humans before the rest, then by design and newest first.
_EVIDENCE_ORDER = (f"d.stance IN ({', '.join(repr(s) for s in stances.DECISIVE)}) DESC, "
                   "d.is_strong_human DESC, d.design_rank, d.year DESC, d.pmid")


async def page_claims(db, page_id):
    """The page's claims in the order they stand on the page, each with its evidence
    status, whether it is still on the page, and its strongest evidence."""
    claims = await _dicts(
        db,
        "SELECT p.*, s.status, s.strongest_human_evidence, s.last_reviewed, "
        "s.supports, s.contradicts, s.mixed, s.context, s.flagged "
        "FROM claim_page_status p JOIN claim_status s ON s.claim_id = p.claim_id "
        "WHERE p.page_id = :page ORDER BY p.page_offset IS NULL, p.page_offset, p.position",
        {"page": page_id},
    )
    strongest = await _strongest_evidence(db, page_id)
    levels = await level_labels(db)
    return [_claim_facts(number, claim, strongest.get(claim["claim_id"]), levels)
            for number, claim in enumerate(claims, start=1)]


def _claim_facts(number, claim, best, levels):
    if best:
        best = {**best, "design": levels.get(("design", best["study_design"])),
                "subjects_level": levels.get(("subjects", best["subjects"]))}
    return {**claim, "number": number, "strongest": best,
            "status_info": statuses.BY_CODE.get(claim["status"]),
            "state": page_states.BY_CODE[claim["page_state"]]}


async def _strongest_evidence(db, page_id):
    rows = await _dicts(
        db,
        "SELECT * FROM (SELECT d.*, row_number() OVER (PARTITION BY d.claim_id "
        f"ORDER BY {_EVIDENCE_ORDER}) AS n FROM claim_evidence_detail d "
        "JOIN claims cl ON cl.id = d.claim_id WHERE cl.page_id = :page AND NOT d.is_missing) "
        "WHERE n = 1",
        {"page": page_id},
    )
    return {row["claim_id"]: row for row in rows}


async def home_pages(db):
    """Each page with its last reading and its claims grouped by status, worst first."""
    pages = await _dicts(db, "SELECT * FROM page_overview")
    result = []
    for page in pages:
        claims = await page_claims(db, page["page_id"])
        groups = [{**status, "claims": [c for c in claims if c["status"] == status["code"]]}
                  for status in statuses.STATUSES]
        result.append({**_reading_facts(page), "status_groups": [g for g in groups if g["claims"]]})
    return result


def _reading_facts(page):
    """A page_overview row with its last reading in words."""
    return {**page, "outcome": page_checks.BY_CODE.get(page["last_outcome"]),
            "drifted": page["changed"] + page["vanished"],
            "changed_since_first": page["copies"] > 1}


async def page_view(db, page_id):
    """Everything /page/<id> shows, or None for a page that is not in pages.yml."""
    page = await _first(db, "SELECT * FROM page_overview WHERE page_id = :page", {"page": page_id})
    if page is None:
        return None
    claims = await page_claims(db, page_id)
    statements = await _dicts(db, "SELECT * FROM unclaimed_statements WHERE page_id = :page",
                              {"page": page_id})
    return {
        "page": _reading_facts(page),
        "claims": claims,
        "statements": [{**s, "signal_labels": _signal_labels(s["signals"])} for s in statements],
        "evidence_map": await page_evidence_map(db, page_id, claims),
        "changes": await last_change(db, page_id),
        "readings": await _dicts(
            db, f"SELECT * FROM page_checks WHERE page_id = :page ORDER BY id DESC "
                f"LIMIT {READINGS_SHOWN}", {"page": page_id}),
        "history": await _dicts(
            db, f"SELECT * FROM claim_log WHERE page_id = :page ORDER BY id DESC "
                f"LIMIT {HISTORY_SHOWN}", {"page": page_id}),
        "page_states": page_states.PAGE_STATES,
    }


def _signal_labels(signals):
    return [statement_signals.BY_CODE[code]["label"] for code in signals.split(",") if code]


async def last_change(db, page_id):
    """What the newest copy of the page's text changed, sentence by sentence
    (difflib), or None while only one copy was kept."""
    copies = await _dicts(
        db, "SELECT id, taken_at, text FROM page_snapshots WHERE page_id = :page "
            "ORDER BY id DESC LIMIT 2", {"page": page_id})
    if len(copies) < 2:
        return None
    new, old = ([s.text for s in page_text.sentences(copy["text"])] for copy in copies)
    removed, added = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag != "equal":
            removed += old[i1:i2]
            added += new[j1:j2]
    return {"since": copies[1]["taken_at"], "at": copies[0]["taken_at"],
            "removed": removed, "added": added}


async def page_evidence_map(db, page_id, claims):
    """The evidence map of a page's claims: counts per claim, design and stance."""
    rows = await _dicts(
        db,
        "SELECT d.claim_id, d.study_design, d.stance, count(*) AS n FROM claim_evidence_detail d "
        "JOIN claims cl ON cl.id = d.claim_id WHERE cl.page_id = :page AND NOT d.is_missing "
        f"AND d.stance IN ({', '.join(repr(s) for s in stances.DECISIVE)}) "
        "GROUP BY d.claim_id, d.study_design, d.stance",
        {"page": page_id},
    )
    counts = {}
    for row in rows:
        counts.setdefault((row["claim_id"], row["study_design"]), {})[row["stance"]] = row["n"]
    database = db.name
    return evidence_map.page_map(
        [{"id": c["claim_id"], "number": c["number"], "text": c["text"]} for c in claims],
        counts,
        lambda claim_id, design: (f"/{database}/claim_evidence_detail?claim_id={claim_id}"
                                  f"&study_design={design}"),
    )


async def evidence_by_year(db, claim_id):
    """A claim's curated evidence counted by publication year and stance, drawn."""
    rows = await _dicts(
        db,
        "SELECT year, stance, count(*) AS n FROM claim_evidence_detail "
        "WHERE claim_id = :claim AND year IS NOT NULL GROUP BY year, stance ORDER BY year",
        {"claim": claim_id},
    )
    return evidence_map.by_year(rows) if rows else None


async def page_report(db, page_id, now=None):
    """The printable evidence report of a page, or None for an unknown page."""
    view = await page_view(db, page_id)
    if view is None:
        return None
    evidence = await _dicts(
        db,
        "SELECT d.*, cl.id AS claim FROM claim_evidence_detail d "
        "JOIN claims cl ON cl.id = d.claim_id AND cl.archived_at IS NULL "
        f"WHERE cl.page_id = :page ORDER BY d.claim_id, {_EVIDENCE_ORDER}",
        {"page": page_id},
    )
    levels = await level_labels(db)
    numbers = {}  # PMID → reference number, in order of first mention
    for claim in view["claims"]:
        for item in evidence:
            if item["claim_id"] == claim["claim_id"] and not item["is_missing"]:
                numbers.setdefault(item["pmid"], len(numbers) + 1)
    references = await db.execute_fn(lambda conn: load_references(conn, list(numbers)))
    claims = [_report_claim(claim, [e for e in evidence if e["claim_id"] == claim["claim_id"]],
                            numbers, levels)
              for claim in view["claims"]]
    return {
        **view,
        "claims": claims,
        "flagged": [item for claim in claims for item in claim["evidence"] if item["warnings"]],
        "references": [{"number": numbers[r["pmid"]], "text": formats.vancouver_reference(r),
                        "pmid": r["pmid"]} for r in references],
        "prepared_at": (now or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
        "status_counts": [{**s, "count": sum(c["status"] == s["code"] for c in claims)}
                          for s in statuses.STATUSES],
        "any_sample": any(item["is_sample"] for item in evidence),
    }


def _report_claim(claim, evidence, numbers, levels):
    described = [{**item, "number": numbers.get(item["pmid"]),
                  "stance_label": STANCE_LABELS[item["stance"]],
                  "design": levels.get(("design", item["study_design"])),
                  "subjects_level": levels.get(("subjects", item["subjects"])),
                  "warnings": warnings(item)} for item in evidence]
    return {**claim,
            "evidence": [e for e in described if e["stance"] in stances.DECISIVE],
            "context": [e for e in described if e["stance"] not in stances.DECISIVE]}

