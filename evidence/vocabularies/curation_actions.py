"""What a reviewer can do (``curation_log.action``): every staff judgement is one of these.

The triggers of ``curation_log`` (db/curation.py) check and apply each action;
the claim page's history says each in these words.
"""

ACTIONS = [
    {"code": "link", "label": "linked", "meaning": "link a study to a claim with a stance"},
    {"code": "change", "label": "changed", "meaning": "change the stance or note of a link"},
    {"code": "remove", "label": "removed", "meaning": "remove a link (the log keeps what it was)"},
    {"code": "assess", "label": "assessed",
     "meaning": "record the design and subjects read in the paper; outranks automatic grading"},
    {"code": "dismiss", "label": "marked not relevant",
     "meaning": "take a candidate out of a claim's review queue"},
    {"code": "restore", "label": "restored",
     "meaning": "put a candidate marked not relevant back in the queue"},
    {"code": "searched", "label": "searched and found nothing",
     "meaning": "record that the claim's candidates were checked and none is relevant evidence"},
]
CODES = tuple(action["code"] for action in ACTIONS)
# The actions about one study for one claim (the others: the claim as a whole).
ABOUT_A_STUDY = ("link", "change", "remove", "assess", "dismiss", "restore")
