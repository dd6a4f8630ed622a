"""The fetch runs in words, behind /fetches: "Last night: 55 searches, 3 new
citations, 1 failed: msc-sle (PubMed stayed unreachable...)".

One ``litref fetch`` runs its searches one after another, so a fetch is a run
of fetch_runs with under an hour between one run's end and the next one's start
(the rule of the citations_since_last_fetch query).
"""

from datetime import datetime, timedelta, timezone

FETCH_GAP = timedelta(hours=1)
PROBLEMS = ("failed", "incomplete", "interrupted")
_PROBLEMS_SQL = "(" + ", ".join(f"'{status}'" for status in PROBLEMS) + ")"


def _moment(text):
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def group_fetches(runs):
    """Runs (dicts, oldest first) → fetches, newest first: each with its runs and totals."""
    fetches, current, previous_end = [], None, None
    for run in runs:
        started = _moment(run["started"])
        if current is None or previous_end is None or started is None \
                or started - previous_end > FETCH_GAP:
            current = {"runs": []}
            fetches.append(current)
        current["runs"].append(run)
        previous_end = _moment(run["finished"]) or started
    return [_totals(fetch["runs"]) for fetch in reversed(fetches)]


def _totals(runs):
    problems = [run for run in runs if run["status"] in PROBLEMS]
    return {
        "started": runs[0]["started"], "finished": runs[-1]["finished"],
        "searches": len(runs), "new": sum(run["new"] or 0 for run in runs),
        "updated": sum(run["updated"] or 0 for run in runs),
        "problems": problems, "running": [run for run in runs if run["status"] == "running"],
        "runs": runs,
    }


def when_words(text, now):
    """'Today, 03:30 UTC', 'Yesterday, 03:30 UTC' or 'Mon 1 Dec 2025, 03:30 UTC'."""
    moment = _moment(text)
    if moment is None:
        return text or ""
    moment = moment.astimezone(timezone.utc)
    days = (now.date() - moment.date()).days
    day = {0: "Today", 1: "Yesterday"}.get(days) or moment.strftime("%a %-d %b %Y")
    return f"{day}, {moment:%H:%M} UTC"


def in_words(fetch):
    """'55 searches, 3 new citations, 2 updated, 1 failed' for one fetch."""
    parts = [_count(fetch["searches"], "search", "searches"),
             _count(fetch["new"], "new citation", "new citations")]
    if fetch["updated"]:
        parts.append(_count(fetch["updated"], "citation updated", "citations updated"))
    if fetch["problems"]:
        parts.append(f"{len(fetch['problems'])} did not succeed")
    if fetch["running"]:
        parts.append(f"{len(fetch['running'])} still running")
    return ", ".join(parts)


def _count(number, one, many):
    return f"{number:,} {one if number == 1 else many}"


DEFAULT_DAYS = 30
DETAILED = 7  # the newest fetches listed search by search; older ones in words only


async def fetch_summary(db, *, now, days=DEFAULT_DAYS):
    """Fetches of the last ``days`` days, newest first, and the failures no later
    successful run of the same search has put right."""
    since = (now - timedelta(days=days)).isoformat(timespec="seconds")
    runs = [dict(row) for row in (await db.execute(
        "SELECT id, search, mode, started, finished, status, new, updated, missing, error, "
        "count_reported, ids_retrieved FROM fetch_runs WHERE started >= :since "
        "ORDER BY started, id", {"since": since})).rows]
    unresolved = [dict(row) for row in (await db.execute(
        f"SELECT r.id, r.search, r.status, r.started, r.error FROM fetch_runs r "
        f"WHERE r.status IN {_PROBLEMS_SQL} AND NOT EXISTS (SELECT 1 FROM fetch_runs later "
        "WHERE later.search = r.search AND later.started > r.started AND later.status = 'ok') "
        "ORDER BY r.started DESC, r.id DESC")).rows]
    last = (await db.execute("SELECT max(started) FROM fetch_runs")).rows[0][0]
    fetches = group_fetches(runs)
    for fetch in fetches:
        fetch["heading"] = when_words(fetch["started"], now)
        fetch["words"] = in_words(fetch)
    return {"fetches": fetches, "unresolved": unresolved, "days": days, "last_started": last,
            "detailed": DETAILED,
            "searches": [dict(row) for row in (await db.execute(
                "SELECT name, description FROM searches ORDER BY name LIKE 'claim-%', name")).rows]}
