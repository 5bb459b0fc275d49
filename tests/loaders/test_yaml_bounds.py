"""A tree (no aliases) is measured while it is converted, not in a walk of its own: the verdicts,
messages and lines stay those of `check_expansion`, which measures every document first."""

from __future__ import annotations

import random

import pytest

from astra_guard.loaders.yaml_compose import (
    LineTable,
    Rejected,
    YamlLimits,
    check_expansion,
    compose_all,
)
from astra_guard.loaders.yaml_schemas import (
    MEMO_LENGTH,
    MEMO_SIZE,
    _remembered_kubernetes_key,
    kubernetes_key,
)
from astra_guard.loaders.yaml_source import _Converter, _TooBig, load_yaml_stream

DEPTH = "YAML nesting deeper than 3 levels (limits.max_depth); the document is not evaluated"


def _errors(text: str, limits: YamlLimits, schema: str = "yaml-1.1") -> list[tuple[int, str]]:
    stream = load_yaml_stream(text, "f.yaml", limits, schema)
    assert stream.documents == []
    return [(e.line, e.message) for e in stream.errors]


def test_a_tree_too_deep_reports_only_the_depth_not_the_duplicate_keys_before_it() -> None:
    assert _errors("a: 1\na: 2\nb:\n  - - - - x\n", YamlLimits(max_depth=3)) == [(4, DEPTH)]


@pytest.mark.parametrize(("text", "schema"), [
    ("a: !!int x\nb:\n  - - - - x\n", "yaml-1.1"),  # a value that does not fit its tag
    ("apiVersion: v1\nkind: X\n~: 1\nb:\n  - - - - x\n", "kubernetes"),  # a null key
    ("a:\n  <<: 1\nb:\n  - - - - x\n", "yaml-1.1"),  # a merge of a scalar
    ("? [a]\n: 1\nb:\n  - - - - x\n", "yaml-1.1"),  # a key that is not a scalar
])
def test_the_depth_error_comes_before_an_error_met_earlier_in_the_document(text: str, schema: str) -> None:
    line = text.count("\n")
    assert _errors(text, YamlLimits(max_depth=3), schema) == [(line, DEPTH)]


def test_the_depth_error_is_on_the_tallest_branch_not_the_first_one_too_deep() -> None:
    assert _errors("a:\n  - - - - x\nb:\n  - - - - - - x\n", YamlLimits(max_depth=3)) == [(4, DEPTH)]


def test_merged_mappings_count_in_the_depth() -> None:
    assert _errors("a:\n  <<:\n    - {b: 1}\n    - c: 1\n", YamlLimits(max_depth=3)) == [(3, DEPTH)]
    stream = load_yaml_stream("a:\n  <<:\n    - {b: 1}\n    - c: 1\n", "f.yaml", YamlLimits(max_depth=4))
    assert stream.errors == [] and stream.documents[0].data == {"a": {"b": 1, "c": 1}}


def _random_tree(rng: random.Random, depth: int = 0) -> str:
    roll = rng.random()
    if depth > 5 or roll < 0.35:
        return rng.choice(["x", "1", "''", "[]", "{}"])
    if roll < 0.45:
        return "{<<: " + _random_tree(rng, depth + 1) + ", z: 1}"  # a merge (of a non-mapping: an error)
    if roll < 0.55:
        return "{<<: [" + ", ".join(_random_tree(rng, depth + 1) for _ in range(rng.randrange(3))) + "]}"
    if roll < 0.75:
        return "[" + ", ".join(_random_tree(rng, depth + 1) for _ in range(rng.randrange(4))) + "]"
    return "{" + ", ".join(f"k{i}: {_random_tree(rng, depth + 1)}" for i in range(rng.randrange(4))) + "}"


def test_the_conversion_rejects_exactly_the_trees_check_expansion_rejects() -> None:
    rng = random.Random(8)
    for _ in range(400):
        text = _random_tree(rng)
        root = next(compose_all(text, 10**6))
        for limits in (YamlLimits(max_depth=rng.randrange(1, 8), max_nodes=rng.randrange(1, 60)), YamlLimits()):
            try:
                check_expansion(root, limits, aliases=True)
                within = True
            except Rejected:
                within = False
            converter = _Converter("f.yaml", "yaml-1.1", [], LineTable(text), limits)
            try:
                converter.document(root)
                converted = True
            except _TooBig:
                converted = False
            except Rejected:  # a merge of a non-mapping, met first (the limits are judged again then)
                continue
            assert converted == within, (text, limits)


def test_kubernetes_keys_are_remembered_within_bounds_and_bad_keys_raise_every_time() -> None:
    for _ in range(2):
        with pytest.raises(ValueError, match="null to kubectl"):
            kubernetes_key("~")
    long_key = "k" * (MEMO_LENGTH + 1)
    before = _remembered_kubernetes_key.cache_info()
    assert kubernetes_key(long_key) == long_key and _remembered_kubernetes_key.cache_info() == before
    for i in range(MEMO_SIZE + 10):
        kubernetes_key(f"key{i}")
    assert _remembered_kubernetes_key.cache_info().currsize == MEMO_SIZE
    assert kubernetes_key("on") == "true" and kubernetes_key("010") == "8"
