"""The list of claims behind /claims: every claim with its status, filtered by status,
website page or topic, worst first or in page order.

There are tens of claims, not thousands: the list is read whole (claim_status,
all claims at once) and filtered and counted here.
"""

from collections import Counter

from litref.evidence.vocabularies import stances, statuses

SORTS = {"status": "Worst first", "page": "In page order"}
FILTERS = ("status", "page", "topic")


async def claims_list(db, args):
    """The claims the page shows, the choices of each filter with their counts, and
    what was chosen."""
    claims = [dict(row) for row in (await db.execute(
        "SELECT s.claim_id, s.page, s.section, s.text, s.status, s.new_evidence_since_review, "
        "s.new_candidates, s.strongest_human_evidence, s.evidence, s.supports, s.contradicts, "
        "s.mixed, s.context, s.flagged, s.missing, s.last_reviewed, cl.position "
        "FROM claim_status s JOIN claims cl ON cl.id = s.claim_id")).rows]
    topics = {}
    for claim_id, topic in (await db.execute(
            "SELECT claim_id, topic FROM claim_topics ORDER BY topic")).rows:
        topics.setdefault(claim_id, []).append(topic)
    for claim in claims:
        claim["topics"] = topics.get(claim["claim_id"], [])
        claim["status_info"] = statuses.BY_CODE.get(claim["status"])
        # claim_status counts each stance in a column named after it.
        claim["stance_counts"] = [(s["code"], claim[s["code"]]) for s in stances.STANCES
                                  if claim.get(s["code"])]
    chosen = {name: args.get(name) or "" for name in FILTERS}
    sort = args.get("sort") if args.get("sort") in SORTS else "status"
    shown = sorted((c for c in claims if _passes(c, chosen)), key=_sort_key(sort))
    return {
        "claims": shown, "total": len(claims), "chosen": chosen, "sort": sort, "sorts": SORTS,
        "choices": _choices(claims),
    }


def _passes(claim, chosen):
    return ((not chosen["status"] or claim["status"] == chosen["status"])
            and (not chosen["page"] or claim["page"] == chosen["page"])
            and (not chosen["topic"] or chosen["topic"] in claim["topics"]))


def _status_rank(status):
    return statuses.CODES.index(status) if status in statuses.CODES else len(statuses.CODES)


def _sort_key(sort):
    if sort == "page":
        return lambda claim: claim["position"]
    return lambda claim: (_status_rank(claim["status"]), claim["position"])


def _choices(claims):
    """Each filter's values with how many claims have them: statuses worst first
    (all of them, zero included), pages in page order, topics alphabetically."""
    status_counts = Counter(claim["status"] for claim in claims)
    known = [{"value": s["code"], "label": s["label"], "count": status_counts[s["code"]]}
             for s in statuses.STATUSES]
    other = [{"value": code, "label": code, "count": n} for code, n in status_counts.items()
             if code not in statuses.BY_CODE]
    pages = Counter(claim["page"] for claim in claims)
    first_position = {}
    for claim in sorted(claims, key=lambda c: c["position"]):
        first_position.setdefault(claim["page"], claim["position"])
    topics = Counter(topic for claim in claims for topic in claim["topics"])
    return {
        "status": known + other,
        "page": [{"value": p, "label": p, "count": pages[p]}
                 for p in sorted(pages, key=first_position.get)],
        "topic": [{"value": t, "label": t, "count": topics[t]} for t in sorted(topics)],
    }
