"""Synthetic citation databases (200,000 to 1,000,000 records) for the serve benchmark.

The database is made by ``db.open_db`` (the real migrations, views and FTS
triggers) and loaded with the real claims.yml and searches.yml; only the
PubMed rows are synthetic and written in bulk. Every PMID is 99000000 or
above and every title starts with "Synthetic", so no row can pass for a real
citation. Text is drawn from the word frequencies of real abstracts
(vocabulary.py), with topic words (lupus, stem cells, ...) in a few percent of
the records, so full-text posting lists have realistic lengths.

Bulk loading drops the indexes and triggers of the loaded tables, inserts,
then recreates them from their saved SQL and rebuilds the FTS index: the
finished schema is checked against a fresh ``open_db`` database.
"""

import json
import sqlite3
import tempfile
import time
from contextlib import closing, contextmanager
from datetime import datetime, timedelta, timezone
from itertools import accumulate
from random import Random

import numpy as np

from litref.db.database import open_db
from litref.db.candidates import refresh_claims
from litref.db.claims import save_claims
from litref.db.migrations import CHILD_TABLES, CITATION_COLUMNS, DERIVED_CHILD_COLUMNS
from litref.db.runs import save_searches
from litref.evidence.claim_queries import claim_search
from litref.evidence.grading import grade
from litref.evidence.names import name_key
from import_bench import PROJECT, WORK
from litref import config
from vocabulary import word_counts

GENERATOR_VERSION = 1  # bump when the generated rows change: cached databases are rebuilt
SEED = 4
FIRST_PMID = 99_000_000
LAST_PMID = 99_999_999
CHUNK = 10_000  # records per transaction
NOW = datetime(2026, 11, 1, 3, 0, tzinfo=timezone.utc)  # fixed, so a cached database never ages
HISTORY_DAYS = 730  # the database has been fetched nightly for two years
FIRST_FETCH_SHARE = 0.6  # records stored by the first fetch; the rest arrived since
BULK_TABLES = ("citations", *CHILD_TABLES, "search_hits")


def cumulative(pairs):
    """(values, cumulative weights) of [(value, weight)], for ``pick``."""
    values, weights = zip(*pairs)
    return values, list(accumulate(weights))


# name: (share of records, words (most frequent first), title phrases, MeSH descriptors,
#        what a PubMed query naming the topic contains).
TOPICS = {
    "lupus": (0.04, "lupus SLE erythematosus systemic nephritis autoantibodies anti-dsDNA flare "
              "complement hydroxychloroquine glucocorticoid glucocorticoids prednisone women "
              "cyclophosphamide mycophenolate belimumab proteinuria renal SLEDAI prevalence "
              "autoimmune rash malar cutaneous", ["systemic lupus erythematosus", "lupus nephritis",
              "SLE", "cutaneous lupus"], ["Lupus Erythematosus, Systemic", "Lupus Nephritis",
              "Autoantibodies", "Glucocorticoids", "Cyclophosphamide", "Hydroxychloroquine"],
              ["lupus"]),
    "msc": (0.03, "mesenchymal stem stromal cells MSCs MSC umbilical cord marrow bone "
            "immunomodulatory differentiation paracrine exosomes Treg regulatory transplantation "
            "adipose", ["mesenchymal stem cells", "mesenchymal stromal cells",
            "umbilical cord mesenchymal stem cells"], ["Mesenchymal Stem Cells",
            "Mesenchymal Stem Cell Transplantation", "Cell Differentiation", "Immunomodulation",
            "T-Lymphocytes, Regulatory"], ["mesenchymal"]),
    "hsct": (0.02, "hematopoietic stem transplantation autologous haematopoietic allogeneic "
             "conditioning graft engraftment CD34 mobilization HSCT AHSCT G-CSF antithymocyte",
             ["autologous hematopoietic stem cell transplantation", "HSCT"],
             ["Hematopoietic Stem Cell Transplantation", "Transplantation, Autologous",
              "Transplantation Conditioning", "Antigens, CD34"], ["hematopoietic", "haematopoietic"]),
    "arthritis": (0.03, "arthritis osteoarthritis rheumatoid joint knee cartilage pain stiffness "
                  "synovial", ["knee osteoarthritis", "rheumatoid arthritis"],
                  ["Osteoarthritis, Knee", "Arthritis, Rheumatoid", "Cartilage, Articular"],
                  ["arthritis"]),
    "pain": (0.02, "pain chronic neck back fibromyalgia analgesic opioid musculoskeletal",
             ["chronic pain", "fibromyalgia", "neck pain"],
             ["Chronic Pain", "Fibromyalgia", "Neck Pain", "Analgesics"], ["pain", "fibromyalgia"]),
    "neuro": (0.01, "parkinson dopamine levodopa motor neurodegeneration", ["Parkinson's disease"],
              ["Parkinson Disease", "Levodopa"], ["parkinson"]),
}
TOPIC_NAMES = list(TOPICS)
SECOND_TOPIC_SHARE = 0.2  # of topical records, those about two topics (e.g. MSCs in lupus)
TOPIC_WORD_SHARE = 0.06  # of a topical record's words
# A record's words are drawn from its own pool of this many draws from the
# vocabulary: a word a record uses, it tends to repeat (as real text does), so
# words are in as many records as in real abstracts ("cells" ~20%, not ~50%),
# while each word's share of all text stays its share in the real abstracts.
POOL_DRAWS = 100
SEARCH_SHARE = (0.3, 1.0)  # a saved search finds this share of the records on its topics
CLAIM_QUERY_SHARE = (0.02, 0.15)  # a claim's query, narrower, this share

