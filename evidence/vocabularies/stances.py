"""How a curated citation bears on a claim (``claim_evidence.stance``)."""

STANCES = [
    {"code": "supports", "label": "Supports",
     "meaning": "the study's findings back the claim as the page states it"},
    {"code": "contradicts", "label": "Contradicts",
     "meaning": "the findings go against the claim (for example, a negative trial)"},
    {"code": "mixed", "label": "Mixed",
     "meaning": "partly for, partly against, or the claim goes further than the study"},
    {"code": "context", "label": "Context",
     "meaning": "relevant background that neither supports nor contradicts"},
]
CODES = tuple(stance["code"] for stance in STANCES)
# The stances that decide a claim's status; context links alone leave it unreviewed.
DECISIVE = ("supports", "contradicts", "mixed")
