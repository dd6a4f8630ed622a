"""What every record dict gets, whatever format it came from.

Both transforms (PubMed XML and MEDLINE text) build the same record shape and
finish it here: flags derived from publication types and links, the author
line staff read, and a hash that tells a changed record from an unchanged
one. The grade (evidence/grading.py) is added apart, by ``with_grade``: an
import grades each record in whichever of its two processes has time.
"""

import hashlib
import marshal

from litref.evidence.grading import grade

# Bump when the rows written from an unchanged record change (a column derived as it is
# written, like citation_authors.name_key), so that re-importing rewrites them.
TRANSFORM_VERSION = b"4"
# Starts every hash of a record dict; hashes without it were taken by litref before
# 2026-12 from the record's XML, and cannot be compared with these (db/citations.py).
HASH_PREFIX = "rows:"
RETRACTED_PUBLICATION = ("D016441", "Retracted Publication")


def finish(record):
    """Add derived citation fields and the record's hash."""
    citation = record["citation"]
    reftypes = {link["reftype"] for link in record["links"]}
    retracted_type = any(
        pt["ui"] == RETRACTED_PUBLICATION[0] or pt["publication_type"] == RETRACTED_PUBLICATION[1]
        for pt in record["publication_types"]
    )
    citation["is_retracted"] = int(retracted_type or "RetractionIn" in reftypes)
    citation["has_expression_of_concern"] = int("ExpressionOfConcernIn" in reftypes)
    citation["has_erratum"] = int("ErratumIn" in reftypes)
    citation["authors"] = ", ".join(display_name(a) for a in record["authors"]) or None
    citation["record_hash"] = record_hash(record)
    return record


def record_hash(record):
    """A digest of everything litref stores from a record (before its grade), not of its
    source text: a change PubMed makes to a part litref does not keep is no change, and a
    change to litref's transform is one. marshal's format 2 writes equal plain data as
    equal bytes (no object references, which later formats add), and costs about a third
    of writing the element back out as XML."""
    return HASH_PREFIX + hashlib.sha1(TRANSFORM_VERSION + marshal.dumps(record, 2)).hexdigest()


def is_older_hash(stored_hash):
    """A hash an older litref took from the record's XML (or any but ``record_hash``'s kind)."""
    return not (stored_hash or "").startswith(HASH_PREFIX)


def with_grade(item):
    """A finished record with its grade added (once); a deletion as it is."""
    citation = item.get("citation")
    if citation is not None and "study_design" not in citation:
        citation.update(
            grade(
                [pt["publication_type"] for pt in item["publication_types"]],
                [m["descriptor"] for m in item["mesh"]],
                citation.get("title"), citation.get("abstract"),
            )
        )
    return item


def display_name(author):
    """"Sun L", or the group's name for a collective author."""
    if author["collective_name"]:
        return author["collective_name"]
    return " ".join(p for p in (author["last_name"], author["initials"]) if p)


def normalise_orcid(value):
    """``https://orcid.org/0000000218250097`` and friends → ``0000-0002-1825-0097``."""
    if not value:
        return None
    digits = "".join(c for c in value.upper() if c.isdigit() or c == "X")[-16:]
    if len(digits) != 16:
        return value.strip()
    return "-".join(digits[i : i + 4] for i in range(0, 16, 4))
