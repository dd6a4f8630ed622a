"""What makes a citation unsafe to rely on: the flag columns of ``citations``.

Each flag turns a claim that cites the paper into ``cites-flagged-paper``
(evidence/vocabularies/statuses.py) and is named on every page and export.
"""

FLAGS = [
    {"column": "is_retracted", "label": "Retracted", "words": "retracted",
     "warning": "Retracted: this article must not be used as evidence."},
    {"column": "has_expression_of_concern", "label": "Expression of concern",
     "words": "expression of concern",
     "warning": "Expression of concern: the journal has published doubts about this article."},
    {"column": "is_deleted", "label": "Deleted from PubMed", "words": "deleted from PubMed",
     "warning": "Deleted from PubMed: the record was withdrawn."},
]
COLUMNS = tuple(flag["column"] for flag in FLAGS)
