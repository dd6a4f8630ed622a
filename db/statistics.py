"""What SQLite's query planner knows of the citations table (``sqlite_stat1``).

Without statistics SQLite counts and facets the citations a search matches by
reading each one's row, and a row holds the abstract twice (text and HTML): a
4 KB page per citation, 41,000 pages for "stem cells" at 1,000,000 citations.
Told the size of the covering index of m012_search_lookups (one entry per
citation), it reads that index instead: Datasette's table search with facets
no longer reads the rows.

Only that index is described: statistics of the others (drawn from a sample,
the only kind cheap enough at this size) would mislead the planner about
columns such as is_deleted, where a sample sees a few values. A sample of the
one index takes milliseconds, so it is taken after each import and fetch, when
the table has grown.
"""

from litref.db.query_sql import CITATION_FACETS_INDEX
from litref.db.writing import write_transaction

SAMPLED_ROWS = 1000  # enough to tell that each entry is one citation


def refresh_planner_statistics(db):
    db.execute(f"PRAGMA analysis_limit = {SAMPLED_ROWS}")
    with write_transaction(db):
        db.execute(f"ANALYZE {CITATION_FACETS_INDEX}")
