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
    -- A stored citation the fetch found again, whose flag was first seen since
    -- (flagged_at: a newer copy of a paper flagged long ago is no news). Each
    -- flag's index does the work ("= 1"; "+pmid" keeps SQLite from starting
    -- with the much longer list of search hits).
    SELECT pmid FROM citations
    WHERE (is_retracted = 1 OR has_expression_of_concern = 1 OR is_deleted = 1)
      AND flagged_at >= (SELECT started FROM latest)
      AND +pmid IN (SELECT pmid FROM search_hits WHERE last_seen >= (SELECT started FROM latest))
)
SELECT c.pmid, CASE WHEN c.added_at >= latest.started THEN 'new' ELSE 'now flagged' END AS change,
       c.title, c.authors, c.journal_iso AS journal, c.year, c.study_design, c.subjects,
       CASE WHEN c.is_retracted THEN 'RETRACTED' WHEN c.has_expression_of_concern THEN 'expression of concern' WHEN c.is_deleted THEN 'deleted from PubMed' END AS warning,
       (SELECT group_concat(h.search, ', ') FROM search_hits h
        WHERE h.pmid = c.pmid AND h.last_seen >= latest.started) AS found_by,
       c.added_at, c.updated_at
FROM brought JOIN citations c ON c.pmid = brought.pmid, latest
ORDER BY change = 'now flagged' DESC, c.design_rank, c.added_at DESC, c.pmid
