SELECT s.claim_id, s.page, s.section, s.text AS claim, s.status,
       s.strongest_human_evidence, s.supports, s.contradicts, s.mixed,
       (SELECT group_concat(e.pmid, ', ') FROM claim_evidence e
        WHERE e.claim_id = s.claim_id AND e.stance = 'contradicts') AS contradicted_by,
       s.claim_id AS evidence_list
FROM claim_status s
JOIN claims cl ON cl.id = s.claim_id
WHERE s.contradicts > 0
ORDER BY s.status = 'contradicted' DESC, s.status = 'mixed' DESC, cl.position
