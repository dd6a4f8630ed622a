"""The ``litref`` command. It only wires: parsing options, calling fetch/ and db/, reporting.

Exit status: 0 when everything worked, 1 when a search or a file failed (the
others still ran), 2 for configuration errors (nothing was attempted).
"""

import sys
from pathlib import Path

import click

import db as store
from db.claims import ClaimsRemoved, load_claims, load_sample_curation, missing_curated_pmids
from db.runs import save_searches
from fetch import eutils
from fetch.claim_queries import claim_search
from fetch.harvest import fetch_pmids, run_search, utc_now
from fetch.importer import ImportFileError, import_file
from litref import config
from litref.config import ConfigFileError, load_searches
from web.app import serve_args

PROJECT = Path(__file__).resolve().parents[1]
DEFAULT_SEARCHES = PROJECT / "searches.yml"
DEFAULT_CLAIMS = PROJECT / "claims.yml"
SAMPLE_CURATION = PROJECT / "sample" / "curation.yml"
SAMPLE = PROJECT / "sample" / "pubmed-sample.xml"
DEMO_DB = PROJECT / "db" / "demo.db"

db_option = click.option(
    "--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Database file (default: $LITREF_DB, else db/citations.db).",
)


def fail(message, code):
    click.echo(message, err=True)
    sys.exit(code)


@click.group()
@click.version_option(package_name="litref")
def main():
    """litref: the clinic website's claims beside the PubMed evidence."""


@main.command()
@db_option
@click.option("--searches", "searches_path", type=click.Path(dir_okay=False, path_type=Path),
              default=DEFAULT_SEARCHES, show_default="searches.yml", help="Saved searches file.")
@click.option("--claims", "claims_path", type=click.Path(dir_okay=False, path_type=Path),
              default=DEFAULT_CLAIMS, show_default="claims.yml",
              help="Claims file; each claim's query is fetched as search claim-<id>.")
@click.option("--search", "names", multiple=True, help="Fetch only this search (repeatable).")
@click.option("--full", is_flag=True, help="Re-fetch every record of each search, not just what is new.")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Fetch what entered or changed in PubMed since YYYY-MM-DD.")
def fetch(db_path, searches_path, claims_path, names, full, since):
    """Run the saved searches and the claims' searches against PubMed and store what they find."""
    try:
        settings = eutils.settings_from_env()
        claims = config.load_claims(claims_path)
        searches = load_searches(searches_path) + [claim_search(c) for c in claims]
        searches = _select(searches, names, f"{searches_path} and {claims_path}")
    except (eutils.ConfigError, ConfigFileError) as error:
        fail(str(error), 2)
    eutils.configure(settings)
    database = store.open_db(db_path or store.default_path())
    _load_claims(database, claims, prune=False)
    save_searches(database, searches, now=utc_now())
    failed = 0
    for search in searches:
        run = run_search(database, settings, search, full=full, since=since and since.date())
        click.echo(_run_line(run), err=True)
        failed += run["status"] != "ok"
    failed += not _fetch_missing_curated(database, settings)
    sys.exit(1 if failed else 0)


def _load_claims(database, claims, prune):
    try:
        return load_claims(database, claims, now=utc_now(), prune=prune)
    except ClaimsRemoved as error:
        fail(str(error), 2)


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


@main.command()
@db_option
@click.argument("claims_path", required=False, default=DEFAULT_CLAIMS,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--prune", is_flag=True,
              help="Archive claims removed from the file even if they have curated evidence (kept).")
def claims(db_path, claims_path, prune):
    """Check claims.yml (or FILE) and load it into the database."""
    try:
        loaded = config.load_claims(claims_path)
    except ConfigFileError as error:
        fail(str(error), 2)
    counts = _load_claims(store.open_db(db_path or store.default_path()), loaded, prune)
    click.echo(
        f"{claims_path}: {counts['claims']} claims ({counts['new']} new), "
        f"{counts['archived']} archived, {counts['removed']} removed",
        err=True,
    )


@main.command(name="import")
@db_option
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def import_(db_path, files):
    """Import PubMed XML (.xml, .xml.gz) or MEDLINE (.nbib, .txt) files."""
    database = store.open_db(db_path or store.default_path())
    failed = 0
    for path in files:
        try:
            counts = import_file(database, path, now=utc_now())
        except ImportFileError as error:
            click.echo(str(error), err=True)
            failed += 1
            continue
        click.echo(
            f"{path}: {counts['records']} records ({counts['new']} new, {counts['updated']} "
            f"updated, {counts['unchanged']} unchanged), {counts['deleted']} marked deleted",
            err=True,
        )
    sys.exit(1 if failed else 0)


@main.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8001, show_default=True, type=int, help="Port to listen on.")
def serve(db_path, host, port):
    """Serve the database in Datasette for staff."""
    path = db_path or store.default_path()
    store.open_db(path).close()  # create or upgrade the schema before Datasette opens it
    _datasette(path, host, port)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8001, show_default=True, type=int, help="Port to listen on.")
def demo(host, port):
    """Build db/demo.db from the bundled sample (no network) and serve it."""
    for stale in DEMO_DB.parent.glob(DEMO_DB.name + "*"):
        stale.unlink()
    database = store.open_db(DEMO_DB)
    counts = import_file(database, SAMPLE, now=utc_now())
    claims_loaded = load_claims(database, config.load_claims(DEFAULT_CLAIMS), now=utc_now())
    links = load_sample_curation(database, config.load_curation(SAMPLE_CURATION), now=utc_now())
    database.close()
    click.echo(
        f"Demo database {DEMO_DB}: {counts['records']} sample citations, "
        f"{claims_loaded['claims']} claims, {links} sample curated links.",
        err=True,
    )
    _datasette(DEMO_DB, host, port)


def _datasette(path, host, port):
    from datasette import cli as datasette_cli

    datasette_cli.cli.main(args=serve_args(path, host, port), prog_name="litref serve")
