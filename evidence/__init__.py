"""The evidence domain: pure rules with no I/O and no imports of litref's other rooms.

Records to rows (``records``), inline markup (``markup``), grading a citation's
design and subjects (``grading``), a claim's queries (``claim_queries``), and
the vocabularies every other room spells from (``vocabularies/``).
"""
