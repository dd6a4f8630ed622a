"""Where a study's design or subjects came from (``design_source``, ``subjects_source``).

PubMed's indexing outranks the words of the title and abstract once it
arrives; a reviewer's assessment outranks both.
"""

GRADE_SOURCES = [
    {"code": "reviewer", "label": "a reviewer's assessment"},
    {"code": "publication-type", "label": "PubMed's publication type"},
    {"code": "mesh", "label": "PubMed's MeSH indexing"},
    {"code": "text", "label": "the title and abstract"},
]
CODES = tuple(source["code"] for source in GRADE_SOURCES)
BY_CODE = {source["code"]: source for source in GRADE_SOURCES}
