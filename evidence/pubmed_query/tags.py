"""PubMed's field tags: every spelling PubMed accepts, and the tag each one means.

From three sources, none made up:

- PubMed's help, "Search Field Descriptions and Tags" (the tag in brackets
  after each field name, and the field names themselves);
- the spellings PubMed itself writes in "Search Details" and in the MeSH
  database's search builder ("[Mesh]", "[Majr]", "[Mesh:NoExp]",
  "[Date - Publication]"), and the NLM tutorial's "[mh:noexp]",
  "[majr:noexp]" and "[sh:noexp]";
- the field names E-utilities' EInfo lists for db=pubmed (PDAT, MDAT, PTYP,
  TITL, ...), because litref sends its queries through E-utilities.

"[ab]" is absent on purpose: it is in neither list (a check suggests [tiab]).
"""

import re

# (tag PubMed's help uses, kind of field, other spellings). The kind decides
# which checks apply: "mesh" headings, "subheading", "publication type",
# "date" (ranges and date formats), "text" (words), "other".
_FIELDS = [
    ("ad", "text", ("affiliation", "affl")),
    ("all", "text", ("all fields",)),
    ("aid", "other", ("article identifier",)),
    ("au", "other", ("author", "auth")),
    ("auid", "other", ("author identifier",)),
    ("book", "other", ()),
    ("dcom", "date", ("completion date", "date - completion", "cdat")),
    ("cois", "text", ("conflict of interest statement",)),
    ("cn", "other", ("corporate author", "coln")),
    ("crdt", "date", ("create date", "date - create")),
    ("rn", "other", ("ec/rn number", "ecno")),
    ("ed", "other", ("editor",)),
    ("edat", "date", ("entry date", "entrez date", "date - entry")),
    ("sb", "other", ("filter", "subset", "filt")),
    ("1au", "other", ("first author name", "first author", "faut")),
    ("fau", "other", ("full author name", "full")),
    ("fir", "other", ("full investigator name", "finv")),
    ("gr", "other", ("grants and funding", "grant number", "grnt")),
    ("ir", "other", ("investigator", "invr")),
    ("isbn", "other", ()),
    ("ip", "other", ("issue", "iss")),
    ("ta", "other", ("journal", "jour")),
    ("la", "other", ("language", "lang")),
    ("lastau", "other", ("last author name", "last author", "laut")),
    ("lid", "other", ("location id",)),
    ("mhda", "date", ("mesh date", "date - mesh")),
    ("majr", "mesh", ("mesh major topic",)),
    ("majr:noexp", "mesh", ("mesh major topic:noexp",)),
    ("sh", "subheading", ("mesh subheadings", "mesh subheading", "subheading", "subh")),
    ("sh:noexp", "subheading", ("subheading:noexp",)),
    ("mh", "mesh", ("mesh terms", "mesh")),
    ("mh:noexp", "mesh", ("mesh terms:noexp", "mesh:noexp")),
    ("lr", "date", ("modification date", "date - modification", "mdat")),
    ("jid", "other", ("nlm unique id",)),
    ("ot", "text", ("other term", "otrm")),
    ("pg", "other", ("pagination", "page")),
    ("ps", "other", ("personal name as subject", "pers")),
    ("pa", "other", ("pharmacological action", "papx")),
    ("pl", "other", ("place of publication", "cnty")),
    ("pmid", "other", ("uid",)),
    ("dp", "date", ("publication date", "date - publication", "pdat")),
    ("ppdt", "date", ("print publication date",)),
    ("epdt", "date", ("electronic publication date",)),
    ("pt", "publication type", ("publication type", "ptyp")),
    ("pubn", "other", ("publisher",)),
    ("si", "other", ("secondary source id",)),
    ("nm", "other", ("supplementary concept", "substance name", "subs")),
    ("tw", "text", ("text words", "text word", "word")),
    ("ti", "text", ("title", "titl")),
    ("tiab", "text", ("title/abstract",)),
    ("tt", "text", ("transliterated title",)),
    ("vi", "other", ("volume", "vol")),
]

# spelling (lower case) -> (tag PubMed's help uses, kind)
FIELD_TAGS = {
    spelling: (tag, kind) for tag, kind, aliases in _FIELDS for spelling in (tag, *aliases)
}

# Proximity search works only in these fields (PubMed help, "Proximity
# searching"): "breast cancer"[tiab:~2].
PROXIMITY_FIELDS = {"ti", "tiab", "ad"}
NO_EXPLOSION = ":noexp"


def normalize_tag(raw: str) -> str:
    """'[MeSH Terms : NoExp]' -> 'mesh terms:noexp'."""
    inner = raw.strip("[]").lower()
    inner = re.sub(r"\s*:\s*", ":", inner)
    return " ".join(inner.split())


def lookup_tag(raw: str):
    """(tag, kind, proximity distance or None) for a tag PubMed knows, else None."""
    name = normalize_tag(raw)
    if name in FIELD_TAGS:
        tag, kind = FIELD_TAGS[name]
        return tag, kind, None
    match = re.fullmatch(r"(.+):~(\d+)", name)
    if match and match.group(1) in FIELD_TAGS:
        tag, kind = FIELD_TAGS[match.group(1)]
        if tag in PROXIMITY_FIELDS:
            return tag, kind, int(match.group(2))
    return None
