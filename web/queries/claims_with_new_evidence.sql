SELECT s.claim_id, s.page, s.text AS claim, s.status, s.new_candidates,
       s.last_reviewed, s.claim_id AS candidate_list, s.claim_id AS claim_feed
FROM claim_status s
JOIN claims cl ON cl.id = s.claim_id
WHERE s.new_evidence_since_review
ORDER BY s.new_candidates DESC, cl.position
