-- Through curation_log like every staff write (db/curation.py): a field left
-- empty keeps what an earlier assessment said.
INSERT INTO curation_log (action, claim_id, pmid, note, study_design, subjects, reviewer, logged_at)
VALUES ('assess', trim(:claim_id), trim(:pmid), nullif(trim(:detail), ''),
        nullif(lower(trim(:study_design)), ''), nullif(lower(trim(:subjects)), ''),
        :_actor_id, replace(:_now_datetime_utc, 'Z', '+00:00'))
