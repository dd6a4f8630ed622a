"""The ``litref`` command. It only wires: parsing options, calling litref/pipeline.py,
db/ and fetch/, reporting.

Exit status: 0 when everything worked, 1 when a search or a file failed (the
others still ran), 2 for configuration errors (nothing was attempted).
"""

import contextlib
import json
import shlex
import sqlite3
import sys
from datetime import datetime, timezone
from pathlib import Path

import click

from litref import config
from litref.clock import utc_now
from litref.config import ConfigFileError, read_searches
from litref.db import database as store
from litref.db import lock as fetch_lock
from litref.db import writing
from litref.db.backup import BackupError, BadBackupTarget, copy_database
from litref.db.candidates import refresh_claims
from litref.db.claims import ClaimsRemoved, browser_claims, claims_for_export
from litref.db.curation import missing_curated_pmids
from litref.db.runs import close_interrupted, save_searches
from litref.db.statistics import refresh_planner_statistics
from litref.db.status_history import record_status_changes
from litref.db.status import status_report
from litref.db.pages import page_overview
from litref.demo import DEFAULT_CLAIMS, DEFAULT_PAGES, DEFAULT_SEARCHES, DEMO_DB, build_demo
from litref.evidence.claim_queries import claim_search
from litref.fetch import eutils
from litref.fetch.files import ImportFileError
from litref.fetch.site_pages import PageReader
from litref.page_watch import load_site, watch_pages
from litref.pipeline import fetch_pmids, import_file, run_search
from litref.query_check import check_queries, query_problems, summary
from litref.status_text import render, size
from litref.web.app import serve_args

db_option = click.option(
    "--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Database file (default: $LITREF_DB, else db/citations.db).",
)

pages_option = click.option(
    "--pages", "pages_path", type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_PAGES, show_default="pages.yml",
    help="The website's pages file; claims name their page by its id.",
)


def fail(message, code):
    click.echo(message, err=True)
    sys.exit(code)


@click.group()
@click.version_option(package_name="litref")
def main():
    """litref: the clinic website's claims beside the PubMed evidence."""


@main.command(name="fetch")
@db_option
@click.option("--searches", "searches_path", type=click.Path(dir_okay=False, path_type=Path),
              default=DEFAULT_SEARCHES, show_default="searches.yml", help="Saved searches file.")
@click.option("--claims", "claims_path", type=click.Path(dir_okay=False, path_type=Path),
              default=DEFAULT_CLAIMS, show_default="claims.yml",
              help="Claims file; each claim's query is fetched as search claim-<id>.")
@pages_option
@click.option("--search", "names", multiple=True, help="Fetch only this search (repeatable).")
@click.option("--full", is_flag=True, help="Re-fetch every record of each search, not just what is new.")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Fetch what entered or changed in PubMed since YYYY-MM-DD.")
@click.option("--quiet", is_flag=True, help="Print only failures (cron mails whatever is printed).")
def fetch_command(db_path, searches_path, claims_path, pages_path, names, full, since, quiet):
    """Run the saved searches and the claims' searches against PubMed and store what they find.

    Exit status: 0 all went well; 1 a search failed (the others still ran); 2
    nothing could be done: a configuration error, another fetch running, or a
    database that cannot be written (read-only, disk full).
    """
    try:
        settings = eutils.settings_from_env()
        pages = config.read_pages(pages_path)
        claims = config.read_claims(claims_path, pages)
        saved = read_searches(searches_path)
        warnings = check_queries([(searches_path, saved, "search"), (claims_path, claims, "claim")])
        searches = _select(saved + [claim_search(c) for c in claims], names, f"{searches_path} and {claims_path}")
        eutils.configure(settings)
    except (eutils.ConfigError, ConfigFileError) as error:
        fail(str(error), 2)
    if not quiet:
        _echo_all(warnings)
    path = db_path or store.default_path()
    try:
        lock = fetch_lock.held(fetch_lock.path_for(path), command=_command_line(), now=utc_now())
        with lock as left, contextlib.closing(_open_for_fetch(path, left)) as database:
            _load_claims(database, pages, claims, prune=False)
            # Claims added in the browser are searched for before they reach claims.yml.
            searches += [] if names else [claim_search(c) for c in browser_claims(database)]
            save_searches(database, searches, now=utc_now())
            failed = _run_searches(database, settings, searches, full, since and since.date(), quiet)
            failed += not _fetch_missing_curated(database, settings)
            refresh_planner_statistics(database)
            record_status_changes(database, now=utc_now(), cause="fetch")
    except fetch_lock.LockError as error:
        fail(str(error), 2)
    except sqlite3.Error as error:  # disk full, file made read-only...: stop, nothing more can be stored
        fail(_database_failure(path, error), 2)
    sys.exit(1 if failed else 0)


