"""The rules that read a study's design and subjects from its title and abstract
(evidence/text_grading.py), on short made-up sentences (no real abstracts).
How well they do on real records is measured by `make bench-evidence`."""

import os
import re
import subprocess
import sys

import pytest

from litref.evidence.text_grading import CUES, DESIGN_RULES, SUBJECT_RULES, grade_text, text_rule_rows
from litref.evidence.vocabularies import designs as design_codes
from litref.evidence.vocabularies import subjects as subject_codes


def design(title, abstract=""):
    return grade_text(title, abstract)["study_design"]


def subjects(title, abstract=""):
    return grade_text(title, abstract)["subjects"]


# --- Randomised trials, and the ways a text mentions trials it did not run ---------------


def test_rct_title_gives_its_exact_words():
    grade = grade_text("Drug X for condition Y: a randomised, double-blind, placebo-controlled trial", "")
    assert grade["study_design"] == "rct"
    assert grade["design_words"] == "randomised, double-blind, placebo-controlled trial"


def test_rct_from_methods_statement():
    grade = grade_text("Drug X for condition Y",
                       "METHODS: Adults were randomly assigned to drug X or placebo.\n\n"
                       "RESULTS: Pain fell in 120 patients.")
    assert grade["study_design"] == "rct"
    assert grade["design_words"] == "randomly assigned"
    assert grade["subjects"] == "humans"


@pytest.mark.parametrize("sentence", [
    "No randomized controlled trials were found.",
    "There is no randomised trial of this drug.",
    "Future randomised trials are needed.",
    "Larger randomized controlled trials are warranted.",
    "A randomized trial should confirm these findings.",
    "Randomized controlled trials have shown mixed results.",
    "Previous randomised trials reported benefit.",
])
def test_negated_or_wished_for_trials_are_no_trial(sentence):
    abstract = f"We describe the use of drug X in clinical practice. {sentence} Drug X is cheap."
    assert design("Drug X in practice", abstract) != "rct"


def test_future_trials_needed_in_conclusions_of_a_cohort_study():
    grade = grade_text("Drug X and outcome Y: a retrospective cohort study",
                       "CONCLUSIONS: Randomised trials are needed to confirm this.")
    assert grade["study_design"] == "observational"
    assert grade["design_words"] == "retrospective cohort study"


def test_plural_trials_are_the_trials_of_a_review():
    abstract = ("We searched MEDLINE and Embase. Twelve randomised controlled trials were included. "
                "Pooled estimates favoured drug X.")
    assert design("Drug X for Y", abstract) == "meta-analysis"


def test_systematic_review_of_rcts_is_a_systematic_review():
    grade = grade_text("Drug X for Y: a systematic review and meta-analysis of randomised controlled trials", "")
    assert grade["study_design"] == "meta-analysis"
    assert grade["design_words"] == "systematic review and meta-analysis"


def test_a_previous_meta_analysis_does_not_make_a_trial_a_meta_analysis():
    abstract = ("BACKGROUND: A previous meta-analysis suggested benefit.\n\n"
                "METHODS: In this multicentre randomised controlled trial, 200 adults were randomly assigned.")
    assert design("Drug X for Y", abstract) == "rct"


def test_secondary_analysis_of_a_randomised_trial_is_still_trial_evidence():
    abstract = "METHODS: This is a secondary analysis of a randomized controlled trial of 300 children."
    assert design("Growth after supplement X", abstract) == "rct"


def test_protocol_for_a_randomised_trial_is_graded_other_with_its_words():
    grade = grade_text("Exercise for back pain: study protocol for a randomised controlled trial",
                       "METHODS AND ANALYSIS: 200 adults will be randomly assigned to exercise or usual care.")
    assert grade["study_design"] == "other"
    assert "protocol" in grade["design_words"]


def test_future_tense_methods_are_a_protocol():
    assert design("Exercise for back pain", "Participants will be randomised to two arms.") == "other"


def test_non_randomised_trial_is_another_clinical_trial():
    assert design("Drug X in Y: a non-randomised controlled trial") == "clinical-trial"


def test_single_arm_phase_2_trial():
    assert design("Drug X in Y: a single-arm, open-label, phase 2 trial") == "clinical-trial"


def test_mendelian_randomisation_is_observational_not_a_trial():
    assert design("Body weight and risk of Y: a Mendelian randomization study") == "observational"


