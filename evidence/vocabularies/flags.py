"""What makes a citation unsafe to rely on: the flag columns of ``citations``.

Each flag turns a claim that cites the paper into ``cites-flagged-paper``
(evidence/vocabularies/statuses.py) and is named on every page and export.

``notice_reftype``: the CommentsCorrections link by which a notice (a retraction
notice, an expression of concern) names the article it is about. A notice
stored in the database flags its target whenever both are stored, whichever
arrived first (db/citations.py).
"""

FLAGS = [
    {"column": "is_retracted", "label": "Retracted", "words": "retracted",
     "warning": "Retracted: this article must not be used as evidence.",
     "notice_reftype": "RetractionOf"},
    {"column": "has_expression_of_concern", "label": "Expression of concern",
     "words": "expression of concern",
     "warning": "Expression of concern: the journal has published doubts about this article.",
     "notice_reftype": "ExpressionOfConcernFor"},
    {"column": "is_deleted", "label": "Deleted from PubMed", "words": "deleted from PubMed",
     "warning": "Deleted from PubMed: the record was withdrawn."},
]
COLUMNS = tuple(flag["column"] for flag in FLAGS)
# Notice link type → the flag it sets on the article the notice is about.
NOTICE_FLAGS = {flag["notice_reftype"]: flag["column"] for flag in FLAGS if "notice_reftype" in flag}
