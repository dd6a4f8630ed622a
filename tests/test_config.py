"""searches.yml: staff-edited, so every mistake names the file, the line and the fix."""

import pytest
from click.testing import CliRunner

from litref.cli import DEFAULT_SEARCHES, main
from litref.config import ConfigFileError, read_searches


def load(tmp_path, text):
    path = tmp_path / "searches.yml"
    path.write_text(text)
    return path, lambda: read_searches(path)


def error_of(tmp_path, text):
    path, loader = load(tmp_path, text)
    with pytest.raises(ConfigFileError) as raised:
        loader()
    return path, str(raised.value)


def test_shipped_searches_file_is_valid():
    searches = read_searches(DEFAULT_SEARCHES)
    names = {s["name"] for s in searches}
    assert {"msc-sle", "ahsct-sle", "msc-immunomodulation"} <= names
    assert all(s["query"] and s["description"] for s in searches)


def test_entries_keep_their_line(tmp_path):
    _, loader = load(tmp_path, "searches:\n  - name: a\n    query: x\n\n  - name: b\n    query: y\n")
    assert [(s["name"], s["line"]) for s in loader()] == [("a", 2), ("b", 5)]


def test_yaml_syntax_error_names_the_line(tmp_path):
    path, message = error_of(tmp_path, "searches:\n  - name: a\n    query: 'unclosed\n  - name: b\n")
    assert message.startswith(f"{path} line ")
    assert "YAML syntax error" in message


def test_unknown_key(tmp_path):
    path, message = error_of(tmp_path, "searches:\n  - name: a\n    query: x\n    qeury: y\n")
    assert message == (
        f"{path} line 4: unknown key 'qeury'; allowed keys are description, name, query."
    )


def test_duplicate_name(tmp_path):
    path, message = error_of(
        tmp_path, "searches:\n  - name: a\n    query: x\n  - name: a\n    query: y\n"
    )
    assert message == (
        f"{path} line 4: name 'a' is used twice (first on line 2); give each entry its own name."
    )


def test_missing_query_bad_name_and_list_value_all_reported(tmp_path):
    path, message = error_of(
        tmp_path, "searches:\n  - name: Bad Name\n    query: x\n  - name: b\n  - name: c\n    query: [x]\n"
    )
    assert message.splitlines() == [
        f"{path} line 2: name 'Bad Name' may only use lower-case letters, digits and hyphens (for example 'msc-sle').",
        f"{path} line 4: the entry has no 'query'; add one.",
        f"{path} line 6: 'query' must be text.",
    ]


def test_unknown_top_level_key(tmp_path):
    path, message = error_of(tmp_path, "searchs:\n  - name: a\n")
    assert f"{path} line 1: unknown top-level key 'searchs'" in message


def test_fetch_refuses_a_bad_file_with_exit_2(tmp_path, monkeypatch):
    monkeypatch.setenv("NCBI_EMAIL", "tests@example.org")
    path, _ = load(tmp_path, "searches:\n  - name: a\n    query: x\n    qeury: y\n")
    result = CliRunner().invoke(
        main, ["fetch", "--db", str(tmp_path / "c.db"), "--searches", str(path)]
    )
    assert result.exit_code == 2
    assert "line 4: unknown key 'qeury'" in result.output
    assert not (tmp_path / "c.db").exists()  # nothing was attempted


def test_a_searches_file_saved_as_latin1_stops_the_fetch_naming_file_and_line(tmp_path, monkeypatch):
    monkeypatch.setenv("NCBI_EMAIL", "tests@example.org")
    path = tmp_path / "searches.yml"
    path.write_bytes("searches:\n  - name: a\n    query: Sj\u00f6gren\n".encode("latin-1"))
    claims = tmp_path / "claims.yml"
    claims.write_text("claims: []\n")
    result = CliRunner().invoke(main, ["fetch", "--db", str(tmp_path / "c.db"), "--searches", str(path),
                                       "--claims", str(claims)])
    assert result.exit_code == 2
    assert f"{path} line 3: this is not UTF-8 text (byte 0xF6 cannot be read)" in result.output
    assert not (tmp_path / "c.db").exists()
