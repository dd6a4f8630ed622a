"""``litref import``: PubMed XML and MEDLINE files into the database.

Each file is stored in one transaction (its batches as savepoints inside it):
a file that turns out damaged half way stores nothing, so a re-run after
fixing it starts from a clean slate.

Parsing and writing take similar time, so a second process parses while this
one writes (bench/ measures the gain).
"""

import gzip
import io
import multiprocessing
import sqlite3
import zlib
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from queue import Empty

from db.candidates import refresh_claim_matches
from db.store import save_records
from fetch import medline, pubmed_xml

BATCH_SIZE = 1000
BATCHES_AHEAD = 4  # parsed batches waiting to be written: bounds the memory used
GZIP_MAGIC = b"\x1f\x8b"


class ImportFileError(ValueError):
    """A file that cannot be imported; the message says which and what to do."""


def import_file(db, path, *, now):
    """Import one file; returns counts (new, updated, unchanged, deleted, records)."""
    path = Path(path)
    totals = {"new": 0, "updated": 0, "unchanged": 0, "deleted": 0, "records": 0}
    try:
        with _parsed_elsewhere(path) as batches, db.atomic():
            for batch in batches:
                counts = save_records(db, batch, source=path.name, now=now)
                for key in ("new", "updated", "unchanged", "deleted"):
                    totals[key] += counts[key]
                totals["records"] += len(counts["pmids"])
            if totals["new"] or totals["updated"]:
                refresh_claim_matches(db)  # once per file: it ranks every citation
    except (gzip.BadGzipFile, EOFError, zlib.error) as error:
        raise ImportFileError(
            f"{path}: the gzip file is damaged ({error}). Nothing from this file was "
            "stored. Download it again."
        ) from error
    except (pubmed_xml.NotPubmedXML, medline.NotMedline) as error:
        raise ImportFileError(f"{error} Nothing from this file was stored.") from error
    except sqlite3.IntegrityError as error:
        raise ImportFileError(
            f"{path}: a record breaks a rule of the database ({error}). Nothing from this "
            "file was stored. Please report this with the file: it is a bug in litref."
        ) from error
    except OSError as error:
        raise ImportFileError(f"{path}: cannot read the file ({error.strerror or error}).") from error
    return totals


def read_items(stream, name):
    """Items from a binary stream of PubMed XML or MEDLINE text, by sniffing its start."""
    start = stream.peek(4096)[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"<"):
        return pubmed_xml.parse(stream, name)
    if b"PMID-" in start:
        return medline.parse(io.TextIOWrapper(stream, encoding="utf-8", errors="replace"), name)
    raise ImportFileError(
        f"{name}: neither PubMed XML nor MEDLINE text. Export from PubMed as XML, "
        "or with 'Send to: Citation manager' for a .nbib file."
    )


@contextmanager
def _parsed_elsewhere(path):
    """Batches of items parsed by a worker process; its exceptions are re-raised here."""
    queue = multiprocessing.Queue(maxsize=BATCHES_AHEAD)
    worker = multiprocessing.Process(target=_parse_into, args=(path, queue), daemon=True)
    worker.start()
    try:
        yield _received(queue, worker, path)
    finally:
        worker.terminate()  # a no-op when it has finished; stops it if writing failed
        worker.join()


def _parse_into(path, queue):
    try:
        with _open_binary(path) as stream:
            for batch in _batches(read_items(stream, str(path))):
                queue.put(batch)
    except Exception as error:  # sent to the writing process, which reports it
        queue.put(error)
    else:
        queue.put(None)


def _received(queue, worker, path):
    while True:
        try:
            batch = queue.get(timeout=1)
        except Empty:
            if worker.is_alive():
                continue
            raise ImportFileError(
                f"{path}: the parsing process stopped unexpectedly (exit code "
                f"{worker.exitcode}; out of memory?). Nothing from this file was stored."
            ) from None
        if batch is None:
            return
        if isinstance(batch, Exception):
            raise batch
        yield batch


def _open_binary(path):
    with open(path, "rb") as probe:
        compressed = probe.read(2) == GZIP_MAGIC
    return gzip.open(path, "rb") if compressed else open(path, "rb")


def _batches(items):
    iterator = iter(items)
    while batch := list(islice(iterator, BATCH_SIZE)):
        yield batch
