SELECT r.id, r.search, r.status,
       r.status IN ('warning', 'failed', 'incomplete', 'interrupted') AND NOT EXISTS (
           SELECT 1 FROM fetch_runs later WHERE later.search = r.search
           AND later.started > r.started AND later.status = 'ok') AS unresolved,
       r.error,
       (SELECT group_concat(kind.key || ': ' || term.value, '; ')
        FROM json_each(r.pubmed_errors) kind, json_each(kind.value) term) AS pubmed_errors,
       (SELECT group_concat(kind.key || ': ' || term.value, '; ')
        FROM json_each(r.pubmed_warnings) kind, json_each(kind.value) term) AS pubmed_warnings,
       r.query_translation, r.mode, r.since, r.started, r.finished, r.count_reported,
       r.ids_retrieved, r.new, r.updated, r.missing, r.missing_pmids
FROM fetch_runs r
ORDER BY unresolved DESC, r.started DESC, r.id DESC
