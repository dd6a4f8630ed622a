"""Word frequencies of real PubMed titles and abstracts, for realistic synthetic text.

Synthetic abstracts drawn from these frequencies give the FTS index the
posting lists real text gives it: "the" in nearly every record, "cells" in
many, "nephritis" in few. Counted once from the real update file the import
benchmark uses (``import_bench.ensure_data``) and cached in bench/work/.
"""

import gzip
import json
import re
from collections import Counter

from lxml import etree

from import_bench import WORK, ensure_data

CACHE = WORK / "vocabulary.json"
MIN_COUNT = 3  # rarer words are mostly typos and one-off codes
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'-]*")


def word_counts():
    """[(word, count)], most frequent first: from the cache, else counted from the file."""
    if not CACHE.exists():
        counts = _count_words(ensure_data())
        WORK.mkdir(parents=True, exist_ok=True)
        CACHE.write_text(json.dumps(counts.most_common()))
    return [tuple(pair) for pair in json.loads(CACHE.read_text())]


def _count_words(path):
    counts = Counter()
    with gzip.open(path, "rb") as stream:
        for _, element in etree.iterparse(stream, tag=("ArticleTitle", "AbstractText")):
            counts.update(_tokens(etree.tostring(element, method="text", encoding="unicode")))
            element.clear()
    return Counter({word: n for word, n in counts.items() if n >= MIN_COUNT})


def _tokens(text):
    """Lower-cased words; acronyms ("SLE", "MSC") keep their capitals."""
    return [t if t.isupper() and len(t) > 1 else t.lower() for t in _TOKEN.findall(text)]
