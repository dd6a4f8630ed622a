"""Evidence levels: study design and subjects, from publication types and MeSH.

A pure classification of one record. ``LEVELS`` is also written to the
``evidence_levels`` table so staff can read in Datasette exactly which
publication types and MeSH headings put a citation at which level.

Only MeSH headings that name a design count: topic headings such as
"Prevalence" are also given to reviews, and would over-grade them.

A record often carries several publication types ("Randomized Controlled
Trial" and "Multicenter Study" and "Review"...); it gets the strongest design
any of them names. Notices (retractions, errata, expressions of concern) are
not evidence at all, whatever else they are tagged with.
"""

# (design, rank, label, publication types, MeSH study-design headings). Rank 1 is strongest.
LEVELS = [
    ("notice", 0, "Retraction notice, erratum or expression of concern",
     ("Retraction of Publication", "Published Erratum", "Expression of Concern"), ()),
    ("meta-analysis", 1, "Meta-analysis or systematic review",
     ("Meta-Analysis", "Systematic Review", "Network Meta-Analysis"),
     ("Meta-Analysis as Topic", "Systematic Reviews as Topic")),
    ("rct", 2, "Randomised controlled trial",
     ("Randomized Controlled Trial", "Equivalence Trial"),
     ("Random Allocation",)),
    ("clinical-trial", 3, "Other clinical trial (non-randomised, single-arm, phase I-IV)",
     ("Clinical Trial", "Clinical Trial, Phase I", "Clinical Trial, Phase II",
      "Clinical Trial, Phase III", "Clinical Trial, Phase IV", "Controlled Clinical Trial",
      "Pragmatic Clinical Trial", "Adaptive Clinical Trial", "Clinical Study"),
     ()),
    ("observational", 4, "Observational study: cohort, case-control, cross-sectional, registry",
     ("Observational Study", "Comparative Study", "Multicenter Study", "Twin Study",
      "Validation Study", "Evaluation Study"),
     ("Cohort Studies", "Prospective Studies", "Retrospective Studies", "Longitudinal Studies",
      "Follow-Up Studies", "Case-Control Studies", "Cross-Sectional Studies", "Registries")),
    ("guideline", 5, "Guideline or consensus statement",
     ("Practice Guideline", "Guideline", "Consensus Development Conference",
      "Consensus Development Conference, NIH"), ()),
    ("case-report", 6, "Case series or case report", ("Case Reports",), ()),
    ("review", 7, "Narrative review", ("Review", "Scientific Integrity Review"), ()),
    ("opinion", 8, "Editorial, comment or letter",
     ("Editorial", "Comment", "Letter", "News", "Newspaper Article", "Interview"), ()),
    ("other", 9, "Other (the record names no study design)", (), ()),
]

# Designs that can carry a claim about patients when their subjects are human.
STRONG_DESIGNS = {"meta-analysis", "rct", "clinical-trial", "observational", "guideline"}

SUBJECTS = [
    ("humans", "Humans: MeSH check tag 'Humans'"),
    ("animals", "Animals only: MeSH check tag 'Animals' without 'Humans'"),
    ("in-vitro", "In vitro or cells only: 'In Vitro Techniques' or 'Cells, Cultured' without "
                 "'Humans' or 'Animals'"),
    ("unknown", "Unknown: no check tags yet (not yet indexed for MEDLINE, or none apply)"),
]
IN_VITRO_HEADINGS = {"In Vitro Techniques", "Cells, Cultured", "Cell Line", "Cell Line, Tumor"}
_DESIGN_BY_TYPE = {pt: level[0] for level in LEVELS for pt in level[3]}
_DESIGN_BY_MESH = {heading: level[0] for level in LEVELS for heading in level[4]}
RANK = {level[0]: level[1] for level in LEVELS}


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
            "kind": "design", "code": code, "rank": rank, "label": label,
            "publication_types": "; ".join(types) or None, "mesh_headings": "; ".join(mesh) or None,
        }
        for code, rank, label, types, mesh in LEVELS
    ]
    subjects = [
        {"kind": "subjects", "code": code, "rank": None, "label": label,
         "publication_types": None, "mesh_headings": None}
        for code, label in SUBJECTS
    ]
    return designs + subjects