def _command_line():
    return shlex.join([Path(sys.argv[0]).name, *sys.argv[1:]])


def _open_for_fetch(path, left_behind):
    """Open the database and close the runs that a killed fetch left marked running."""
    if left_behind:
        click.echo(
            f"Took over the fetch lock left by {fetch_lock.describe(left_behind)}: "
            "that fetch never finished (killed, or the machine went down).",
            err=True,
        )
    database = _open(path)
    for run in close_interrupted(database, now=utc_now()):
        click.echo(
            f"{run['search']}: the run started {run['started']} never finished; "
            f"recorded as interrupted (fetch_runs id {run['id']}).",
            err=True,
        )
    return database


def _open(path):
    """Open (create or upgrade) the database, or exit 2 saying why it cannot be written."""
    try:
        writing.lock_wait()  # a wrong LITREF_LOCK_WAIT is a configuration error: say so now
        return store.open_db(path)
    except ValueError as error:
        fail(str(error), 2)
    except (OSError, sqlite3.Error, BackupError) as error:
        fail(_database_failure(path, error), 2)


def _database_failure(path, error):
    if isinstance(error, writing.DatabaseBusy):
        return str(error)  # names the holder
    if writing.is_busy(error):
        return (
            f"The database {path} stayed locked by another program while litref waited. "
            "What earlier batches stored is kept. Run the same command again once it is free."
        )
    # A full disk is SQLITE_FULL; a file-size limit (ulimit -f) or a failing disk, SQLITE_IOERR_*.
    code = getattr(error, "sqlite_errorname", "")
    if code == "SQLITE_FULL" or code.startswith("SQLITE_IOERR"):
        return (
            f"The database {path} could not be written: {error}. The disk may be full, a "
            "file size limit reached, or the disk failing. What earlier batches stored is "
            "kept; the batch under way stored nothing. Free some space (or check the disk), "
            "then run the same command again."
        )
    return (
        f"Cannot write the database {path} ({error}). Check the path, and that the user "
        "running litref may write the file and its folder (SQLite keeps -wal and -shm "
        "files beside it), or choose another file with --db or LITREF_DB."
    )


def _run_searches(database, settings, searches, full, since, quiet):
    """Run each search with a line on stderr (with --quiet only failures); returns the failures."""
    failed = 0
    on_terminal = sys.stderr.isatty()
    # On a terminal each line first clears the bar's line; the bar is redrawn underneath.
    clear_bar = "\r\x1b[K" if on_terminal else ""
    with _progress(searches, on_terminal) as bar:
        for search in bar:
            run = run_search(database, settings, search, full=full, since=since)
            failed += run["status"] != "ok"
            if run["status"] != "ok" or not quiet:
                click.echo(clear_bar + _run_line(run), err=True)
    return failed


def _progress(searches, on_terminal):
    """A progress bar when a person watches stderr; none for cron, systemd or CI logs."""
    if not on_terminal:
        return contextlib.nullcontext(searches)
    return click.progressbar(
        searches, label="Fetching", file=sys.stderr, show_pos=True,
        item_show_func=lambda search: search and search["name"],
    )


def _load_claims(database, pages, claims, prune):
    """Store the pages and claims, then work out the candidates of the claims whose query changed."""
    try:
        counts = load_site(database, pages, claims, prune=prune)
    except ClaimsRemoved as error:
        fail(str(error), 2)
    _refresh_candidates(database)
    record_status_changes(database, now=utc_now(), cause="claims")
    return counts


def _refresh_candidates(database):
    for claim_id, problem in refresh_claims(database, now=utc_now()).items():
        click.echo(f"claim {claim_id}: no candidates: {problem}", err=True)


def _fetch_missing_curated(database, settings):
    """Curated PMIDs not yet stored (typed in by staff) are fetched by id."""
    pmids = missing_curated_pmids(database)
    if not pmids:
        return True
    try:
        absent = fetch_pmids(database, settings, pmids)
    except eutils.PubMedError as error:
        click.echo(f"curated citations: failed\n  {error}", err=True)
        return False
    if absent:
        click.echo(
            f"curated citations: PubMed has no record for PMID {', '.join(map(str, absent))}; "
            "check these links in claim_evidence.",
            err=True,
        )
    return not absent


def _select(searches, names, path):
    if not names:
        return searches
    known = {s["name"]: s for s in searches}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ConfigFileError(
            f"{path}: no search named {', '.join(map(repr, unknown))}; "
            f"the searches are: {', '.join(known)}."
        )
    return [known[n] for n in names]


