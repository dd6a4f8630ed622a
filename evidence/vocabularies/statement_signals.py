"""What makes a sentence on a page a checkable statement (``page_statements.signals``).

The rules that find each signal are in evidence/statements.py.
"""

SIGNALS = [
    {"code": "percentage", "label": "a percentage"},
    {"code": "number", "label": "a number"},
    {"code": "comparison", "label": "a comparison"},
    {"code": "promise", "label": "a promise of benefit"},
    {"code": "treatment", "label": "a named treatment"},
    {"code": "disease", "label": "a named disease"},
]
CODES = tuple(signal["code"] for signal in SIGNALS)
BY_CODE = {signal["code"]: signal for signal in SIGNALS}
