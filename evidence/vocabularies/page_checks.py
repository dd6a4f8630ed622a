"""What one reading of a website page found (``page_checks.outcome``)."""

OUTCOMES = [
    {"code": "failed", "label": "Could not be read",
     "meaning": "the page could not be fetched or read; its claims keep their last state"},
    {"code": "first", "label": "First copy kept",
     "meaning": "the first reading of the page: its text was kept"},
    {"code": "changed", "label": "Changed",
     "meaning": "the page's text differs from the last copy: the new text was kept beside the old"},
    {"code": "unchanged", "label": "Unchanged",
     "meaning": "the page's text is the same as the last copy (nothing new kept)"},
]
CODES = tuple(outcome["code"] for outcome in OUTCOMES)
BY_CODE = {outcome["code"]: outcome for outcome in OUTCOMES}
FAILED, FIRST, CHANGED, UNCHANGED = CODES  # in the order of OUTCOMES