def test_randomised_animals_make_no_clinical_trial():
    grade = grade_text("Drug X protects the kidney",
                       "Male rats were randomly divided into four groups and given drug X for 7 days.")
    assert grade["subjects"] == "animals"
    assert grade["study_design"] == "other"


def test_a_trial_named_as_such_in_dogs_is_still_a_trial():
    grade = grade_text("Drug X for arthritis in dogs: a randomized controlled trial", "")
    assert grade["study_design"] == "rct"
    assert grade["subjects"] == "animals"


def test_title_design_is_narrowed_by_methods():
    abstract = "METHODS: Patients were randomly assigned to early or late surgery."
    assert design("Early versus late surgery for Y: a prospective study", abstract) == "rct"


def test_title_design_wins_over_words_in_the_abstract():
    abstract = "Randomised trials have compared these drugs. In this cohort of 500 patients we found less Y."
    assert design("Drug X and Y: a population-based cohort study", abstract) == "observational"


# --- Replies, notices, reviews, guidelines ----------------------------------------------


def test_comment_quoting_a_trial_title_is_an_opinion():
    grade = grade_text('Comment on "Drug X for Y: a randomized controlled trial"', "")
    assert grade["study_design"] == "opinion"


def test_title_citing_another_paper_by_its_authors_is_an_opinion():
    assert design('"Drug X for Y: a randomized controlled trial" by Smith et al.') == "opinion"


def test_reply_to_a_letter_is_an_opinion():
    assert design("Reply to the letter regarding our randomised trial of drug X") == "opinion"


def test_erratum_title_is_a_notice():
    assert design("Erratum: Drug X for condition Y") == "notice"


def test_correction_surgery_is_no_notice():
    assert design("Correction of a bone deformity with a new plate") != "notice"


def test_narrative_review():
    grade = grade_text("Drug X in condition Y: a narrative review",
                       "In this review, we summarise what is known about drug X.")
    assert grade["study_design"] == "review"


def test_case_report_with_literature_review_is_a_case_report():
    grade = grade_text("A rare tumour of the hand: case report and review of the literature",
                       "We report a 45-year-old woman with a painless mass.")
    assert grade["study_design"] == "case-report"
    assert grade["subjects"] == "humans"
    assert grade["subjects_words"] == "45-year-old woman"


def test_case_report_without_the_words_case_report():
    grade = grade_text("A painless mass of the hand",
                       "A 70-year-old man presented with a mass. It was removed. He recovered.")
    assert grade["study_design"] == "case-report"
    assert grade["design_words"] == "A 70-year-old man"


def test_review_of_case_reports_is_a_review():
    assert design("Tumour Z: a review of published case reports",
                  "We review the published case reports of tumour Z.") == "review"


def test_guideline_from_title():
    assert design("Recommendations for the management of Y: a consensus statement") == "guideline"


def test_cross_sectional_survey():
    abstract = "METHODS: A cross-sectional survey of 400 nurses was conducted in 12 hospitals."
    grade = grade_text("Burnout among nurses", abstract)
    assert grade["study_design"] == "observational"
    assert grade["subjects"] == "humans"


def test_no_design_words_give_other():
    assert grade_text("Molecular basis of protein Z folding", "Protein Z folds in two steps.") == {
        "study_design": "other", "design_words": None, "subjects": "unknown", "subjects_words": None}


# --- Subjects -----------------------------------------------------------------------------


def test_review_naming_only_mouse_studies_is_about_animals():
    abstract = "In this review, we summarise studies in mice and rats on the effects of drug X."
    grade = grade_text("Drug X in models of Y", abstract)
    assert grade["study_design"] == "review"
    assert grade["subjects"] == "animals"


def test_review_naming_mouse_studies_and_patients_is_about_humans():
    abstract = ("In this review, we summarise studies in mice and in patients with condition Y. "
                "Trials in 300 patients showed benefit.")
    assert subjects("Drug X in condition Y", abstract) == "humans"


def test_in_vitro_and_in_vivo_without_species_is_animals():
    grade = grade_text("Compound Z slows tumour growth in vitro and in vivo", "")
    assert grade["subjects"] == "animals"


def test_in_vitro_and_mice():
    abstract = "Compound Z killed cancer cells in vitro and reduced tumour size in mice."
    assert subjects("Compound Z and tumour growth", abstract) == "animals"


