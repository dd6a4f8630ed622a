"""Whether a claim's quote is still on its website page (``claim_page_status.page_state``).

``litref pages`` decides it every night from the page's newest text
(db/pages.py, with the matching rules of evidence/page_text.py); the claim's
evidence status (statuses.py) is a separate matter.
"""

PAGE_STATES = [
    {"code": "vanished", "label": "Gone from the page", "needs_attention": True,
     "explanation": "The quote is no longer on its page and nothing much like it is: the text "
                    "was removed. Archive the claim, or correct it in claims.yml."},
    {"code": "changed", "label": "Changed on the page", "needs_attention": True,
     "explanation": "The quote is no longer on its page word for word, but a passage much like "
                    "it is: the page was edited. Compare the two and update the claim."},
    {"code": "not-checked", "label": "Not checked yet", "needs_attention": False,
     "explanation": "litref has not read this claim's page yet: `litref pages` reads every "
                    "page each night."},
    {"code": "on-page", "label": "On the page", "needs_attention": False,
     "explanation": "The quote is on its page word for word, as litref last read it."},
]
CODES = tuple(state["code"] for state in PAGE_STATES)
BY_CODE = {state["code"]: state for state in PAGE_STATES}
# A claim in one of these states has drifted away from its page: `litref status` says so.
DRIFTED = tuple(state["code"] for state in PAGE_STATES if state["needs_attention"])
VANISHED, CHANGED, NOT_CHECKED, ON_PAGE = CODES  # in the order of PAGE_STATES
# What a reading of the page can find (stored in claim_page_checks); "not-checked"
# is the absence of any reading.
FOUND = tuple(code for code in CODES if code != NOT_CHECKED)