# (publication types, share): roughly PubMed's mix.
PUBLICATION_TYPES = cumulative([
    (("Journal Article",), 0.56), (("Journal Article", "Review"), 0.12),
    (("Journal Article", "Research Support, Non-U.S. Gov't"), 0.08),
    (("Journal Article", "Comparative Study"), 0.05), (("Case Reports", "Journal Article"), 0.05),
    (("Journal Article", "Research Support, N.I.H., Extramural"), 0.03),
    (("Journal Article", "Multicenter Study"), 0.02), (("Letter",), 0.02),
    (("Journal Article", "Randomized Controlled Trial"), 0.02),
    (("Journal Article", "Observational Study"), 0.015), (("Clinical Trial", "Journal Article"), 0.01),
    (("Journal Article", "Meta-Analysis", "Systematic Review"), 0.01), (("Editorial",), 0.01),
    (("Comment", "Letter"), 0.01), (("English Abstract", "Journal Article"), 0.01),
    (("Journal Article", "Systematic Review"), 0.008), (("Clinical Trial, Phase II", "Journal Article"), 0.005),
    (("Published Erratum",), 0.004), (("Practice Guideline", "Journal Article"), 0.002),
    (("Retraction of Publication",), 0.0005),
])
FLAG_SHARES = {"is_retracted": 0.001, "has_expression_of_concern": 0.0005, "has_erratum": 0.01,
               "is_deleted": 0.0002}
LINK_TYPES = {"is_retracted": "RetractionIn", "has_erratum": "ErratumIn",
              "has_expression_of_concern": "ExpressionOfConcernIn"}
LANGUAGES = cumulative([("eng", 0.92), ("chi", 0.02), ("ger", 0.015), ("fre", 0.01), ("jpn", 0.01),
                        ("spa", 0.008), ("rus", 0.007), ("eng, spa", 0.005), ("ita", 0.005)])
STATUSES = cumulative([("MEDLINE", 0.82), ("PubMed-not-MEDLINE", 0.08), ("In-Process", 0.05),
                       ("Publisher", 0.05)])
SUBJECT_TAGS = cumulative([(("Humans",), 0.78), (("Animals", "Mice"), 0.1), (("Animals", "Rats"), 0.05),
                           (("Animals", "Disease Models, Animal"), 0.02), (("Cells, Cultured",), 0.03),
                           ((), 0.02)])
