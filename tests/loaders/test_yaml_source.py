from __future__ import annotations

import time

from astra_guard.loaders.yaml_source import YamlLimits, load_yaml_stream


def test_every_key_and_list_item_has_its_line_and_column() -> None:
    text = "a:\n  b:\n    - x: 1\n    - y: 2\n"
    doc = load_yaml_stream(text, "f.yaml").documents[0]
    assert doc.spans[("a",)][1:3] == (1, 1)
    assert doc.spans[("a", "b")][1:3] == (2, 3)
    assert doc.spans[("a", "b", 0)][1:3] == (3, 7)
    assert doc.spans[("a", "b", 1, "y")][1:3] == (4, 7)


def test_duplicate_key_is_an_error_on_its_line_and_the_last_value_wins_like_the_api_server() -> None:
    stream = load_yaml_stream("spec:\n  privileged: false\n  privileged: true\n", "f.yaml")
    assert stream.documents[0].data == {"spec": {"privileged": True}}
    assert [(e.line, e.column) for e in stream.errors] == [(3, 3)]
    assert "duplicate key 'privileged' (first on line 2)" in stream.errors[0].message


def test_anchors_and_merge_keys_resolve_and_explicit_keys_override() -> None:
    text = "base: &b {a: 1, b: 2}\nderived:\n  <<: *b\n  b: 3\n"
    data = load_yaml_stream(text, "f.yaml").documents[0].data
    assert data["derived"] == {"a": 1, "b": 3}


def test_keys_stay_as_written_so_the_actions_trigger_key_on_is_not_true() -> None:
    data = load_yaml_stream("on: push\nyes: 1\n", "f.yaml").documents[0].data
    assert list(data) == ["on", "yes"]


def test_values_follow_yaml_1_1_but_timestamps_stay_strings() -> None:
    data = load_yaml_stream("a: yes\nb: 2026-01-01\nc: .nan\nd: '010'\n", "f.yaml").documents[0].data
    assert data == {"a": True, "b": "2026-01-01", "c": ".nan", "d": "010"}


def test_multi_document_streams_keep_document_index_and_start_line() -> None:
    stream = load_yaml_stream("a: 1\n---\nb: 2\n---\n", "f.yaml")
    assert [(d.index, d.line, d.data) for d in stream.documents] == [(0, 1, {"a": 1}), (1, 3, {"b": 2})]


def test_a_syntax_error_names_its_line_and_earlier_documents_survive() -> None:
    stream = load_yaml_stream("a: 1\n---\nb: [1,\nc: 2\n", "f.yaml")
    assert [d.data for d in stream.documents] == [{"a": 1}]
    assert len(stream.errors) == 1 and stream.errors[0].line == 3  # the unclosed '[', not EOF
    assert stream.errors[0].message == (
        "invalid YAML: while parsing a flow sequence (started on line 3): did not find expected ',' or ']'"
    )


def test_a_tab_indentation_error_points_at_its_line() -> None:
    stream = load_yaml_stream("a:\n  b: 1\n\tc: 2\n", "f.yaml")
    assert [e.line for e in stream.errors] == [3]


def test_an_alias_bomb_is_rejected_quickly_not_expanded() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    started = time.perf_counter()
    stream = load_yaml_stream("\n".join(lines) + "\n", "bomb.yaml", YamlLimits(max_nodes=100_000))
    assert time.perf_counter() - started < 5  # the point is "not 10^9 nodes"; the bound is generous
    assert stream.documents == [] and "more than 100000 YAML nodes" in stream.errors[0].message


def test_nesting_beyond_the_depth_limit_is_an_input_error() -> None:
    text = "a: " + "[" * 60 + "]" * 60 + "\n"
    stream = load_yaml_stream(text, "deep.yaml", YamlLimits(max_depth=50))
    assert stream.documents == [] and "nesting deeper than 50" in stream.errors[0].message


