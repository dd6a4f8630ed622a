"""Grading a citation: its study design and subjects, from publication types and MeSH.

A pure classification of one record. ``INDEXING_RULES`` is also written to the
``evidence_levels`` table so staff can read in Datasette exactly which
publication types and MeSH headings put a citation at which level.

Only MeSH headings that name a design count: topic headings such as
"Prevalence" are also given to reviews, and would over-grade them.

A record often carries several publication types ("Randomized Controlled
Trial" and "Multicenter Study" and "Review"...); it gets the strongest design
any of them names. Notices (retractions, errata, expressions of concern) are
not evidence at all, whatever else they are tagged with.
"""

from litref.evidence.vocabularies.designs import DESIGNS, RANK
from litref.evidence.vocabularies.subjects import SUBJECTS

# design code → (publication types, MeSH study-design headings) that give it.
INDEXING_RULES = {
    "notice": (("Retraction of Publication", "Published Erratum", "Expression of Concern"), ()),
    "meta-analysis": (("Meta-Analysis", "Systematic Review", "Network Meta-Analysis"),
                      ("Meta-Analysis as Topic", "Systematic Reviews as Topic")),
    "rct": (("Randomized Controlled Trial", "Equivalence Trial"), ("Random Allocation",)),
    "clinical-trial": (("Clinical Trial", "Clinical Trial, Phase I", "Clinical Trial, Phase II",
                        "Clinical Trial, Phase III", "Clinical Trial, Phase IV",
                        "Controlled Clinical Trial", "Pragmatic Clinical Trial",
                        "Adaptive Clinical Trial", "Clinical Study"), ()),
    "observational": (("Observational Study", "Comparative Study", "Multicenter Study",
                       "Twin Study", "Validation Study", "Evaluation Study"),
                      ("Cohort Studies", "Prospective Studies", "Retrospective Studies",
                       "Longitudinal Studies", "Follow-Up Studies", "Case-Control Studies",
                       "Cross-Sectional Studies", "Registries")),
    "guideline": (("Practice Guideline", "Guideline", "Consensus Development Conference",
                   "Consensus Development Conference, NIH"), ()),
    "case-report": (("Case Reports",), ()),
    "review": (("Review", "Scientific Integrity Review"), ()),
    "opinion": (("Editorial", "Comment", "Letter", "News", "Newspaper Article", "Interview"), ()),
    "other": ((), ()),
}
IN_VITRO_HEADINGS = {"In Vitro Techniques", "Cells, Cultured", "Cell Line", "Cell Line, Tumor"}
_DESIGN_BY_TYPE = {pt: code for code, (types, _) in INDEXING_RULES.items() for pt in types}
_DESIGN_BY_MESH = {heading: code for code, (_, mesh) in INDEXING_RULES.items() for heading in mesh}


def classify(publication_types, mesh_descriptors):
    """{"study_design", "design_rank", "subjects"} from type names and MeSH descriptor names."""
    types, headings = set(publication_types), set(mesh_descriptors)
    design = _design(types, headings)
    return {"study_design": design, "design_rank": RANK[design], "subjects": _subjects(headings)}


def _design(types, headings):
    candidates = {_DESIGN_BY_TYPE[t] for t in types if t in _DESIGN_BY_TYPE}
    if "notice" in candidates:
        return "notice"
    candidates |= {_DESIGN_BY_MESH[h] for h in headings if h in _DESIGN_BY_MESH}
    return min(candidates, key=RANK.get, default="other")


def _subjects(headings):
    if "Humans" in headings:
        return "humans"
    if "Animals" in headings:
        return "animals"
    if headings & IN_VITRO_HEADINGS:
        return "in-vitro"
    return "unknown"


def level_rows():
    """The rows of the ``evidence_levels`` table."""
    designs = [
        {
            "kind": "design", "code": design["code"], "rank": design["rank"],
            "label": design["label"],
            "publication_types": "; ".join(INDEXING_RULES[design["code"]][0]) or None,
            "mesh_headings": "; ".join(INDEXING_RULES[design["code"]][1]) or None,
        }
        for design in DESIGNS
    ]
    subjects = [
        {"kind": "subjects", "code": subject["code"], "rank": None, "label": subject["label"],
         "publication_types": None, "mesh_headings": None}
        for subject in SUBJECTS
    ]
    return designs + subjects
