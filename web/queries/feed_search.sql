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
UNION ALL
-- A feed needs one entry at least: say why there is nothing yet.
SELECT 'urn:litref:feed_search:' || :search,
       CASE WHEN EXISTS (SELECT 1 FROM searches WHERE name = :search)
            THEN 'Nothing found yet by the saved search ' || :search
            WHEN coalesce(:search, '') = '' THEN 'No saved search chosen: add ?search=<name> to the address'
            ELSE 'There is no saved search named ' || :search END,
       strftime('%Y-%m-%dT%H:%M:%SZ', coalesce((SELECT updated_at FROM searches WHERE name = :search), '2000-01-01')),
       'https://pubmed.ncbi.nlm.nih.gov/',
       html_paragraphs('New citations will appear here after the next fetch that finds some. Saved search names are listed in the searches table.'),
       NULL
WHERE NOT EXISTS (SELECT 1 FROM entries)
ORDER BY atom_updated DESC, pmid DESC
