"""How a run of a saved search ended: ``fetch_runs.status``.

``complete``: the run stored everything PubMed's search found, so the next
run may ask only for what is new since (db/runs.py ``last_success``).
``needs_person``: ``litref status`` and the fetch history list the search
until a later run is ``ok`` (db/status.py, web/queries/fetch_history.sql).
"""

RUN_STATUSES = [
    {"code": "running", "complete": False, "needs_person": False,
     "meaning": "under way (a run killed mid-way is closed as interrupted by the next fetch)"},
    {"code": "ok", "complete": True, "needs_person": False,
     "meaning": "everything PubMed found was stored"},
    {"code": "warning", "complete": True, "needs_person": True,
     "meaning": "everything PubMed found was stored, but PubMed ignored or could not find a "
                "term of the query (error names it): correct the query"},
    {"code": "failed", "complete": False, "needs_person": True,
     "meaning": "PubMed rejected the query, could not find a term of it, found nothing, or "
                "stayed unreachable (error says which)"},
    {"code": "incomplete", "complete": False, "needs_person": True,
     "meaning": "PubMed withheld records it counted (missing_pmids)"},
    {"code": "interrupted", "complete": False, "needs_person": True,
     "meaning": "the fetch was killed or the machine went down"},
]
CODES = tuple(status["code"] for status in RUN_STATUSES)
COMPLETE = tuple(status["code"] for status in RUN_STATUSES if status["complete"])
NEEDS_PERSON = tuple(status["code"] for status in RUN_STATUSES if status["needs_person"])
