SELECT d.claim_id, cl.page, cl.text AS claim, d.pmid, d.title, d.stance,
       CASE WHEN d.is_retracted THEN 'RETRACTED' WHEN d.has_expression_of_concern
            THEN 'expression of concern' ELSE 'deleted from PubMed' END AS warning,
       (SELECT group_concat(l.target_pmid, ', ') FROM citation_links l
        WHERE l.pmid = d.pmid AND l.reftype IN ('RetractionIn', 'ExpressionOfConcernIn')) AS notice_pmids,
       d.reviewer, d.reviewed_at
FROM claim_evidence_detail d
JOIN claims cl ON cl.id = d.claim_id
WHERE d.is_flagged AND cl.archived_at IS NULL
ORDER BY d.is_retracted DESC, cl.position, d.pmid
