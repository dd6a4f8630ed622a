SELECT r.id, r.search, r.status,
       r.status IN ('failed', 'incomplete', 'interrupted') AND NOT EXISTS (
           SELECT 1 FROM fetch_runs later WHERE later.search = r.search
           AND later.started > r.started AND later.status = 'ok') AS unresolved,
       r.error, r.mode, r.since, r.started, r.finished, r.count_reported, r.ids_retrieved,
       r.new, r.updated, r.missing, r.missing_pmids
FROM fetch_runs r
ORDER BY unresolved DESC, r.started DESC, r.id DESC