HUMAN_TAGS = [("Female", 0.6), ("Male", 0.5), ("Adult", 0.4), ("Middle Aged", 0.35), ("Aged", 0.2),
              ("Young Adult", 0.15), ("Adolescent", 0.1), ("Child", 0.1)]
DESIGN_HEADINGS = ["Retrospective Studies", "Prospective Studies", "Cross-Sectional Studies",
                   "Cohort Studies", "Case-Control Studies", "Follow-Up Studies"]
GENERAL_MESH = """Treatment Outcome; Risk Factors; Prognosis; Apoptosis; Inflammation; Cytokines;
Biomarkers; Signal Transduction; Cell Proliferation; Quality of Life; Surveys and Questionnaires;
Time Factors; Gene Expression Regulation; Neoplasms; Breast Neoplasms; Diabetes Mellitus, Type 2;
Obesity; COVID-19; Hypertension; Kidney; Liver; Brain; Reproducibility of Results; Pregnancy;
Sensitivity and Specificity; Magnetic Resonance Imaging; Mutation; Phenotype; Genotype;
RNA, Messenger; MicroRNAs; Oxidative Stress; Immunohistochemistry; Flow Cytometry; Incidence;
Prevalence; Postoperative Complications; Survival Rate; Body Mass Index; Age Factors; Sex Factors;
Dose-Response Relationship, Drug; Molecular Docking Simulation; Cell Survival; Cell Movement;
Wound Healing; Stem Cells; Interleukin-6; Tumor Necrosis Factor-alpha; Immunosuppressive Agents;
Kidney Failure, Chronic; Cardiovascular Diseases; Infections; Exercise; Depression""".replace("\n", " ").split("; ")
QUALIFIERS = ["therapy", "drug therapy", "immunology", "pathology", "metabolism", "epidemiology",
              "diagnosis", "genetics", "complications", "adverse effects", "etiology", "blood",
              "cytology", "transplantation", "prevention & control"]
SECTIONS = [("BACKGROUND", 0.2), ("METHODS", 0.3), ("RESULTS", 0.35), ("CONCLUSIONS", 0.15)]
STANCES = cumulative([("supports", 0.45), ("context", 0.25), ("contradicts", 0.15), ("mixed", 0.15)])
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
SYLLABLES = "ka lo mi ren sa to vi der han mor lin zu pe ta bri co nel sor gan fu de ri mak el".split()
FIELDS = """Immunology Rheumatology Nephrology Cell Biology Stem Cell Research Transplantation Hematology
Internal Medicine Pain Medicine Neurology Orthopaedics Pharmacology Clinical Investigation
Molecular Medicine Regenerative Medicine Autoimmunity Epidemiology Dermatology Cardiology Oncology
Pediatrics Public Health Biochemistry Genetics Microbiology Surgery Radiology Endocrinology""".split()
JOURNAL_KINDS = ["Journal", "Reports", "Research", "Letters", "Reviews", "Advances", "Frontiers", "Open"]


def database_path(size):
    return WORK / f"serve-{size}.db"


def ensure_database(size):
    """The cached database of ``size`` citations, generated if missing or outdated.

    Returns {"path", "generated", "seconds", "bytes"}: seconds is the time the
    generation took (now or when it was cached).
    """
    path = database_path(size)
    stamp = path.with_suffix(".json")
    expected = {"version": GENERATOR_VERSION, "size": size}
    if path.exists() and stamp.exists():
        info = json.loads(stamp.read_text())
        if {k: info.get(k) for k in expected} == expected:
            return {**info, "path": path, "generated": False, "bytes": path.stat().st_size}
    seconds = generate(path, size)
    info = {**expected, "seconds": seconds}
    stamp.write_text(json.dumps(info))
    return {**info, "path": path, "generated": True, "bytes": path.stat().st_size}


