"""Evidence levels: study design and subjects from publication types and MeSH."""

from collections import Counter
from pathlib import Path

import pytest

from litref.db.database import open_db
from litref.pipeline import import_file
from tests.helpers import rows
from litref.evidence.grading import INDEXING_RULES, grade, level_rows
from litref.evidence.vocabularies.designs import DESIGNS as DESIGN_VOCABULARY, RANK
from litref.evidence.vocabularies.subjects import SUBJECTS

FIXTURES = Path(__file__).parent / "fixtures"
NOW = "2026-01-01T00:00:00+00:00"

DESIGNS = [design["code"] for design in DESIGN_VOCABULARY]
SUBJECT_CODES = [subject["code"] for subject in SUBJECTS]

# (publication types, MeSH descriptors, expected design, expected subjects)
CASES = [
    # several types at once: the strongest design wins
    (["Randomized Controlled Trial", "Multicenter Study", "Review"], ["Humans"], "rct", "humans"),
    (["Meta-Analysis", "Systematic Review", "Review"], ["Humans"], "meta-analysis", "humans"),
    (["Network Meta-Analysis"], [], "meta-analysis", "unknown"),
    (["Review"], ["Meta-Analysis as Topic"], "meta-analysis", "unknown"),
    (["Equivalence Trial"], ["Humans"], "rct", "humans"),
    # a retracted article keeps its design (the retraction is flagged elsewhere)
    (["Retracted Publication", "Randomized Controlled Trial"], ["Humans"], "rct", "humans"),
    (["Journal Article", "Randomized Controlled Trial", "Retracted Publication"], [], "rct", "unknown"),
    (["Retracted Publication"], [], "other", "unknown"),
    # notices are not evidence, whatever else they are tagged with
    (["Retraction of Publication", "Review"], [], "notice", "unknown"),
    (["Retraction of Publication", "Meta-Analysis"], ["Cohort Studies"], "notice", "unknown"),
    (["Published Erratum"], [], "notice", "unknown"),
    (["Expression of Concern"], [], "notice", "unknown"),
    (["Expression of Concern", "Randomized Controlled Trial"], ["Humans"], "notice", "humans"),
    # the record names no design
    (["Journal Article"], [], "other", "unknown"),
    (["Journal Article", "Research Support, Non-U.S. Gov't"], ["Humans"], "other", "humans"),
    # a MeSH study-design heading gives the design
    (["Journal Article"], ["Cohort Studies"], "observational", "unknown"),
    (["Journal Article"], ["Humans", "Retrospective Studies"], "observational", "humans"),
    (["Journal Article"], ["Humans", "Random Allocation"], "rct", "humans"),
    (["Observational Study"], [], "observational", "unknown"),
    (["Journal Article", "Multicenter Study"], [], "observational", "unknown"),
    (["Case Reports", "Review"], ["Humans"], "case-report", "humans"),
    # a guideline type needs words of guidance in the title or abstract (none given here)
    (["Review", "Practice Guideline"], [], "review", "unknown"),
    (["Consensus Development Conference"], [], "guideline", "unknown"),
    (["Review"], [], "review", "unknown"),
    (["Letter", "Comment"], [], "opinion", "unknown"),
    (["Editorial"], [], "opinion", "unknown"),
    (["Clinical Trial, Phase II"], ["Humans"], "clinical-trial", "humans"),
    (["Clinical Trial", "Journal Article"], [], "clinical-trial", "unknown"),
    # subjects from the check tags
    (["Journal Article"], ["Humans", "Animals"], "other", "humans"),
    (["Journal Article"], ["Animals", "Mice"], "other", "animals"),
    (["Journal Article"], ["Cells, Cultured"], "other", "in-vitro"),
    (["Journal Article"], ["In Vitro Techniques", "Humans"], "other", "humans"),
    (["Journal Article"], ["In Vitro Techniques", "Animals"], "other", "animals"),
    (["Journal Article"], ["Cell Line, Tumor"], "other", "in-vitro"),
    (["Journal Article"], ["Lupus Erythematosus, Systemic"], "other", "unknown"),
    ([], [], "other", "unknown"),
]


