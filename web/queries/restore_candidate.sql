-- Through curation_log like every staff write (db/curation.py).
INSERT INTO curation_log (action, claim_id, pmid, reviewer, logged_at)
VALUES ('restore', trim(:claim_id), trim(:pmid), :_actor_id, replace(:_now_datetime_utc, 'Z', '+00:00'))
