"""Who or what a study was done on (``citations.subjects``)."""

SUBJECTS = [
    {"code": "humans", "label": "Humans: MeSH check tag 'Humans'"},
    {"code": "animals", "label": "Animals only: MeSH check tag 'Animals' without 'Humans'"},
    {"code": "in-vitro", "label": "In vitro or cells only: 'In Vitro Techniques' or "
                                  "'Cells, Cultured' without 'Humans' or 'Animals'"},
    {"code": "unknown", "label": "Unknown: no check tags yet (not yet indexed for MEDLINE, "
                                 "or none apply)"},
]
CODES = tuple(subject["code"] for subject in SUBJECTS)
