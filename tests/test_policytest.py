"""`astra-guard policy test`: opa-test semantics through the embedded engine."""

from __future__ import annotations

from pathlib import Path

from astra_guard.cli import main
from astra_guard.policytest import run_tests
from astra_guard.rules.catalog import load_catalog, rego_root

POLICY = """package acme.limits

violation contains {"msg": "too many replicas"} if input.review.object.spec.replicas > input.parameters.max
"""
TESTS = """package acme.limits_test

import data.acme.limits

obj(n) := {"spec": {"replicas": n}}

test_under_the_limit_passes if {
\tcount(limits.violation) == 0 with input as {"review": {"object": obj(2)}, "parameters": {"max": 3}}
}

test_a_false_assertion_fails if {
\tcount(limits.violation) == 1 with input as {"review": {"object": obj(2)}, "parameters": {"max": 3}}
}

test_undefined_fails if {
\tinput.nothing.here
}

test_an_error_is_reported if {
\tto_number("not a number") > 1
}

test_with_data_as if {
\tdata.acme.settings.max == 5 with data.acme.settings as {"max": 5}
}
"""


def test_outcomes_follow_opa_test(tmp_path: Path) -> None:
    (tmp_path / "limits.rego").write_text(POLICY)
    (tmp_path / "limits_test.rego").write_text(TESTS)
    results = {r.name.rsplit(".", 1)[1]: (r.outcome, r.line) for r in run_tests([tmp_path], [])}
    assert results == {
        "test_under_the_limit_passes": ("PASS", 7),
        "test_a_false_assertion_fails": ("FAIL", 11),
        "test_undefined_fails": ("FAIL", 15),
        "test_an_error_is_reported": ("ERROR", 19),
        "test_with_data_as": ("PASS", 23),
    }
    assert main(["policy", "test", str(tmp_path)]) == 1
    assert main(["policy", "test", str(tmp_path), "--run", "test_under"]) == 0


def test_every_built_in_policy_test_passes_and_there_are_some() -> None:
    results = run_tests([rego_root()], load_catalog().rego_libs)
    assert len(results) >= 135
    assert [r.name for r in results if r.outcome != "PASS"] == []


def test_a_directory_without_tests_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "limits.rego").write_text(POLICY)
    assert main(["policy", "test", str(tmp_path)]) == 1