def test_the_alias_bomb_error_points_at_the_first_anchor_that_explodes() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    stream = load_yaml_stream("\n".join(lines) + "\n", "bomb.yaml")  # default limit: 1,000,000 nodes
    # a4 expands to 111,111 nodes, a5 to 1,111,111: a5 on line 6 is where the budget ends
    assert [(e.line, e.message) for e in stream.errors] == [
        (6, ("this YAML node expands to more than 1000000 YAML nodes (aliases expanded; limits.max_yaml_nodes); "
             "the document is not evaluated"))
    ]


def test_a_recursive_alias_is_an_error_not_a_hang() -> None:
    stream = load_yaml_stream("ok: 1\nloop: &a [1, *a]\n", "f.yaml")
    assert stream.documents == [] and [(e.line, e.message) for e in stream.errors] == [
        (2, "recursive alias: a node contains itself; the document is not evaluated")
    ]


def test_the_depth_error_names_the_line_where_the_limit_is_crossed() -> None:
    text = "a:\n" + "".join("  " * (i + 1) + "- \n" for i in range(60))
    stream = load_yaml_stream(text, "deep.yaml", YamlLimits(max_depth=50))
    assert [(e.line, e.message) for e in stream.errors] == [
        (52, "YAML nesting deeper than 50 levels (limits.max_depth); the document is not evaluated")
    ]


def test_documents_beyond_the_limit_are_an_error_at_the_first_one_dropped() -> None:
    stream = load_yaml_stream("a: 1\n---\nb: 2\n---\nc: 3\n", "f.yaml", YamlLimits(max_documents=2))
    assert [d.data for d in stream.documents] == [{"a": 1}, {"b": 2}]
    assert [(e.line, e.message) for e in stream.errors] == [
        (5, "more than 2 YAML documents in one file (limits.max_documents); the rest is not evaluated")
    ]


def test_nel_and_unicode_line_separators_do_not_shift_lines() -> None:
    # LibYAML breaks lines at U+0085, U+2028 and U+2029 too; editors and reports count "\n" only
    stream = load_yaml_stream("a: 1 # x\x85# y\u2028# z\nb:\n  c: 2\nb: 3\n", "f.yaml")
    assert stream.documents[0].spans[("b", "c")].line == 3
    assert [e.line for e in stream.errors] == [4]


def test_a_bad_value_is_an_error_on_its_line_that_does_not_quote_it() -> None:
    stream = load_yaml_stream("a: 1\nsecret: !!int hunter2\nb: !!bool maybe\nc: !!python/name:os.system x\n", "f.yaml")
    assert stream.documents == [] and [(e.line, e.message) for e in stream.errors] == [
        (2, "the value does not fit its tag tag:yaml.org,2002:int: fix the value or remove the tag")
    ]
    stream = load_yaml_stream("b: !!bool maybe\n---\nc: !!python/name:os.system x\n---\nd: " + "9" * 5000 + "\n", "f.yaml")
    assert [(e.line, e.message) for e in stream.errors] == [
        (1, "the value does not fit its tag tag:yaml.org,2002:bool: fix the value or remove the tag"),
        (3, "unsupported YAML tag tag:yaml.org,2002:python/name:os.system: remove it"),
        (5, "invalid YAML value: a number of 5000 digits; no consumer reads it as written"),
    ]


def test_a_huge_flat_document_is_stopped_while_it_is_composed_and_earlier_documents_stay() -> None:
    text = "a: 1\n---\nb:\n" + "".join(f"  - {i}\n" for i in range(100))
    stream = load_yaml_stream(text, "f.yaml", YamlLimits(max_nodes=50))
    assert [d.data for d in stream.documents] == [{"a": 1}]
    # document 2: its mapping, the key b and the sequence are nodes 1-3, item i is node i + 4
    assert [(e.line, e.message) for e in stream.errors] == [
        (51, "a YAML document of more than 50 nodes (limits.max_yaml_nodes); the rest of the file is not evaluated")
    ]
