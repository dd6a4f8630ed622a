-- Through curation_log like every staff write (db/curation.py).
INSERT INTO curation_log (action, claim_id, pmid, stance, note, reviewer, logged_at)
VALUES ('change', trim(:claim_id), trim(:pmid), lower(trim(:stance)), nullif(trim(:note), ''),
        :_actor_id, replace(:_now_datetime_utc, 'Z', '+00:00'))
