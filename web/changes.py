"""What changed lately, behind /changes and the home page's summary: new citations
per saved search, papers newly flagged (retracted, expression of concern,
deleted), claims whose status changed and from what (claim_status_history,
db/status_history.py), and new candidate evidence per claim.

Every part is read by index at 1,000,000 citations: search hits by search and
first_seen, flagged citations by each flag, the status history by recorded_at, each
claim's candidates as claim_status counts them.
"""

from datetime import timedelta

from litref.evidence.vocabularies import flags, statuses
from litref.web.pages import arrivals_counted, describe_citations

DEFAULT_DAYS = 7
FLAGGED_SHOWN = 50
# "= 1" lets SQLite read each flag's index (a bare column it would test row by row).
_FLAGGED = " OR ".join(f"c.{column} = 1" for column in flags.COLUMNS)


async def what_changed(db, *, now, days):
    """Everything that changed since ``days`` days before ``now``."""
    since = (now - timedelta(days=days)).isoformat(timespec="seconds")
    by_since = {"since": since}
    return {
        "days": days, "since": since,
        "new_citations": (await db.execute(
            "SELECT count(*) FROM citations WHERE added_at >= :since", by_since)).rows[0][0],
        "per_search": [dict(row) for row in (await db.execute(
            "SELECT * FROM (SELECT s.name, s.description, (SELECT count(*) FROM search_hits h "
            "WHERE h.search = s.name AND h.first_seen >= :since) AS found FROM searches s) "
            "WHERE found > 0 ORDER BY name LIKE 'claim-%', found DESC, name", by_since)).rows],
        "flagged": await describe_citations(db, [_flag_news(dict(row)) for row in (await db.execute(
            f"SELECT c.pmid, c.title, c.title_html, c.authors, c.journal, c.year, c.added_at, "
            f"c.flagged_at, {', '.join('c.' + column for column in flags.COLUMNS)}, "
            "(SELECT group_concat(e.claim_id, ' ') FROM claim_evidence e WHERE e.pmid = c.pmid) "
            "AS claim_ids FROM citations c "
            f"WHERE c.flagged_at >= :since AND ({_FLAGGED}) ORDER BY c.flagged_at DESC "
            f"LIMIT {FLAGGED_SHOWN}", by_since)).rows]),
        "status_changes": per_claim([_with_labels(dict(row)) for row in (await db.execute(
            "SELECT h.claim_id, h.status, h.previous_status, h.recorded_at, h.cause, h.detail, "
            "cl.text, cl.page FROM claim_status_history h JOIN claims cl ON cl.id = h.claim_id "
            "WHERE h.recorded_at >= :since AND h.previous_status IS NOT NULL "
            "ORDER BY h.recorded_at DESC, h.id DESC", by_since)).rows]),
        "new_candidates": [dict(row) for row in (await db.execute(
            "WITH counted AS MATERIALIZED (SELECT cl.id AS claim_id, cl.text, cl.page, cl.position, "
            f"{arrivals_counted('cl.id', 'a.found_at >= :since')} AS found "
            "FROM claims cl WHERE cl.archived_at IS NULL) "
            "SELECT * FROM counted WHERE found > 0 ORDER BY position",
            by_since)).rows],
    }


def _flag_news(paper):
    """A paper whose flag was first seen after it was stored was flagged later ("newly
    flagged"); one stored flagged arrived so (a retraction notice, an old retraction).
    By ``flagged_at``, not ``updated_at``: a newer copy of a paper flagged long ago is
    no news."""
    paper["became_flagged"] = paper["flagged_at"] > paper["added_at"]
    return paper


def per_claim(changes):
    """Changes (newest first) → one entry per claim, newest first: the status it had
    before the first change of the period, the one it has after the last, and each
    step between."""
    claims = {}
    for change in changes:
        claim = claims.setdefault(change["claim_id"], {**change, "steps": []})
        claim["steps"].insert(0, change)
    for claim in claims.values():
        first = claim["steps"][0]
        claim["previous_status"], claim["previous_status_label"] = (
            first["previous_status"], first["previous_status_label"])
    return list(claims.values())


def _with_labels(change):
    for key in ("status", "previous_status"):
        status = statuses.BY_CODE.get(change[key])
        change[f"{key}_label"] = status["label"] if status else change[key]
    return change


def summary(changes):
    """The home page's line: counts of each part, zero parts left out."""
    parts = [
        (changes["new_citations"], "new citation", "new citations"),
        (sum(p["became_flagged"] for p in changes["flagged"]), "paper newly flagged",
         "papers newly flagged"),
        (sum(not p["became_flagged"] for p in changes["flagged"]), "new paper already flagged",
         "new papers already flagged"),
        (len(changes["status_changes"]), "claim changed status", "claims changed status"),
        (len(changes["new_candidates"]), "claim with new candidate evidence",
         "claims with new candidate evidence"),
    ]
    return [f"{n:,} {one if n == 1 else many}" for n, one, many in parts if n]
