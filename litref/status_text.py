"""``litref status`` in plain words for the clinic's IT person: a pure transform of
the report that db/status.py builds."""

from datetime import timezone

from litref.db.status import parse_time
from litref.evidence.vocabularies import flags, statuses



def render(report, db_path):
    """The whole report as text, most urgent first."""
    sections = [
        [f"litref status of {db_path}, checked {when(report['checked_at'])}"],
        _verdict(report),
        _searches(report),
        _running(report),
        _flagged(report["newly_flagged"]),
        _pages(report),
        _drifted(report["drifted_claims"]),
        _unclaimed(report["unclaimed_statements"]),
        _claims(report["claims_by_status"]),
        _new_evidence(report["claims_with_new_evidence"]),
        _assessments(report["assessments_unlike_indexing"]),
        [_database(report["database"])],
    ]
    return "\n\n".join("\n".join(lines) for lines in sections if lines)


def _verdict(report):
    if not report["needs_attention"]:
        pages = (" Every website page was read in that time, every claim is still on its page, "
                 "and no statement on a page awaits a decision.") if report["pages"] else ""
        return [
            f"ALL IS WELL: every search fetched successfully in the last {report['days']} days, "
            "and no paper cited as evidence was retracted, questioned or deleted since its review."
            + pages
        ]
    lines = ["NEEDS ATTENTION"]
    total = len(report["searches"])
    if report["stale_searches"]:
        lines.append(
            f"- {len(report['stale_searches'])} of {_count_of(total, 'search', 'searches')} had "
            f"no successful fetch in the last {report['days']} days: "
            f"{_names(report['stale_searches'])}. "
            "Check that the nightly fetch runs (see Scheduling in README.md)."
        )
    if report["failed_searches"]:
        lines.append(
            f"- {_count(report['failed_searches'], 'search', 'searches')} did not succeed on "
            f"the last run: {_names(report['failed_searches'])}. The reason is under each name below."
        )
    if report["warned_searches"]:
        lines.append(
            f"- {_count(report['warned_searches'], 'search', 'searches')} ran, but PubMed ignored or "
            f"could not find a term of the query: {_names(report['warned_searches'])}. The results "
            "may not be what the query says: correct the query (the term is named below), then "
            "run `litref check`."
        )
    if report["newly_flagged"]:
        lines.append(
            f"- {_count(report['newly_flagged'], 'curated link')} to a paper that was retracted, "
            "questioned or deleted after staff reviewed it. Re-check those claims (listed below) "
            "in Datasette, then update the link's reviewed_at: it is then no longer listed."
        )
    return lines + _website_verdict(report)


def _website_verdict(report):
    lines = []
    if report["stale_pages"]:
        lines.append(
            f"- {_count(report['stale_pages'], 'website page')} not read in the last "
            f"{report['days']} days: {_names(report['stale_pages'])}. Check that `litref pages` "
            "runs after the nightly fetch (see Scheduling in README.md)."
        )
    if report["failed_pages"]:
        lines.append(
            f"- {_count(report['failed_pages'], 'website page')} could not be read on the last "
            f"try: {_names(report['failed_pages'])}. The reason is under each page below; its "
            "claims keep their last state."
        )
    if report["drifted_claims"]:
        lines.append(
            f"- {_count(report['drifted_claims'], 'claim')} no longer on {_its_their(report['drifted_claims'])} "
            "page word for word (listed below). Open the page in Datasette: update the claim in "
            "claims.yml, or archive it if the statement is gone."
        )
    if report["unclaimed_statements"]:
        lines.append(
            f"- {_count(report['unclaimed_statements'], 'statement')} on the website that no "
            "claim quotes (listed below). Open the page in Datasette: make each a claim, or "
            "mark it \"not a claim\"."
        )
    return lines


def _its_their(items):
    return "its" if len(items) == 1 else "their"


def _searches(report):
    width = max((len(s["name"]) for s in report["searches"]), default=0)
    lines = ["Searches: last run, its result, last successful run"]
    for search in report["searches"]:
        lines.append(f"  {search['name']:<{width}}  {_last_run(search, report['checked_at'])}")
        error = (search["last_run"] or {}).get("error")
        if error and search["name"] in report["failed_searches"] + report["warned_searches"]:
            lines.extend(f"  {'':<{width}}    {line}" for line in error.splitlines())
    return lines


def _last_run(search, checked_at):
    run = search["last_run"]
    if run is None:
        return "never run"
    success = search["last_success"]
    last_ok = (
        f"last success {when(success)} ({ago(success, checked_at)})" if success else "never succeeded"
    )
    return f"{when(run['started'])}  {run['status']:<11}  {last_ok}"


def _running(report):
    if not report["running"]:
        return []
    lines = ["Fetches still marked as running"]
    for run in report["running"]:
        note = (
            " - it never finished: the process was stopped or the computer restarted"
            if run["abandoned"] else ""
        )
        lines.append(
            f"  {run['search']}: started {when(run['started'])} "
            f"({ago(run['started'], report['checked_at'])}){note}"
        )
    return lines