def generate(path, size):
    """Write a fresh database of ``size`` synthetic citations; returns the seconds taken."""
    if not FIRST_PMID + size - 1 <= LAST_PMID:
        raise ValueError(f"at most {LAST_PMID - FIRST_PMID + 1} synthetic PMIDs fit")
    start = time.perf_counter()
    WORK.mkdir(parents=True, exist_ok=True)
    for stale in WORK.glob(path.name + "*"):
        stale.unlink()
    path.with_suffix(".json").unlink(missing_ok=True)
    database = open_db(path)
    claims, searches = load_configuration(database)
    maker = RecordMaker(size)
    with bulk_load(database.conn):
        for first in range(0, size, CHUNK):
            write_records(database.conn, maker.records(first, min(CHUNK, size - first)))
    with bulk_load(database.conn, tables=("search_hits",)):
        write_hits(database.conn, maker, searches)
    write_curation(database.conn, maker, claims)
    write_runs(database.conn, maker.random)
    refresh_claims(database, now=iso(NOW))  # as `litref claims` does after loading them
    database.close()
    check_schema(path)
    return time.perf_counter() - start


def load_configuration(database):
    """The real claims.yml and searches.yml (with each claim's search), as `litref fetch`
    loads them; returns (claims, searches)."""
    claims = config.read_claims(PROJECT / "claims.yml")
    save_claims(database, claims, now=iso(NOW - timedelta(days=HISTORY_DAYS)))
    searches = config.read_searches(PROJECT / "searches.yml") + [claim_search(c) for c in claims]
    save_searches(database, searches, now=iso(NOW - timedelta(days=HISTORY_DAYS)))
    return claims, searches


# --- bulk writing ------------------------------------------------------------


@contextmanager
def bulk_load(conn, tables=BULK_TABLES):
    """Indexes and triggers of ``tables`` dropped while rows go in, then made again.

    The FTS triggers are among them: the index is rebuilt from the citations
    in one pass, far faster than row by row. No journal while loading: a
    crash leaves a database that is regenerated (its stamp is written last).
    """
    names = ", ".join(f"'{t}'" for t in tables)
    saved = conn.execute(
        f"SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
        f"AND sql IS NOT NULL AND tbl_name IN ({names})"
    ).fetchall()
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-1000000")
    for kind, name, _ in saved:
        conn.execute(f'DROP {kind} "{name}"')
    yield
    with conn:
        for _, _, sql in saved:
            conn.execute(sql)
        if "citations" in tables:
            conn.execute("INSERT INTO citations_fts (citations_fts) VALUES ('rebuild')")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")


def insert_sql(table, columns):
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"


def write_records(conn, chunk):
    with conn:
        conn.executemany(insert_sql("citations", CITATION_COLUMNS), chunk["citations"])
        for table, columns in CHILD_TABLES.items():
            # The record's columns, then those litref derives as it writes (name_key).
            columns = [*columns, *DERIVED_CHILD_COLUMNS.get(table, {})]
            conn.executemany(insert_sql(table, columns), chunk[table])


def write_hits(conn, maker, searches):
    """search_hits of the saved searches and of each claim's search."""
    last_run = iso(NOW)
    with conn:
        for search in searches:
            shares = CLAIM_QUERY_SHARE if search["name"].startswith("claim-") else SEARCH_SHARE
            share = maker.random.uniform(*shares)
            rows = ((search["name"], pmid, maker.added_at(pmid), last_run)
                    for pmid in maker.found_by(search["query"], share))
            conn.executemany(insert_sql("search_hits", ("search", "pmid", "first_seen", "last_seen")), rows)


def write_curation(conn, maker, claims):
    """Staff links for 60% of the claims: 2-12 citations each from the claim's search."""
    random = maker.random
    rows = []
    for claim in claims:
        if random.random() > 0.6:
            continue
        found = [row[0] for row in conn.execute(
            "SELECT pmid FROM search_hits WHERE search = ?", [f"claim-{claim['id']}"]
        )]
        reviewed = iso(NOW - timedelta(days=random.randint(30, 300)))
        rows += [(claim["id"], pmid, pick(random, STANCES), "Synthetic benchmark link",
                  "staff@example.org", reviewed)
                 for pmid in random.sample(found, min(len(found), random.randint(2, 12)))]
    with conn:
        conn.executemany(
            "INSERT INTO claim_evidence (claim_id, pmid, stance, note, reviewer, reviewed_at) "
            "VALUES (?, ?, ?, ?, ?, ?)", rows,
        )


