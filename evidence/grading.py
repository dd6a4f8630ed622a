"""Grading a citation: its study design and subjects, and where each came from.

A pure classification of one record. PubMed's indexing decides first:
``INDEXING_RULES`` (publication types and MeSH design headings; written to the
``evidence_levels`` table so staff can read exactly which put a citation at
which level). What indexing leaves open (design ``other``, subjects
``unknown``: indexing comes months after a paper enters PubMed, and never for
journals PubMed does not index for MEDLINE) is read from the words of the title
and abstract (evidence/text_grading.py, whose rules are in the
``text_grading_rules`` table). Each grade keeps its source
(evidence/vocabularies/grade_sources.py) and the words that decided it.

Only MeSH headings that name a design count: topic headings such as
"Prevalence" are also given to reviews, and would over-grade them.

A record often carries several publication types ("Randomized Controlled
Trial" and "Multicenter Study" and "Review"...); it gets the strongest design
any of them names. Notices (retractions, errata, expressions of concern) are
not evidence at all, whatever else they are tagged with.
"""

import re

from litref.evidence.text_grading import grade_text
from litref.evidence.vocabularies.designs import DESIGNS, RANK
from litref.evidence.vocabularies.subjects import SUBJECTS

# design code → (publication types, MeSH study-design headings) that give it.
INDEXING_RULES = {
    "notice": (("Retraction of Publication", "Published Erratum", "Expression of Concern"), ()),
    "meta-analysis": (("Meta-Analysis", "Systematic Review", "Network Meta-Analysis"),
                      ("Meta-Analysis as Topic", "Systematic Reviews as Topic")),
    # "Random Allocation" is also given to randomised animal experiments: see HUMANS_ONLY_HEADINGS.
    "rct": (("Randomized Controlled Trial", "Equivalence Trial"), ()),
    "clinical-trial": (("Clinical Trial", "Clinical Trial, Phase I", "Clinical Trial, Phase II",
                        "Clinical Trial, Phase III", "Clinical Trial, Phase IV",
                        "Controlled Clinical Trial", "Pragmatic Clinical Trial",
                        "Adaptive Clinical Trial", "Clinical Study"), ()),
    # Not "Comparative Study": any comparison of two things (simulators, mouse strains)
    # gets it; real comparative cohorts keep their grade through their design headings.
    "observational": (("Observational Study", "Multicenter Study",
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
IN_VITRO_HEADINGS = {"In Vitro Techniques", "Cells, Cultured", "Cell Line, Tumor", "Cell Line"}
# MeSH headings that name a design only in a study of people (check tag "Humans").
HUMANS_ONLY_HEADINGS = {"Random Allocation": "rct"}
# Publishers type education pages and FAQs as guidelines before NLM reviews them: a
# guideline type counts only when the title or abstract speaks of guidance.
GUIDELINE_TYPES = {"Practice Guideline", "Guideline"}
GUIDANCE_WORDS = re.compile(
    r"\b(?:guidelines?|guidance|recommendations?|recommend(?:s|ed)?|consensus|statements?|"
    r"position (?:paper|stand)|standards?|standardi[sz]ed|criteria|delphi)\b", re.IGNORECASE)
_DESIGN_BY_TYPE = {pt: code for code, (types, _) in INDEXING_RULES.items() for pt in types}
_DESIGN_BY_MESH = {heading: code for code, (_, mesh) in INDEXING_RULES.items() for heading in mesh}


def grade(publication_types, mesh_descriptors, title=None, abstract=None):
    """The citation's grade: study_design, design_rank, design_source, design_words,
    subjects, subjects_source, subjects_words (source and words None when nothing decided)."""
    types, headings = set(publication_types), set(mesh_descriptors)
    if types & GUIDELINE_TYPES and not GUIDANCE_WORDS.search(f"{title or ''} {abstract or ''}"):
        types -= GUIDELINE_TYPES
    design, design_source, design_words = _indexed_design(types, headings)
    subjects, subjects_words = _indexed_subjects(headings)
    subjects_source = "mesh" if subjects_words else None
    if design == "other" or subjects == "unknown":
        text = grade_text(title, abstract, design=design == "other")
        if design == "other" and text["study_design"] != "other":
            design, design_source, design_words = text["study_design"], "text", text["design_words"]
        if subjects == "unknown" and text["subjects"] != "unknown":
            subjects, subjects_source, subjects_words = text["subjects"], "text", text["subjects_words"]
    return {
        "study_design": design, "design_rank": RANK[design], "design_source": design_source,
        "design_words": design_words, "subjects": subjects, "subjects_source": subjects_source,
        "subjects_words": subjects_words,
    }


def _indexed_design(types, headings):
    """(design, source, the type or heading that decided it) from PubMed's indexing."""
    named = [(_DESIGN_BY_TYPE[t], "publication-type", t) for t in sorted(types) if t in _DESIGN_BY_TYPE]
    if any(design == "notice" for design, _, _ in named):
        return next(found for found in named if found[0] == "notice")
    named += [(_DESIGN_BY_MESH[h], "mesh", h) for h in sorted(headings) if h in _DESIGN_BY_MESH]
    if "Humans" in headings:
        named += [(HUMANS_ONLY_HEADINGS[h], "mesh", h) for h in sorted(headings) if h in HUMANS_ONLY_HEADINGS]
    if not named:
        return "other", None, None
    return min(named, key=lambda found: RANK[found[0]])


def _indexed_subjects(headings):
    """(subjects, the check tag that decided it) from MeSH."""
    if "Humans" in headings:
        return "humans", "Humans"
    if "Animals" in headings:
        return "animals", "Animals"
    in_vitro = sorted(headings & IN_VITRO_HEADINGS)
    if in_vitro:
        return "in-vitro", in_vitro[0]
    return "unknown", None


def _type_names(code):
    return [f"{t} (when the title or abstract speaks of guidance)" if t in GUIDELINE_TYPES else t
            for t in INDEXING_RULES[code][0]]


def _heading_names(code):
    return list(INDEXING_RULES[code][1]) + [
        f"{heading} (in studies of people: check tag Humans)"
        for heading, design in HUMANS_ONLY_HEADINGS.items() if design == code
    ]


def level_rows():
    """The rows of the ``evidence_levels`` table."""
    designs = [
        {
            "kind": "design", "code": design["code"], "rank": design["rank"],
            "label": design["label"],
            "publication_types": "; ".join(_type_names(design["code"])) or None,
            "mesh_headings": "; ".join(_heading_names(design["code"])) or None,
        }
        for design in DESIGNS
    ]
    subjects = [
        {"kind": "subjects", "code": subject["code"], "rank": None, "label": subject["label"],
         "publication_types": None, "mesh_headings": None}
        for subject in SUBJECTS
    ]
    return designs + subjects
