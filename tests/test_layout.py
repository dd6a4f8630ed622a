"""The rooms of the code and which way their imports point.

evidence/ (pure rules) is imported by fetch/, db/ and web/ and imports none of
them; fetch/ (PubMed) and db/ (the store) never import each other; web/ (what
Datasette serves) reads neither; litref/ (the command and its wiring) may use
them all. Installed, the rooms live under the one name ``litref``.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
# room → the rooms it may import (besides itself)
ALLOWED = {
    "evidence": set(),
    "fetch": {"evidence"},
    "db": {"evidence"},
    "web": {"evidence"},
    "litref": {"evidence", "fetch", "db", "web"},
}
ROOM_OF_MODULE = {"litref." + room: room for room in ALLOWED if room != "litref"}


def imported_rooms(path):
    """The rooms a file imports, from its import statements."""
    rooms = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
            [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
        for name in names:
            parts = name.split(".")
            if parts[0] in ALLOWED and parts[0] != "litref":
                rooms.add(f"bare {parts[0]}")  # `import db`: not our package's name
            elif parts[0] == "litref":
                rooms.add(ROOM_OF_MODULE.get(".".join(parts[:2]), "litref"))
    return rooms


@pytest.mark.parametrize("room", sorted(ALLOWED))
def test_imports_point_one_way(room):
    for path in sorted((PROJECT / room).rglob("*.py")):
        wrong = imported_rooms(path) - ALLOWED[room] - {room}
        assert not wrong, f"{path.relative_to(PROJECT)} imports {sorted(wrong)}"


def test_only_litref_is_importable_outside_the_checkout(tmp_path):
    script = (
        "import importlib, litref.fetch, litref.db, litref.web, litref.evidence\n"
        "for name in ('fetch', 'db', 'web', 'evidence'):\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except ImportError:\n"
        "        continue\n"
        "    raise SystemExit(name + ' is importable')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
