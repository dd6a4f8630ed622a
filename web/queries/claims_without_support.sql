SELECT s.claim_id, s.page, s.section, s.text AS claim, s.status,
       s.contradicts, s.mixed, s.context, s.new_candidates AS new_since_review,
       s.claim_id AS candidate_list
FROM claim_status s
JOIN claims cl ON cl.id = s.claim_id
WHERE s.supports = 0
ORDER BY cl.position
