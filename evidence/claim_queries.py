"""Claim → queries: a claim's PubMed search, and its full-text match of our own store."""

import re

# Words too common in this literature to say anything about a particular claim.
STOPWORDS = set(
    """about after also among and are because been before being between both but can cause causes
    could does doing each either even every from further have having here however into its itself
    just many more most much must other over same should some such than that the their them then
    there these they this those through thus under until very what when where which while who whom
    whose why will with within without would your you lupus patients people disease therapy
    treatment""".split()
)
_WORDS = re.compile(r"[A-Za-z][A-Za-z-]{3,}")


def claim_search(claim):
    """A claim's PubMed query as a saved search (``claim-<id>``), for the fetch."""
    return {
        "name": f"claim-{claim['id']}",
        "query": claim["query"],
        "description": f"Evidence for or against the claim: {claim['text']}",
        "line": claim.get("line"),
        "defined_in": claim.get("defined_in", "claims.yml"),
    }


def fts_query(text):
    """An FTS5 query for citations sharing the claim's telling words (best bm25 first).

    Each word is quoted, so nothing in the page's text can break the query syntax.
    """
    words = []
    for word in _WORDS.findall(text.lower()):
        word = word.strip("-")
        if word not in STOPWORDS and word not in words and len(word) > 3:
            words.append(word)
    return " OR ".join(f'"{w}"' for w in words) or None


def query_problems(query):
    """What is wrong with a claim's PubMed query, in words for staff (an empty list: nothing).

    The one place a query typed in the browser is checked before it is stored
    (web/plugins/site.py); a fuller offline check of PubMed's syntax belongs
    here too. For now: its brackets and double quotes pair up (PubMed would
    otherwise read it differently from what was meant).
    """
    problems = []
    depth = 0
    for character in query.replace('"', ""):  # brackets inside quotes are still brackets to PubMed
        depth += {"(": 1, ")": -1}.get(character, 0)
        if depth < 0:
            break
    if depth:
        problems.append("Its brackets do not pair up: every ( needs a ) after it.")
    if query.count('"') % 2:
        problems.append('Its double quotes do not pair up: close every "phrase".')
    return problems
