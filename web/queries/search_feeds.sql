SELECT s.name AS search, s.description, s.query, count(h.pmid) AS citations,
       max(h.first_seen) AS newest_citation, s.name AS search_feed
FROM searches s
LEFT JOIN search_hits h ON h.search = s.name
GROUP BY s.name
ORDER BY s.name LIKE 'claim-%', s.name
