"""Study designs (``citations.study_design``), strongest first.

Rank 1 is the strongest evidence; ``notice`` (rank 0) is not evidence at all.
``short`` names a design where room is scarce (the evidence map's columns).
``strong`` marks the designs that can carry a claim about patients when their
subjects are human: the claim status rule (db/views.py) reads them from here.
"""

DESIGNS = [
    {"code": "notice", "short": "Notice", "rank": 0, "strong": False,
     "label": "Retraction notice, erratum or expression of concern"},
    {"code": "meta-analysis", "short": "Meta-analysis", "rank": 1, "strong": True,
     "label": "Meta-analysis or systematic review"},
    {"code": "rct", "short": "RCT", "rank": 2, "strong": True,
     "label": "Randomised controlled trial"},
    {"code": "clinical-trial", "short": "Other trial", "rank": 3, "strong": True,
     "label": "Other clinical trial (non-randomised, single-arm, phase I-IV)"},
    {"code": "observational", "short": "Observational", "rank": 4, "strong": True,
     "label": "Observational study: cohort, case-control, cross-sectional, registry"},
    {"code": "guideline", "short": "Guideline", "rank": 5, "strong": True,
     "label": "Guideline or consensus statement"},
    {"code": "case-report", "short": "Case report", "rank": 6, "strong": False,
     "label": "Case series or case report"},
    {"code": "review", "short": "Review", "rank": 7, "strong": False, "label": "Narrative review"},
    {"code": "opinion", "short": "Opinion", "rank": 8, "strong": False,
     "label": "Editorial, comment or letter"},
    {"code": "other", "short": "No design", "rank": 9, "strong": False,
     "label": "Other (the record names no study design)"},
]
CODES = tuple(design["code"] for design in DESIGNS)
RANK = {design["code"]: design["rank"] for design in DESIGNS}
STRONG = tuple(design["code"] for design in DESIGNS if design["strong"])
