"""The pure rules about a page's text (evidence/page_text.py, evidence/statements.py):
which sentences make a checkable statement, where a claim's quote is, what is nearest."""

import pytest

from litref.evidence import page_text, statements
from litref.evidence.vocabularies import statement_signals


@pytest.mark.parametrize(("sentence", "signals"), [
    ("The autoimmune condition affects primarily women -- in fact, 90% of people with lupus are women.",
     ["percentage", "number", "comparison", "disease"]),
    ("If you’re one of the 1.5 million Americans suffering from lupus, you know it.", ["number", "disease"]),
    ("It lasts three months or longer.", ["number"]),
    ("Our treatment works better than steroids.", ["comparison", "treatment"]),
    ("This revolutionary technique will restore your health.", ["promise"]),
    ("Dr. Small prefers to use umbilical cord stem cells.", ["treatment"]),
    ("Patients with Crohn’s disease are welcome.", ["disease"]),
    ("Fibromyalgia hurts.", ["disease"]),
    ("The clinic is open on weekdays.", []),
    ("He is the President and Medical Director of the clinic.", []),
])
def test_signals_of_a_sentence(sentence, signals):
    assert statements.signals(sentence) == signals


@pytest.mark.parametrize("sentence", [
    "Why is lupus so hard to treat?",  # a question asserts nothing
    "Call our office in Houston or schedule using this website to find out if you’re a candidate for stem cell therapy.",
    "Read on to learn a few methods for how you can successfully manage your life with Parkinson’s.",
    "If you have chronic pain, learn what you can do to improve your mobility.",
    "Subscribe for updates on stem cell therapy.",
    "Book a consultation to see whether stem cells can help your lupus.",
])
def test_questions_and_calls_to_action_are_not_statements(sentence):
    assert statements.signals(sentence) == []


def test_every_signal_has_a_rule_and_a_label():
    assert set(statements.SIGNAL_PATTERNS) == set(statement_signals.CODES)


TEXT = page_text.normal_text(
    "Stem Cell Therapy\n\nFirst  sentence about lupus.   Dr. Small treats it, since 1986.\n"
    "What is it?\n\nIt helps 90% of people.\nShare on facebook\n"
)


def test_normal_text_keeps_one_line_per_paragraph_with_spaces_collapsed():
    assert TEXT == ("Stem Cell Therapy\nFirst sentence about lupus. Dr. Small treats it, since 1986.\n"
                    "What is it?\nIt helps 90% of people.\nShare on facebook")
    assert page_text.text_hash(TEXT) == page_text.text_hash(page_text.normal_text(TEXT + "\n\n"))


def test_sentences_know_where_they_start_and_their_heading():
    found = page_text.sentences(TEXT)
    assert [(s.text, s.section) for s in found] == [
        ("First sentence about lupus.", "(introduction)"),
        ("Dr. Small treats it, since 1986.", "(introduction)"),  # "Dr." ends no sentence
        ("It helps 90% of people.", "What is it?"),
    ]  # the title, the heading and the share link are not sentences
    assert all(TEXT[s.start:s.end] == s.text for s in found)


def test_a_quote_is_found_word_for_word_typographic_variants_aside():
    text = "Lupus affects women -- in fact, 90% of people with lupus are women. It’s complex."
    assert page_text.find_quote("90% of people with lupus", text) == text.index("90%")
    assert page_text.find_quote("It's complex.", text) == text.index("It’s")
    assert page_text.find_quote("85% of people with lupus", text) is None


def test_the_nearest_passage_is_the_whole_sentence_that_now_stands_there():
    text = page_text.normal_text("Title\nLupus is hard. In fact, 85% of people with lupus are women. Other.")
    passage, similarity, start = page_text.nearest_passage(
        "in fact, 90% of people with lupus are women", text)
    assert passage == "In fact, 85% of people with lupus are women."
    assert similarity >= page_text.EDITED_AT_LEAST and text[start:].startswith("In fact")
    _, unrelated, _ = page_text.nearest_passage("Mesenchymal stem cells regenerate cartilage.", text)
    assert unrelated < page_text.EDITED_AT_LEAST