def _flagged(links):
    if not links:
        return []
    lines = ["Papers cited as evidence that were flagged after their review"]
    for link in links:
        flagged = ", ".join(flag["words"] for flag in flags.FLAGS if link[flag["column"]])
        title = f"\"{link['title']}\"" if link["title"] else "(never stored)"
        lines.append(
            f"  claim {link['claim_id']}: PMID {link['pmid']} ({flagged} {when(link['flagged_at'])}; "
            f"reviewed {when(link['reviewed_at'])}) {title}"
        )
    return lines


def _pages(report):
    if not report["pages"]:
        return []
    width = max(len(page["page_id"]) for page in report["pages"])
    lines = ["Website pages: last reading, its result, last successful reading"]
    for page in report["pages"]:
        lines.append(f"  {page['page_id']:<{width}}  {_last_reading(page, report['checked_at'])}")
        if page["last_outcome"] == "failed":
            lines.append(f"  {'':<{width}}    {page['last_error']}")
    return lines


def _last_reading(page, checked_at):
    if page["last_checked"] is None:
        return "never read"
    read = page["last_read"]
    last_ok = f"last read {when(read)} ({ago(read, checked_at)})" if read else "never read successfully"
    return f"{when(page['last_checked'])}  {page['last_outcome']:<9}  {last_ok}"


def _drifted(claims):
    if not claims:
        return []
    lines = ["Claims no longer on their page word for word"]
    for claim in claims:
        seen = f"last seen {when(claim['last_seen'])}" if claim["last_seen"] else "never seen by litref"
        lines.append(f"  {claim['page_id']}: claim {claim['claim_id']} ({claim['page_state']}; {seen})")
        lines.append(f"    claim: \"{claim['text']}\"")
        if claim["nearest_passage"]:
            lines.append(f"    nearest on the page now ({claim['similarity']}% alike): "
                         f"\"{claim['nearest_passage']}\"")
    return lines


def _unclaimed(statements):
    if not statements:
        return []
    lines = ["Statements on the website that no claim quotes"]
    lines.extend(
        f"  {s['page_id']} ({s['section']}; {s['signals'].replace(',', ', ')}; since "
        f"{when(s['first_seen'])}): \"{s['text']}\""
        for s in statements
    )
    return lines


def _new_evidence(claims):
    if not claims:
        return []
    lines = ["Claims with new candidate evidence since their last review (work for reviewers, not a fault)"]
    lines.extend(
        f"  {c['claim_id']}: {_count_of(c['new_candidates'], 'new candidate', shown=statuses.counted)} "
        f"(last reviewed {when(c['last_reviewed'])})"
        for c in claims
    )
    return lines


def _claims(by_status):
    if not by_status:
        return []
    return ["Claims by status: " + ", ".join(
        f"{statuses.BY_CODE[code]['label'].lower()} {count}" for code, count in by_status.items())]


def _assessments(found):
    if not found:
        return []
    lines = ["Studies PubMed has indexed since a reviewer assessed them, as another design (check which is right)"]
    lines.extend(
        f"  PMID {a['pmid']}: assessed {a['assessed']} by {a['reviewer']}, indexed {a['indexed']} "
        f"({a['indexed_as']})"
        for a in found
    )
    return lines


def _database(counts):
    return (
        f"Database: {size(counts['size_bytes'])}; {_count_of(counts['citations'], 'citation')}, "
        f"{_count_of(counts['claims'], 'claim')}, {_count_of(counts['curated_links'], 'curated link')} "
        f"({counts['flagged_links']:,} to flagged papers)."
    )


def when(timestamp):
    """'2026-03-02 03:31 UTC' from a stored timestamp (text kept as is if unreadable)."""
    try:
        moment = parse_time(timestamp)
    except ValueError:
        return timestamp
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def ago(timestamp, checked_at):
    """'5 minutes ago', '3 hours ago', '10 days ago'."""
    seconds = max(0, (parse_time(checked_at) - parse_time(timestamp)).total_seconds())
    for unit, length in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= 2 * length or unit == "minute":
            return f"{_count_of(int(seconds // length), unit)} ago"


def size(size_bytes):
    for unit in ("bytes", "KB", "MB", "GB"):
        if size_bytes < 1000 or unit == "GB":
            return f"{size_bytes:,.0f} {unit}" if unit == "bytes" else f"{size_bytes:,.1f} {unit}"
        size_bytes /= 1000


def _names(names, shown=5):
    """A few names, then how many more: the full list follows in the report."""
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def _count(items, noun, plural=None):
    return _count_of(len(items), noun, plural)


def _count_of(number, noun, plural=None, *, shown="{:,}".format):
    return f"{shown(number)} {noun if number == 1 else plural or noun + 's'}"