def write_runs(conn, random):
    """A nightly run of every search for the last 60 nights; a few failed."""
    names = [row[0] for row in conn.execute("SELECT name FROM searches")]
    rows = []
    for night in range(60):
        started = NOW - timedelta(days=night)
        for name in names:
            failed = random.random() < 0.03
            rows.append((name, iso(started), iso(started + timedelta(minutes=2)),
                         "failed" if failed else "ok",
                         "Synthetic failure: PubMed did not answer." if failed else None,
                         random.randint(0, 40)))
    with conn:
        conn.executemany(
            "INSERT INTO fetch_runs (search, started, finished, status, error, new, mode) "
            "VALUES (?, ?, ?, ?, ?, ?, 'incremental')", rows,
        )


def check_schema(path):
    """The generated schema must be exactly what open_db makes: the benchmark measures the real one."""
    with tempfile.TemporaryDirectory() as folder:
        open_db(f"{folder}/fresh.db").close()
        expected = schema(f"{folder}/fresh.db")
    if schema(path) != expected:
        raise RuntimeError(f"{path}: the generated schema differs from a fresh open_db database")


def schema(path):
    """Ours: SQLite's statistics tables (db/statistics.py) come and go with ANALYZE."""
    with closing(sqlite3.connect(path)) as conn:
        return sorted(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master "
                                   "WHERE name NOT LIKE 'sqlite_stat%'"))


# --- the records ----------------------------------------------------------------


def iso(moment):
    return moment.isoformat(timespec="seconds")


def pick(random, choices):
    values, cum_weights = choices
    return random.choices(values, cum_weights=cum_weights)[0]


def zipf_weights(n, exponent=1.0):
    return 1.0 / np.arange(1, n + 1) ** exponent


class Sampler:
    """Draws values with fixed weights, many at a time (numpy)."""

    def __init__(self, rng, values, weights):
        self.rng = rng
        self.values = np.array(values, dtype=object)
        self.cdf = np.cumsum(weights) / np.sum(weights)
        self.cdf[-1] = 1.0

    def draw(self, n):
        return self.values[np.searchsorted(self.cdf, self.rng.random(n), side="right")]


