"""A claim's status (``claim_status.status``), worst first: the order staff work in.

The rule that gives each claim its status is the ``claim_status`` view
(db/views.py); a test checks that it yields exactly these codes.
"""

STATUSES = [
    {"code": "cites-flagged-paper", "label": "Cites a flagged paper",
     "when": "a curated citation is retracted, has an expression of concern, or was deleted "
             "from PubMed",
     "explanation": "Evidence linked to the claim was retracted, received an expression of "
                    "concern or was deleted from PubMed. Check these first."},
    {"code": "contradicted", "label": "Contradicted",
     "when": "the best human evidence all contradicts it; or, with no such evidence, "
             "everything curated contradicts it",
     "explanation": "The best evidence in people goes against what the page says."},
    {"code": "no-evidence-found", "label": "No evidence found",
     "when": "no curated citation supports, contradicts or is mixed, and a reviewer searched the "
             "candidates and found nothing relevant (it turns unreviewed again when new candidates "
             "arrive)",
     "explanation": "A reviewer looked and found no published evidence for what the page says."},
    {"code": "mixed", "label": "Mixed",
     "when": "the best evidence disagrees, or is itself mixed",
     "explanation": "The best evidence disagrees, or only partly backs the claim."},
    {"code": "unreviewed", "label": "Unreviewed",
     "when": "no curated citation supports, contradicts or is mixed (context links alone do "
             "not count)",
     "explanation": "Nobody has yet linked evidence that supports, contradicts or qualifies it."},
    {"code": "weakly-supported", "label": "Weakly supported",
     "when": "only supporting evidence, but none of it strong human evidence: only animal or "
             "in-vitro studies, reviews or case reports",
     "explanation": "Only weak evidence backs it: animal or cell studies, reviews or case reports."},
    {"code": "supported", "label": "Supported",
     "when": "the best human evidence (meta-analysis, trial, observational study or guideline "
             "in humans; of these, the strongest design present) all supports it",
     "explanation": "The best evidence in people backs the claim as the page states it."},
]
CODES = tuple(status["code"] for status in STATUSES)
BY_CODE = {status["code"]: status for status in STATUSES}

# A claim's new candidates are counted up to this many, then read "more than 100":
# counting them all checks each one's citation (a quarter of a second for the list of
# claims at 1,000,000 citations, where a first import brings thousands per claim), and
# past a hundred the number changes no reviewer's decision.
NEW_CANDIDATES_COUNTED = 100


def counted(number):
    """A count of new candidates as staff read it: "7", or "more than 100"."""
    return f"more than {NEW_CANDIDATES_COUNTED}" if number > NEW_CANDIDATES_COUNTED else f"{number:,}"
