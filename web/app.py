"""How Datasette is set up for staff: one place for the settings, so `litref serve`
and the tests run the same configuration."""

import json
from pathlib import Path

WEB = Path(__file__).resolve().parent
PROJECT = WEB.parent
METADATA = PROJECT / "metadata.json"
PLUGINS_DIR = WEB / "plugins"
TEMPLATE_DIR = WEB / "templates"
STATIC_DIR = WEB / "static"
STATIC_MOUNT = "litref"

# Facet suggestions cost a query per column on every table page (GUIDE: ~1 s at
# 200,000 citations); the facets staff need are configured in metadata.json.
# sql_time_limit_ms: at 1,000,000 citations a few legitimate pages take about a
# second (claims_without_support ~0.9 s, and first visits after a restart more),
# and past Datasette's default limit of 1 s staff get an error instead of the
# page (bench/README.md). 3 s lets them finish; faster pages are not affected.
SETTINGS = {"suggest_facets": False, "sql_time_limit_ms": 3000}
# How long a staff write waits for the database while litref writes (web/plugins/staff_writes.py).
STAFF_WRITE_WAIT_MS = 30_000
# Pages of write-ahead log after which a staff save copies them into the database file:
# twice litref's figure (db/writing.py: CHECKPOINT_PAGES), so that litref's own commits do
# the copying its imports make necessary, normally not the reviewer's save that comes next.
STAFF_CHECKPOINT_PAGES = 20_000


def serve_args(db_path, host, port):
    """Arguments for `datasette serve` as `litref serve` runs it."""
    args = [
        "serve", str(db_path), "--metadata", str(METADATA), "--host", host, "--port", str(port),
        "--plugins-dir", str(PLUGINS_DIR), "--template-dir", str(TEMPLATE_DIR),
        "--static", f"{STATIC_MOUNT}:{STATIC_DIR}",
    ]
    for name, value in SETTINGS.items():
        args += ["--setting", name, json.dumps(value) if not isinstance(value, str) else value]
    return args


def datasette_for(db_path):
    """A Datasette instance configured exactly as `litref serve` configures it (for tests)."""
    from datasette.app import Datasette

    return Datasette(
        [str(db_path)],
        metadata=json.loads(METADATA.read_text()),
        plugins_dir=str(PLUGINS_DIR),
        template_dir=str(TEMPLATE_DIR),
        static_mounts=[(STATIC_MOUNT, str(STATIC_DIR))],
        settings=SETTINGS,
    )
