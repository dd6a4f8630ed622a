-- Through curation_log like every staff write (db/curation.py): the claim's
-- candidates as they are now count as checked.
INSERT INTO curation_log (action, claim_id, note, reviewer, logged_at)
VALUES ('searched', trim(:claim_id), nullif(trim(:note), ''),
        :_actor_id, replace(:_now_datetime_utc, 'Z', '+00:00'))