class RecordMaker:
    """Rows of synthetic citations (``records``) and which searches find them.

    numpy draws the many values (words, names); ``random`` the one-off choices,
    where it is several times faster than numpy's scalar calls.
    """

    def __init__(self, size):
        self.rng, self.random, self.size = np.random.default_rng(SEED), Random(SEED), size
        counts = word_counts()
        self.words = Sampler(self.rng, [w for w, _ in counts], [c for _, c in counts])
        self.chars_per_word = sum(c * (len(w) + 1) for w, c in counts) / sum(c for _, c in counts)
        self.topic_words = {
            name: Sampler(self.rng, t[1].split(), zipf_weights(len(t[1].split())))
            for name, t in TOPICS.items()
        }
        self.topics = self._topics(size)
        self.names = {key: Sampler(self.rng, pool, zipf_weights(len(pool), 0.8))
                      for key, pool in self._name_pools().items()}
        journals = [f"Synthetic {field} {kind}{f' {n}' if n else ''}"
                    for n in range(12) for kind in JOURNAL_KINDS for field in FIELDS]
        self.journals = Sampler(self.rng, journals, zipf_weights(len(journals), 1.1))
        years = np.arange(1975, 2027)
        self.years = Sampler(self.rng, years, 1.045 ** (years - 1975))

    def _topics(self, size):
        """(size, 2) int8: each record's topic and second topic (-1: none)."""
        shares = [t[0] for t in TOPICS.values()]
        first = self.rng.choice(len(TOPICS) + 1, size=size, p=[*shares, 1 - sum(shares)])
        first[first == len(TOPICS)] = -1
        second = self.rng.choice(len(TOPICS), size=size)
        second[(first < 0) | (second == first) | (self.rng.random(size) > SECOND_TOPIC_SHARE)] = -1
        return np.stack([first, second], axis=1).astype(np.int8)

    def _name_pools(self):
        def names(n, parts):
            return ["".join(self.random.choices(SYLLABLES, k=parts)).capitalize() for _ in range(n)]
        places = [f"Department of {field}, Synthetic University {i}, City {i % 97}, Country {i % 31}."
                  for i, field in enumerate(FIELDS * 70)]
        return {"last": names(3000, 3), "fore": names(800, 2), "place": places}

    # -- which records a search finds

    def found_by(self, query, share):
        """PMIDs of the records about every topic the query names (a ``share`` of them)."""
        query = query.lower()
        named = [i for i, t in enumerate(TOPICS.values()) if any(k in query for k in t[4])]
        wanted = named or [TOPIC_NAMES.index("msc")]  # "stem cell" queries without a named topic
        about = np.all([(self.topics == i).any(axis=1) for i in wanted], axis=0)
        about &= self.rng.random(self.size) < share
        return [int(FIRST_PMID + i) for i in np.flatnonzero(about)]

    def added_at(self, pmid):
        """The first fetch stored most records; the rest arrived night by night since."""
        place = (pmid - FIRST_PMID) / self.size
        later = max(0.0, (place - FIRST_FETCH_SHARE) / (1 - FIRST_FETCH_SHARE))
        return iso(NOW - timedelta(days=HISTORY_DAYS * (1 - later)))

    # -- records

    def records(self, first, count):
        """Rows of ``count`` records from index ``first``: {"citations": [...], child table: [...]}."""
        chunk = {"citations": [], **{table: [] for table in CHILD_TABLES}}
        years = self.years.draw(count)
        journals = self.journals.draw(count)
        for offset in range(count):
            index = first + offset
            topics = [TOPIC_NAMES[t] for t in self.topics[index] if t >= 0]
            citation = self._citation(chunk, FIRST_PMID + index, topics)
            citation.update(year=int(years[offset]), pub_date=f"{years[offset]} {MONTHS[index % 12]}",
                            journal=journals[offset], journal_iso=journals[offset].replace("Synthetic", "Synth"))
            chunk["citations"].append([citation.get(column) for column in CITATION_COLUMNS])
        return chunk

    def _citation(self, chunk, pmid, topics):
        """The citation's values; its child rows go into ``chunk``."""
        random = self.random
        types = pick(random, PUBLICATION_TYPES)
        flags = {flag: int(random.random() < share) for flag, share in FLAG_SHARES.items()}
        if flags["is_retracted"]:
            types = (*types, "Retracted Publication")
        status = pick(random, STATUSES)
        mesh = self._mesh(pmid, topics, types) if status == "MEDLINE" else []
        authors = self._authors(pmid)
        pool = self._pool(topics)
        abstract, abstract_html = self._abstract(pool) if random.random() < 0.9 else (None, None)
        title = self._title(pool, topics)
        chunk["citation_authors"] += authors
        chunk["citation_mesh"] += mesh
        chunk["citation_publication_types"] += [(pmid, t, None) for t in types]
        self._extras(chunk, pmid, flags)
        return {
            "pmid": pmid, "pmid_version": 1, "title": title, "title_html": title,
            "abstract": abstract, "abstract_html": abstract_html,
            "authors": ", ".join(f"{a[2]} {a[4]}" for a in authors), "authors_complete": 1,
            "language": pick(random, LANGUAGES), "status": status, "publication_status": "ppublish",
            "is_book": 0, "doi": f"10.5555/synthetic.{pmid}", "volume": str(pmid % 89 + 1),
            "issue": str(pmid % 12 + 1), "pages": f"{pmid % 900 + 1}-{pmid % 900 + 12}",
            "source": "synthetic-benchmark", "record_hash": f"synthetic-{GENERATOR_VERSION}-{pmid}",
            "added_at": self.added_at(pmid), "updated_at": self.added_at(pmid),
            **flags, **grade(types, [m[1] for m in mesh], title, abstract),
        }

    def _pool(self, topics):
        """The words a record draws from (see POOL_DRAWS), its topics' words mixed in."""
        pool = self.words.draw(POOL_DRAWS)
        if topics:
            mixed = np.flatnonzero(self.rng.random(POOL_DRAWS) < TOPIC_WORD_SHARE)
            for topic, where in zip(topics, np.array_split(mixed, len(topics))):
                pool[where] = self.topic_words[topic].draw(len(where))
        return pool

    def _sentences(self, pool, count):
        """``count`` words of the pool, cut into capitalised sentences."""
        words = pool[self.rng.integers(0, len(pool), count)]
        sentences, start = [], 0
        while start < count:
            end = start + self.random.randint(12, 30)
            text = " ".join(words[start:end])
            sentences.append(text[0].upper() + text[1:] + ".")
            start = end
        return " ".join(sentences)

    def _abstract(self, pool):
        """(plain, html) of ~1,500 characters: structured in 60% of records, else one paragraph."""
        words = int(max(400.0, self.random.gauss(1500, 350)) / self.chars_per_word)
        if self.random.random() < 0.4:
            text = self._sentences(pool, words)
            return text, f"<p>{text}</p>"
        parts = [(label, self._sentences(pool, max(8, int(words * share)))) for label, share in SECTIONS]
        return ("\n\n".join(f"{label}: {text}" for label, text in parts),
                "".join(f"<p><b>{label}:</b> {text}</p>" for label, text in parts))

    def _title(self, pool, topics):
        """"Synthetic ..." of 100-150 characters from the record's words, naming its topic."""
        target = self.random.randint(100, 150)
        words = list(pool[self.rng.integers(0, len(pool), 30)])
        if topics:
            words.insert(self.random.randint(0, 5), self.random.choice(TOPICS[topics[0]][2]))
        title = "Synthetic"
        for word in words:
            if len(title) + len(word) + 2 > target:
                break
            title += " " + word
        return title + "."

    def _authors(self, pmid):
        count = self.random.randint(3, 10)
        last, fore = self.names["last"].draw(count), self.names["fore"].draw(count)
        places = self.names["place"].draw(count)
        return [(pmid, i + 1, last[i], fore[i], fore[i][0], None, None, None,
                 places[i] if self.random.random() < 0.5 else None, name_key(last[i]))
                for i in range(count)]

    def _mesh(self, pmid, topics, types):
        """~10 MeSH rows: check tags, the topics' headings and general ones."""
        random = self.random
        tags = list(pick(random, SUBJECT_TAGS))
        if "Humans" in tags:
            tags += [tag for tag, share in HUMAN_TAGS if random.random() < share]
            if types == ("Journal Article",) and random.random() < 0.2:
                tags.append(random.choice(DESIGN_HEADINGS))
        headings = [h for t in topics for h in TOPICS[t][3][: random.randint(1, 3)]]
        headings += random.sample(GENERAL_MESH, max(0, random.randint(7, 13) - len(tags) - len(headings)))
        rows = [(pmid, tag, None, None, None, 0) for tag in tags]
        for heading in dict.fromkeys(headings):
            qualifier = random.choice(QUALIFIERS) if random.random() < 0.5 else None
            rows.append((pmid, heading, None, qualifier, None, int(random.random() < 0.3)))
        return rows

    def _extras(self, chunk, pmid, flags):
        """Keywords, grants, trial registrations and retraction/erratum links."""
        random = self.random
        if random.random() < 0.5:
            keywords = dict.fromkeys(w for w in self.words.draw(6) if len(w) > 4)
            chunk["citation_keywords"] += [(pmid, w, 0) for w in keywords]
        if random.random() < 0.25:
            chunk["citation_grants"].append((pmid, f"SYN-{pmid}", None, "Synthetic Research Council", None))
        if random.random() < 0.02:
            chunk["citation_databanks"].append((pmid, "ClinicalTrials.gov", f"NCT9{pmid % 10**7:07d}"))
        for flag, reftype in LINK_TYPES.items():
            if flags[flag]:
                chunk["citation_links"].append((pmid, reftype, LAST_PMID - pmid % 1000, "Synthetic notice"))
