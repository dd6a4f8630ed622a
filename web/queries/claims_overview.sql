SELECT s.claim_id, s.page, s.section, s.text AS claim, s.status,
       s.strongest_human_evidence, s.supports, s.contradicts, s.mixed, s.context,
       s.flagged AS flagged_papers, s.missing AS not_yet_fetched,
       s.new_candidates AS new_since_review, s.last_reviewed,
       s.claim_id AS evidence_list, s.claim_id AS claim_feed
FROM claim_status s
JOIN claims cl ON cl.id = s.claim_id
ORDER BY cl.position
