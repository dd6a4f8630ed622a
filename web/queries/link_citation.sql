-- The curation write path: this row is all the form writes; the triggers of
-- curation_log (db/curation.py) check it and apply it: the link, and the design
-- and subjects the reviewer read, when given.
INSERT INTO curation_log (action, claim_id, pmid, stance, note, study_design, subjects, reviewer, logged_at)
VALUES ('link', trim(:claim_id), trim(:pmid), lower(trim(:stance)), nullif(trim(:note), ''),
        nullif(lower(trim(:study_design)), ''), nullif(lower(trim(:subjects)), ''),
        :_actor_id, replace(:_now_datetime_utc, 'Z', '+00:00'))
