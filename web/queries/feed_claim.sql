WITH events AS (
    SELECT k.pmid, k.arrived AS happened, 'candidate' AS kind, NULL AS note
    FROM claim_candidates k WHERE k.claim_id = :claim_id
    UNION ALL
    SELECT e.pmid, e.reviewed_at, e.stance, 'Linked by ' || e.reviewer || ' as ' || e.stance
           || coalesce(': ' || e.note, '.')
    FROM claim_evidence e WHERE e.claim_id = :claim_id
), entries AS (
    SELECT * FROM events ORDER BY happened DESC, pmid DESC LIMIT 100
)
SELECT
       'https://pubmed.ncbi.nlm.nih.gov/' || c.pmid || '/' AS atom_id,
       '[' || e.kind || '] ' || CASE WHEN c.is_retracted THEN '[Retracted] ' WHEN c.has_expression_of_concern THEN '[Expression of concern] ' WHEN c.is_deleted THEN '[Deleted from PubMed] ' ELSE '' END || coalesce(c.title, 'PMID ' || e.pmid || ' (not yet fetched from PubMed)') AS atom_title,
       strftime('%Y-%m-%dT%H:%M:%SZ', e.happened) AS atom_updated,
       'https://pubmed.ncbi.nlm.nih.gov/' || c.pmid || '/' AS atom_link,
       html_paragraphs(e.note, c.authors, trim(coalesce(c.journal_iso, c.journal, '') || ' ' || coalesce(c.year, '')), c.abstract) AS atom_content_html,
       e.pmid AS pmid
FROM entries e LEFT JOIN citations c ON c.pmid = e.pmid
ORDER BY atom_updated DESC, pmid DESC
