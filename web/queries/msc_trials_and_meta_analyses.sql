SELECT c.pmid, g.study_design, g.subjects, c.title, c.authors, c.journal_iso AS journal, c.year,
       (SELECT group_concat(d.accession, ', ') FROM citation_databanks d WHERE d.pmid = c.pmid)
           AS trial_registrations,
       CASE WHEN c.is_retracted THEN 'RETRACTED' WHEN c.has_expression_of_concern THEN 'expression of concern' WHEN c.is_deleted THEN 'deleted from PubMed' END AS warning
FROM citations c
JOIN citation_grades g ON g.pmid = c.pmid  -- a reviewer's assessment outranks the automatic grade
WHERE g.study_design IN ('meta-analysis', 'rct', 'clinical-trial') AND NOT c.is_deleted
  AND (c.pmid IN (SELECT pmid FROM citation_mesh
                  WHERE descriptor IN ('Mesenchymal Stem Cells', 'Mesenchymal Stem Cell Transplantation'))
       OR c.pmid IN (SELECT rowid FROM citations_fts WHERE citations_fts MATCH
                     '"mesenchymal stem" OR "mesenchymal stromal" OR msc'))
ORDER BY g.design_rank, g.subjects = 'humans' DESC, c.year DESC, c.pmid