def test_cells_only_is_in_vitro():
    abstract = "We treated HeLa cells with compound Z and measured apoptosis in cultured cells."
    grade = grade_text("Compound Z induces apoptosis", abstract)
    assert grade["subjects"] == "in-vitro"


def test_clinical_study_with_mice_as_well_is_about_humans():
    abstract = ("METHODS: We enrolled 60 patients with condition Y and measured marker Z. "
                "Mice lacking gene Z were also studied.\n\nRESULTS: Marker Z was higher in patients.")
    assert subjects("Marker Z in condition Y", abstract) == "humans"


def test_animal_study_that_speaks_of_patients_in_passing_is_about_animals():
    abstract = ("Sepsis kills many patients. We gave drug X to mice with sepsis. "
                "Drug X improved survival of the mice. Drug X may help patients with sepsis.")
    assert subjects("Drug X in sepsis", abstract) == "animals"


def test_reagents_named_after_animals_are_no_animals():
    abstract = ("Blood samples of 40 volunteers were stained with a mouse anti-human CD3 antibody and "
                "fetal bovine serum.")
    assert subjects("T cells in blood", abstract) == "humans"
    assert subjects("T cells in culture", "Cultured cells were stained with a mouse anti-human CD3 antibody.") \
        == "in-vitro"


def test_humans_wished_for_in_conclusions_do_not_count():
    abstract = "Drug X protected rats from kidney injury. Studies in humans are needed."
    assert subjects("Drug X and the kidney", abstract) == "animals"


def test_structured_abstract_labels_are_read():
    abstract = "Background: Trials have been few. Methods: Patients were randomly assigned to X or Y."
    assert design("Drug X for Y", abstract) == "rct"


# --- The rules themselves -----------------------------------------------------------------


def test_every_rule_row_has_a_description_staff_can_read():
    rows = text_rule_rows()
    assert len(rows) == len(DESIGN_RULES) + len(SUBJECT_RULES)
    for row in rows:
        assert row["description"] and len(row["description"]) < 120
        assert row["cue"] and row["code"]


def test_no_rule_names_a_pmid_or_a_year():
    # Rules must generalise: no identifiers of a particular record.
    for rule in DESIGN_RULES + SUBJECT_RULES:
        for text in (rule.pattern, rule.description, rule.before, " ".join(rule.words)):
            assert not re.search(r"\d{5,}|\b(?:19|20)\d\d\b", text), rule


def test_words_returned_are_in_the_text():
    title = "Drug X for Y: a randomised, double-blind, placebo-controlled trial in 300 adults"
    grade = grade_text(title, "")
    assert grade["design_words"] in title
    assert grade["subjects_words"] in title


def test_every_rule_is_well_formed():
    """A known cue, and words the rule is gated on (plain lower-case words)."""
    for rule in DESIGN_RULES + SUBJECT_RULES:
        assert rule.cue in CUES, rule
        assert rule.needs or rule.words, rule
        assert all(re.fullmatch(r"[a-z0-9]+", need) for need in rule.needs + rule.also), rule


def test_rule_codes_are_designs_and_subjects_of_the_vocabularies():
    # "protocol" and "reply" are votes that end as other and opinion (see _design).
    assert {rule.code for rule in DESIGN_RULES} <= set(design_codes.CODES) | {"protocol", "reply"}
    assert {rule.code for rule in SUBJECT_RULES} <= set(subject_codes.CODES)


def test_a_title_saying_narrative_review_is_not_narrowed_by_its_methods():
    grade = grade_text("A narrative review of condition Y in children",
                       "METHODS: We conducted a systematic review of studies. RESULTS: 12 studies were included.")
    assert (grade["study_design"], grade["design_words"]) == ("review", "narrative review")


def test_the_words_shown_do_not_depend_on_the_interpreter_run():
    """Two vocabulary phrases of one rule match with the same weight: which is shown was
    decided by the order of a set of strings, which Python varies from run to run."""
    script = ("from litref.evidence.text_grading import grade_text; print(grade_text("
              "'Synthetic outcome study', 'We followed 190 patients and eight cases over a year.')"
              "['subjects_words'])")
    shown = {
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout.strip()
        for seed in range(6)
    }
    assert len(shown) == 1, shown
