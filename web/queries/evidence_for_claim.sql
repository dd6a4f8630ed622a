SELECT d.pmid, d.stance, d.title, d.authors, d.journal, d.year, d.study_design, d.subjects,
       CASE WHEN d.is_missing THEN 'not yet fetched from PubMed' WHEN d.is_retracted
            THEN 'RETRACTED' WHEN d.has_expression_of_concern THEN 'expression of concern'
            WHEN d.is_deleted THEN 'deleted from PubMed' END AS warning,
       d.note, d.reviewer, d.reviewed_at
FROM claim_evidence_detail d
WHERE d.claim_id = :claim_id
ORDER BY d.is_missing, d.subjects = 'humans' DESC, coalesce(nullif(d.design_rank, 0), 99),
         d.year DESC, d.pmid
