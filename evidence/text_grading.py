"""PLACEHOLDER until the text rules land: grades nothing."""


def grade_text(title, abstract):
    return {"study_design": None, "design_words": None, "subjects": None, "subjects_words": None}


def text_rule_rows():
    return []