def classify(types, mesh):
    """The grade PubMed's indexing alone gives (no title, no abstract)."""
    result = grade(types, mesh)
    return {key: result[key] for key in ("study_design", "design_rank", "subjects")}


@pytest.mark.parametrize(("types", "mesh", "design", "subjects"), CASES)
def test_indexing_grades(types, mesh, design, subjects):
    result = classify(types, mesh)
    assert result == {"study_design": design, "design_rank": RANK[design], "subjects": subjects}


def test_indexing_grade_takes_any_iterable_and_ignores_order():
    assert grade(iter(["Review", "Meta-Analysis"]), ()) == grade(("Meta-Analysis", "Review"), [])


def test_each_grade_names_its_source_and_what_decided_it():
    result = grade(["Review", "Randomized Controlled Trial"], ["Humans"])
    assert (result["design_source"], result["design_words"]) == ("publication-type", "Randomized Controlled Trial")
    assert (result["subjects_source"], result["subjects_words"]) == ("mesh", "Humans")
    assert grade([], [])["design_source"] is None


def test_a_design_from_indexing_keeps_subjects_from_the_text():
    """Only the subject rules run then (evidence/grading.py): the text's design, a case
    report here, must not replace the publication type's."""
    result = grade(["Review"], [], "Synthetic title", "We report a case of a 45-year-old woman.")
    assert (result["study_design"], result["design_source"]) == ("review", "publication-type")
    assert (result["subjects"], result["subjects_source"]) == ("humans", "text")
    assert grade([], [], "Synthetic title", "We report a case of a 45-year-old woman.")["study_design"] \
        == "case-report"


def test_cases_cover_every_design_and_every_subjects_value():
    assert {case[2] for case in CASES} == set(DESIGNS)
    assert {case[3] for case in CASES} == set(SUBJECT_CODES)


def test_ranks_strictly_increase_in_designs_order():
    ranks = [design["rank"] for design in DESIGN_VOCABULARY]
    assert all(a < b for a, b in zip(ranks, ranks[1:]))
    assert RANK == {design["code"]: design["rank"] for design in DESIGN_VOCABULARY}
    assert DESIGNS[0] == "notice" and DESIGNS[-1] == "other"


def test_every_publication_type_and_heading_is_in_exactly_one_level():
    types = Counter(t for level_types, _ in INDEXING_RULES.values() for t in level_types)
    headings = Counter(h for _, level_headings in INDEXING_RULES.values() for h in level_headings)
    assert [t for t, n in types.items() if n != 1] == []
    assert [h for h, n in headings.items() if n != 1] == []
    assert len(set(DESIGNS)) == len(DESIGNS)
    # each named type does classify to its own level
    assert list(INDEXING_RULES) == DESIGNS
    for design, (level_types, level_headings) in INDEXING_RULES.items():
        for name in level_types:
            assert grade([name], [], "Guideline recommendations")["study_design"] == design, name
        for name in level_headings:
            assert grade([], ["Humans", name])["study_design"] == design, name


def test_level_rows_one_per_design_and_subjects_value():
    rows = level_rows()
    keys = [(row["kind"], row["code"]) for row in rows]
    assert len(keys) == len(set(keys)) == len(DESIGNS) + len(SUBJECTS)
    assert [code for kind, code in keys if kind == "design"] == DESIGNS
    assert [code for kind, code in keys if kind == "subjects"] == SUBJECT_CODES
    assert set(SUBJECT_CODES) == {"humans", "animals", "in-vitro", "unknown"}
    by_code = {row["code"]: row for row in rows if row["kind"] == "design"}
    assert by_code["rct"]["rank"] == RANK["rct"]
    assert "Randomized Controlled Trial" in by_code["rct"]["publication_types"].split("; ")
    assert "Cohort Studies" in by_code["observational"]["mesh_headings"].split("; ")
    assert by_code["other"]["publication_types"] is None
    assert all(row["rank"] is None for row in rows if row["kind"] == "subjects")
    assert all(row["label"] for row in rows)


