"""Which sentences on a page make a checkable statement: the rules, in words and patterns.

A sentence is a checkable statement when it says something the literature
could back or refute, that is when it has at least one signal
(evidence/vocabularies/statement_signals.py):

  percentage  "90% of people with lupus are women"
  number      "1.5 million Americans", "three months", "since 1986"
  comparison  "more", "less", "the most", "better than", "biggest"...
  promise     a benefit held out: "restore", "relief", "cure", "reduce",
              "stop the damage", "remission", "safe", "effective"...
  treatment   a named treatment: stem cells, MSCs, steroids, cyclophosphamide,
              transplantation, chemotherapy, immunosuppressive therapy...
  disease     a named disease: lupus, SLE, arthritis, fibromyalgia,
              Parkinson's disease, cancer, "<Name>'s disease"...

and it is not one of these, which make no statement:

  a question          "Why is lupus so hard to treat?"
  a call to action    "Call our office...", "Read on to learn...",
                      "Find out...", "Subscribe...", "Share on..."

Headings and navigation never reach these rules: evidence/page_text.py does
not count a short line that does not end like a sentence as a sentence.

The word lists are deliberately plain: they are read by staff who want to
know why a sentence was (or was not) listed. They were written for this
clinic's subjects; add a word here when a page names a treatment or a disease
they do not know (tests/test_statements.py shows what each rule catches).
"""

import re

from litref.evidence.vocabularies.statement_signals import CODES


def _words(*alternatives):
    """A case-insensitive pattern matching any of the alternatives as whole words."""
    return re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w-])", re.IGNORECASE)


SIGNAL_PATTERNS = {
    "percentage": re.compile(r"\d\s?%|\bper ?cent\b", re.IGNORECASE),
    "number": re.compile(
        r"\d|" + _words("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                        "dozens?", "hundreds?", "thousands?", "millions?", "billions?",
                        "twice", "half").pattern,
        re.IGNORECASE,
    ),
    "comparison": _words(
        "more", "less", "fewer", "most", "least", "better", "worse", "best", "worst",
        "than", "higher", "lower", "greater", "greatest", "biggest", "largest", "smallest",
        "faster", "safer", "stronger", "superior", "compared", "versus", "primarily",
        "majority", "minority",
    ),
    "promise": _words(
        r"cures?", "cured", r"heal(?:s|ing)?", r"restor(?:e|es|ed|ing)", r"revers(?:e|es|ed|ing)",
        r"repairs?", r"regenerat\w*", "relief", r"reliev(?:e|es|ed|ing)", r"reduc(?:e|es|ed|ing)",
        r"lessen(?:s|ed)?", r"improv(?:e|es|ed|ing|ement)", r"stops?", r"prevent(?:s|ed|ing)?",
        r"eliminat(?:e|es|ed|ing)", r"protects?", r"boosts?", "safe", "effective", "proven",
        r"guarantee[sd]?", "remission", r"benefits?", "promise", "revolutionary", "breakthrough",
    ),
    "treatment": _words(
        r"stem cells?", "mesenchymal", r"MSCs?", r"steroids?", "glucocorticoids?",
        "cyclophosphamide", "mycophenolate", "chemotherapy", r"immunosuppress\w*",
        r"immunomodulat\w*", r"transplant\w*", r"transfusions?", r"medications?", r"drugs?",
        r"drug-free", "radiation", "growth factor", "cord blood", "umbilical cord",
        "regenerative medicine", "anti-inflammatory", r"injections?",
    ),
    "disease": re.compile(
        "(?i:" + _words(r"lupus", "SLE", "erythematosus", r"arthritis", "fibromyalgia",
                        r"parkinson\w*", "chronic pain", "tech neck", r"autoimmun\w*", r"cancers?",
                        "malignancy", r"infections?", "nephritis", "diabetes", "multiple sclerosis",
                        "cardiovascular disease").pattern + ")"
        # a named disease the list lacks: "Crohn's disease", "Sjögren syndrome"
        + r"|\b[A-Z]\w+(?:'s|’s)? (?:disease|syndrome)\b"
    ),
}

# A sentence that asks the reader to do something makes no statement.
CALL_TO_ACTION = re.compile(
    r"^(?:call|schedule|book|contact|click|subscribe|share|visit|sign up|request|download|"
    r"follow|join|read on|read more|learn more|find out|don[’']t wait)\b"
    r"|\b(?:call (?:our|the) (?:office|clinic)|contact us|book (?:a|an|your) (?:consultation|"
    r"appointment)|schedule (?:a|an|your) (?:consultation|appointment)|read on to learn|"
    r"learn (?:what|how|more))\b",
    re.IGNORECASE,
)


def signals(sentence):
    """The signals (codes, in vocabulary order) that make ``sentence`` checkable; none for
    a question or a call to action."""
    text = sentence.strip()
    if text.endswith("?") or CALL_TO_ACTION.search(text):
        return []
    return [code for code in CODES if SIGNAL_PATTERNS[code].search(text)]
