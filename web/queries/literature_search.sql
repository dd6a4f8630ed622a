-- Rank first (bm25 over the index alone), then highlight only the best 200, each
-- reached by its rowid: snippet() on every match, or bm25 again per row, is slow.
WITH best AS (
    SELECT rowid AS pmid, bm25(citations_fts, 5.0, 1.0) AS score FROM citations_fts
    WHERE citations_fts MATCH fts_words(:q) ORDER BY score, rowid LIMIT 200
)
SELECT c.pmid,
       highlight(citations_fts, 0, char(57344), char(57345)) AS title,
       snippet(citations_fts, 1, char(57344), char(57345), '…', 40) AS abstract_excerpt,
       c.authors, c.journal_iso AS journal, c.year, c.study_design, c.subjects,
       CASE WHEN c.is_retracted THEN 'RETRACTED' WHEN c.has_expression_of_concern THEN 'expression of concern' WHEN c.is_deleted THEN 'deleted from PubMed' END AS warning
FROM best
CROSS JOIN citations_fts ON citations_fts.rowid = best.pmid
JOIN citations c ON c.pmid = best.pmid
WHERE citations_fts MATCH fts_words(:q)
ORDER BY best.score, best.pmid
