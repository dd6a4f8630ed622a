-- One `litref fetch` runs its searches one after another, so a fetch is a run of
-- fetch_runs with under an hour between one run's end and the next one's start.
WITH runs AS (
    SELECT started, lag(coalesce(finished, started)) OVER (ORDER BY started, id) AS previous_end
    FROM fetch_runs
), latest AS (
    SELECT max(started) AS started FROM runs
    WHERE previous_end IS NULL OR julianday(started) - julianday(previous_end) > 1.0 / 24
), brought AS (
    SELECT pmid FROM citations WHERE added_at >= (SELECT started FROM latest)
    UNION
    -- A fetch that finds a stored citation changed records it in search_hits.
    -- updated_at first, so its index does the work ("+pmid" keeps SQLite from
    -- starting with the much longer list of search hits).
    SELECT pmid FROM citations
    WHERE updated_at >= (SELECT started FROM latest)
      AND +pmid IN (SELECT pmid FROM search_hits WHERE last_seen >= (SELECT started FROM latest))
      AND (is_retracted OR has_expression_of_concern OR is_deleted)
)
SELECT c.pmid, CASE WHEN c.added_at >= latest.started THEN 'new' ELSE 'now flagged' END AS change,
       c.title, c.authors, c.journal_iso AS journal, c.year, c.study_design, c.subjects,
       CASE WHEN c.is_retracted THEN 'RETRACTED' WHEN c.has_expression_of_concern THEN 'expression of concern' WHEN c.is_deleted THEN 'deleted from PubMed' END AS warning,
       (SELECT group_concat(h.search, ', ') FROM search_hits h
        WHERE h.pmid = c.pmid AND h.last_seen >= latest.started) AS found_by,
       c.added_at, c.updated_at
FROM brought JOIN citations c ON c.pmid = brought.pmid, latest
ORDER BY change = 'now flagged' DESC, c.design_rank, c.added_at DESC, c.pmid
