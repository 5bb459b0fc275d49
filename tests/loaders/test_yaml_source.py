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
