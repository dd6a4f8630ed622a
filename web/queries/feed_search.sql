WITH entries AS (
    SELECT h.pmid, h.first_seen AS happened FROM search_hits h WHERE h.search = :search
    ORDER BY h.first_seen DESC, h.pmid DESC LIMIT 100
)
SELECT
       'https://pubmed.ncbi.nlm.nih.gov/' || c.pmid || '/' AS atom_id,
       CASE WHEN c.is_retracted THEN '[Retracted] ' WHEN c.has_expression_of_concern THEN '[Expression of concern] ' WHEN c.is_deleted THEN '[Deleted from PubMed] ' ELSE '' END || c.title AS atom_title,
       strftime('%Y-%m-%dT%H:%M:%SZ', e.happened) AS atom_updated,
       'https://pubmed.ncbi.nlm.nih.gov/' || c.pmid || '/' AS atom_link,
       html_paragraphs(c.authors, trim(coalesce(c.journal_iso, c.journal, '') || ' ' || coalesce(c.year, '')), c.abstract) AS atom_content_html,
       e.pmid AS pmid
FROM entries e JOIN citations c ON c.pmid = e.pmid
ORDER BY atom_updated DESC, pmid DESC