def _run_line(run):
    line = (
        f"{run['search']}: {run['status']} ({run['mode']}) - PubMed counted "
        f"{run['count_reported'] if run['count_reported'] is not None else '?'}, "
        f"stored {run['ids_retrieved']} ({run['new']} new, {run['updated']} updated)"
    )
    return f"{line}\n  {run['error']}" if run["error"] else line


@main.command(name="claims")
@db_option
@click.argument("claims_path", required=False, default=DEFAULT_CLAIMS,
                type=click.Path(dir_okay=False, path_type=Path))
@pages_option
@click.option("--prune", is_flag=True,
              help="Archive claims removed from the file even if they have curated evidence (kept).")
@click.option("--export", is_flag=True,
              help="Write the database's claims (with those added or archived in the browser) "
                   "to the file instead of loading it.")
def claims_command(db_path, claims_path, pages_path, prune, export):
    """Check claims.yml (or FILE) and load it into the database; or, with --export, write it."""
    try:
        pages = config.read_pages(pages_path)
        if export:
            database = store.open_db(db_path or store.default_path(), create=False)
            written = config.write_claims(claims_path, claims_for_export(database), pages)
            click.echo(f"{claims_path}: wrote {written} claims from the database.", err=True)
            return
        loaded = config.read_claims(claims_path, pages)
        _echo_all(check_queries([(claims_path, loaded, "claim")]))
    except (ConfigFileError, store.DatabaseMissing) as error:
        fail(str(error), 2)
    path = db_path or store.default_path()
    try:
        counts = _load_claims(_open(path), pages, loaded, prune)
    except sqlite3.Error as error:
        fail(_database_failure(path, error), 2)
    click.echo(
        f"{claims_path}: {counts['claims']} claims ({counts['new']} new), "
        f"{counts['archived']} archived, {counts['removed']} removed",
        err=True,
    )
    if counts["not_exported"]:
        click.echo(
            f"Changed in the browser and not yet in {claims_path}: "
            f"{', '.join(counts['not_exported'])}. Run `litref claims --export` and keep the "
            "file it writes (e.g. commit it).",
            err=True,
        )


@main.command(name="check")
@click.option("--searches", "searches_path", type=click.Path(dir_okay=False, path_type=Path),
              default=DEFAULT_SEARCHES, show_default="searches.yml", help="Saved searches file.")
@click.option("--claims", "claims_path", type=click.Path(dir_okay=False, path_type=Path),
              default=DEFAULT_CLAIMS, show_default="claims.yml", help="Claims file.")
def check_command(searches_path, claims_path):
    """Check every query of searches.yml and claims.yml, offline: no PubMed, no database.

    Exit status: 0 no errors (warnings are printed); 2 a query or a file has an error.
    """
    try:
        files = [(searches_path, read_searches(searches_path), "search"),
                 (claims_path, config.read_claims(claims_path), "claim")]
    except ConfigFileError as error:
        fail(str(error), 2)
    problems = query_problems(files)
    _echo_all(text for _, text in problems)
    click.echo(summary(files, problems), err=True)
    sys.exit(2 if any(is_error for is_error, _ in problems) else 0)


def _echo_all(messages):
    for message in messages:
        click.echo(message, err=True)


@main.command(name="import")
@db_option
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def import_command(db_path, files):
    """Import PubMed XML (.xml, .xml.gz) or MEDLINE (.nbib, .txt) files."""
    db_file = db_path or store.default_path()
    database = _open(db_file)
    _refresh_candidates(database)  # claims left to work out (after an upgrade)
    failed = 0
    for path in files:
        try:
            counts = import_file(database, path, now=utc_now())
        except ImportFileError as error:
            click.echo(str(error), err=True)
            failed += 1
            continue
        except sqlite3.Error as error:  # busy for too long, disk full...: nothing more can be stored
            fail(f"{path}: {_database_failure(db_file, error)}", 2)
        click.echo(
            f"{path}: {counts['records']} records ({counts['new']} new, {counts['updated']} "
            f"updated, {counts['unchanged']} unchanged), {counts['deleted']} marked deleted",
            err=True,
        )
    sys.exit(1 if failed else 0)


@main.command(name="serve")
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8001, show_default=True, type=int, help="Port to listen on.")
def serve_command(db_path, host, port):
    """Serve the database in Datasette for staff."""
    from litref.web import signin  # here: it loads Datasette, which other commands never need

    path = db_path or store.default_path()
    try:
        signin.session_seconds()  # a wrong LITREF_SESSION_HOURS: say so now, not at each sign-in
    except ValueError as error:
        fail(str(error), 2)
    _open(path).close()  # create or upgrade the schema before Datasette opens it
    _datasette(path, host, port)


