"""PubMed XML and MEDLINE files (``litref import``) as batches of parsed records.

Parsing and writing take similar time, so a second process parses while the
caller writes (bench/ measures the gain). Grading each record from its title
and abstract runs in whichever process has time: the parsing process grades
a batch while the writer has batches waiting, and otherwise leaves it to the
writer (litref/pipeline.py). Every way a file can be unreadable
(damaged gzip, not PubMed XML, not MEDLINE, an unreadable path) becomes an
ImportFileError whose message names the file and what to do.
"""

import gzip
import io
import multiprocessing
import zlib
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from queue import Empty

from litref.evidence.records import with_grade
from litref.fetch import medline, pubmed_xml

# Records per batch sent to the writing process. Small batches parse faster: a
# thousand records held at once made the parsing process a sixth slower (bench/README.md).
BATCH_SIZE = 200
BATCHES_AHEAD = 20  # parsed batches waiting to be written: bounds the memory used
GRADE_WHEN_WAITING = 2  # batches waiting for the writer from which the parser grades its own
GZIP_MAGIC = b"\x1f\x8b"


class ImportFileError(ValueError):
    """A file that cannot be imported; the message says which and what to do."""


class WorkerDied(Exception):
    """The parsing process ended without a word (killed: out of memory?)."""


@contextmanager
def file_batches(path, *, kept):
    """Batches (lists of parsed items) of the file at ``path``, parsed by a worker process.
    Records may come without their grade: ``with_grade`` adds it (db/citations.py's
    ``save_records`` does at the latest).

    ``kept()`` ends each failure's message: what the caller keeps of this file
    when reading stops half way.
    """
    path = Path(path)
    try:
        with _parsed_elsewhere(path) as batches:
            yield batches
    except (gzip.BadGzipFile, EOFError, zlib.error) as error:
        raise ImportFileError(
            f"{path}: the gzip file is damaged ({error}). {kept()} Download it again."
        ) from error
    except (pubmed_xml.NotPubmedXML, medline.NotMedline) as error:
        raise ImportFileError(f"{error} {kept()}") from error
    except WorkerDied as error:
        raise ImportFileError(
            f"{path}: the parsing process stopped unexpectedly (exit code {error}; out of "
            f"memory?). {kept()}"
        ) from None
    except OSError as error:
        raise ImportFileError(f"{path}: cannot read the file ({error.strerror or error}).") from error


def read_items(stream, name):
    """Items from a binary stream of PubMed XML or MEDLINE text, by sniffing its start;
    records without their grade (the caller grades where there is time)."""
    start = stream.peek(4096)[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"<"):
        return pubmed_xml.parse(stream, name, graded=False)
    if b"PMID-" in start:
        text = io.TextIOWrapper(stream, encoding="utf-8", errors="replace")
        return medline.parse(text, name, graded=False)
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
                if _writer_behind(queue):  # grade here: the writer has work waiting
                    batch = [with_grade(item) for item in batch]
                queue.put(batch)
    except Exception as error:  # sent to the writing process, which reports it
        queue.put(error)
    else:
        queue.put(None)


def _writer_behind(queue):
    try:
        return queue.qsize() >= GRADE_WHEN_WAITING
    except NotImplementedError:  # macOS cannot count a queue: the writer grades
        return False


def _received(queue, worker, path):
    while True:
        try:
            batch = queue.get(timeout=1)
        except Empty:
            if worker.is_alive():
                continue
            raise WorkerDied(worker.exitcode)
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
