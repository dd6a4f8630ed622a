-- Through curation_log like every staff write (db/curation.py): the log keeps
-- the stance and note this removes.
INSERT INTO curation_log (action, claim_id, pmid, stance, note, reviewer, logged_at)
VALUES ('remove', trim(:claim_id), trim(:pmid), NULL, NULL,
        :_actor_id, replace(:_now_datetime_utc, 'Z', '+00:00'))