def test_new_database_holds_exactly_the_level_rows(tmp_path):
    open_db(tmp_path / "c.db").close()
    stored = rows(tmp_path / "c.db", "SELECT * FROM evidence_levels")
    key = lambda row: (row["kind"], row["code"])  # noqa: E731
    assert sorted(stored, key=key) == sorted(level_rows(), key=key)


def test_imported_citations_get_their_level(tmp_path):
    database = open_db(tmp_path / "c.db")
    import_file(database, FIXTURES / "edge-cases.xml", now=NOW)
    database.close()
    stored = {
        r["pmid"]: r
        for r in rows(tmp_path / "c.db", "SELECT pmid, study_design, design_rank, subjects FROM citations")
    }
    assert len(stored) == 19
    assert [p for p, r in stored.items() if None in r.values()] == []
    assert all(r["design_rank"] == RANK[r["study_design"]] for r in stored.values())
    assert all(r["subjects"] in SUBJECT_CODES for r in stored.values())
    # Journal Article + Randomized Controlled Trial + Retracted Publication
    assert stored[99000010]["study_design"] == "rct"
    assert stored[99000010]["subjects"] == "unknown"
    assert stored[99000011]["study_design"] == "notice"  # Retraction of Publication
    assert stored[99000013]["study_design"] == "notice"  # Published Erratum
    assert stored[99000015]["study_design"] == "notice"  # Expression of Concern
    assert stored[99000017]["subjects"] == "humans"  # MeSH Animals + Humans
    assert stored[99000017]["study_design"] == "other"
    assert stored[99000009]["study_design"] == "review"  # book: Review
    assert stored[99000012]["study_design"] == "observational"
    assert stored[99000016]["study_design"] == "clinical-trial"
    assert stored[99000002]["study_design"] == "other"


def test_topic_headings_do_not_grade_a_review_as_observational():
    assert classify(["Review"], ["Humans", "Prevalence", "Incidence"])["study_design"] == "review"


# The indexing rules mended where real records showed misgrades (bench/evidence_bench.py).


def design(types, mesh, title="", abstract=""):
    return grade(types, mesh, title, abstract)["study_design"]


def test_random_allocation_in_an_animal_experiment_is_no_trial():
    assert design(["Journal Article"], ["Animals", "Rats", "Random Allocation"]) == "other"


def test_random_allocation_with_people_still_names_a_trial():
    # An RCT indexed without the "Randomized Controlled Trial" type keeps its grade.
    assert design(["Journal Article"], ["Humans", "Random Allocation", "Animals"]) == "rct"


def test_rct_type_is_untouched():
    assert design(["Randomized Controlled Trial"], ["Animals", "Dogs"]) == "rct"


def test_comparative_study_alone_names_no_design():
    assert design(["Comparative Study", "Journal Article"], ["Humans", "Simulation Training"]) == "other"


def test_comparative_cohort_study_keeps_its_design_heading():
    assert design(["Comparative Study"], ["Humans", "Retrospective Studies"]) == "observational"


def test_guideline_type_on_an_faq_page_is_no_guideline():
    assert design(["Practice Guideline"], [], "Condition Y FAQs for the professional") == "other"


def test_guideline_type_on_a_guideline_stays():
    assert design(["Practice Guideline"], [], "Recommendations for the care of condition Y") == "guideline"
    assert design(["Guideline"], [], "Condition Y", "A panel reached consensus on 12 statements.") == "guideline"


def test_guideline_type_is_unchanged_when_no_text_is_given_but_words_say_so():
    assert design(["Practice Guideline"], [], "Clinical practice guidelines for condition Y") == "guideline"