@main.command(name="demo")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8001, show_default=True, type=int, help="Port to listen on.")
def demo_command(host, port):
    """Build db/demo.db from the bundled sample (no network) and serve it."""
    counts = build_demo(DEMO_DB)
    click.echo(
        f"Demo database {DEMO_DB}: {counts['citations']} sample citations, "
        f"{counts['claims']} claims, {counts['links']} sample curated links.",
        err=True,
    )
    _datasette(DEMO_DB, host, port)


def _datasette(path, host, port):
    from datasette import cli as datasette_cli

    datasette_cli.cli.main(args=serve_args(path, host, port), prog_name="litref serve")


@main.command(name="backup")
@db_option
@click.argument("target", type=click.Path(path_type=Path))
def backup_command(db_path, target):
    """Write a copy of the database to TARGET, a new file (safe while litref or Datasette use it)."""
    source = db_path or store.default_path()
    try:
        copy_database(store.open_existing_read_only(source), target)
    except (store.DatabaseMissing, BadBackupTarget) as error:
        fail(str(error), 2)
    except BackupError as error:
        fail(str(error), 1)
    click.echo(f"Backed up {source} to {target} ({size(target.stat().st_size)}).", err=True)


@main.command(name="status")
@db_option
@click.option("--searches", "searches_path", type=click.Path(dir_okay=False, path_type=Path),
              default=DEFAULT_SEARCHES, show_default="searches.yml",
              help="Saved searches file: the searches to check.")
@click.option("--claims", "claims_path", type=click.Path(dir_okay=False, path_type=Path),
              default=DEFAULT_CLAIMS, show_default="claims.yml",
              help="Claims file: their claim-<id> searches are checked too.")
@pages_option
@click.option("--days", type=click.IntRange(min=1), default=7, show_default=True,
              help="A search with no successful run for this many days needs attention.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON, for monitoring tools.")
@click.option("--quiet", is_flag=True, help="Print nothing when all is well (for cron, which mails any output).")
def status_command(db_path, searches_path, claims_path, pages_path, days, as_json, quiet):
    """Say whether the nightly fetch works and what needs a person (exit status 1 if anything)."""
    path = db_path or store.default_path()
    try:
        names = [s["name"] for s in read_searches(searches_path)]
        names += [claim_search(c)["name"] for c in config.read_claims(claims_path)]
        page_ids = [page["id"] for page in config.read_pages(pages_path)]
        database = store.open_db(path, create=False)
    except (ConfigFileError, store.DatabaseMissing) as error:
        fail(str(error), 2)
    names += [claim_search(c)["name"] for c in browser_claims(database)]
    report = status_report(database, names, now=datetime.now(timezone.utc), days=days,
                           page_ids=page_ids)
    if report["needs_attention"] or not quiet:
        click.echo(json.dumps(report, indent=2) if as_json else render(report, path))
    sys.exit(1 if report["needs_attention"] else 0)


@main.command(name="pages")
@db_option
@pages_option
@click.option("--quiet", is_flag=True, help="Print only the pages that could not be read (for cron).")
def pages_command(db_path, pages_path, quiet):
    """Read the website's pages, keep their text when it changed, and check every claim
    against its page (a page with an empty url: its saved copy).

    Exit status: 0 every page was read; 1 a page could not be read (the others
    were; its claims keep their last state); 2 a mistake in the pages file, or a
    database that cannot be written.
    """
    try:
        pages = config.read_pages(pages_path)
    except ConfigFileError as error:
        fail(str(error), 2)
    path = db_path or store.default_path()
    try:
        database = _open(path)
        results = watch_pages(database, pages, PageReader())
        overview = {row["page_id"]: row for row in page_overview(database)}
    except sqlite3.Error as error:
        fail(_database_failure(path, error), 2)
    for result in results:
        if result["error"] or not quiet:
            click.echo(_page_line(result, overview[result["page"]]), err=True)
    sys.exit(1 if any(result["error"] for result in results) else 0)


def _page_line(result, page):
    if result["error"]:
        return (f"{result['page']}: could not be read ({result['source']})\n  {result['error']}\n"
                "  Its claims keep their last state; litref tries again next time.")
    return (f"{result['page']}: {result['outcome']} ({result['source']}) - {page['claims']} claims: "
            f"{page['on_page']} on the page, {page['changed']} changed, {page['vanished']} gone; "
            f"{page['unclaimed_statements']} statements no claim quotes")
