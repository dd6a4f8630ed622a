-- The curation write path: this row is all the form writes; the triggers of
-- curation_log (db/curation.py) check it and apply it to claim_evidence.
INSERT INTO curation_log (action, claim_id, pmid, stance, note, reviewer, logged_at)
VALUES ('link', trim(:claim_id), trim(:pmid), lower(trim(:stance)), nullif(trim(:note), ''),
        :_actor_id, replace(:_now_datetime_utc, 'Z', '+00:00'))
