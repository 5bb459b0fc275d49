"""`astra-guard gatekeeper verify`: gator's suite format and verdicts, with the embedded engine.

The fixture suites (tests/gatekeeper/fixtures/) cover a v1 `code:` template with libs and a CEL
entry, a v0 legacy template with libs and inventory, an AdmissionReview (UPDATE and DELETE), match
wildcards and selectors, `invalid: true`, message regexes and `violations: N`. The inline cases
below pin Gatekeeper's compile rules and the places where regorus needs the compatibility pre-pass
to reach OPA's verdict (docs/gatekeeper-verify-parity.md).
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from astra_guard.cli import main
from astra_guard.gatekeeper import verify
from astra_guard.gatekeeper.suite import SuiteError, discover
from astra_guard.gatekeeper.verify import (
    Result,
    Runner,
    check_assertion,
    compile_re2,
    re2_to_python,
)

FIXTURES = Path(__file__).parent / "fixtures"


# --- the fixture suites, through the command line ---------------------------------------------


def test_fixture_suites_pass_and_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["gatekeeper", "verify", str(FIXTURES / "v1-code"), str(FIXTURES / "v0-legacy")])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "ok\t" in out and out.rstrip().endswith("PASS")
    assert "2 suites, 3 tests, 14 cases: 13 passed, 0 failed, 1 skipped" in out


def test_verbose_prints_every_test_and_case(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gatekeeper", "verify", "-v", str(FIXTURES / "v1-code")]) == 0
    out = capsys.readouterr().out
    assert "=== RUN   required-labels" in out
    assert "    --- PASS: admission-review-delete\t(" in out
    assert "    === SKIP  skipped" in out


def test_run_filter_selects_tests_and_cases(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gatekeeper", "verify", "--run", "required-labels//delete", str(FIXTURES / "v1-code")]) == 0
    out = capsys.readouterr().out
    assert "1 suites, 2 tests, 8 cases: 1 passed, 0 failed, 7 skipped" in out


def test_a_failing_case_and_a_template_that_does_not_compile_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gatekeeper", "verify", str(FIXTURES / "failing")]) == 1
    out = capsys.readouterr().out
    assert "    --- FAIL: expects-none\t(" in out
    assert "        unexpected number of violations: got 1 violations but want none: got messages [denied]" in out
    assert "--- FAIL: bad-import\t(" in out
    assert '  adding template: invalid ConstraintTemplate: invalid import: bad import: "rego.v1"' in out
    assert "FAIL\t" in out and out.rstrip().endswith("FAIL")
    assert "expects-one" not in out  # passing cases are quiet, as in gator


def test_a_missing_file_is_unusable_input_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gatekeeper", "verify", str(FIXTURES / "broken")]) == 2
    assert "nowhere.yaml: no such file or directory" in capsys.readouterr().out


def test_no_suites_and_bad_suite_files_are_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gatekeeper", "verify", str(tmp_path)]) == 2
    assert "no gator Suite" in capsys.readouterr().err
    (tmp_path / "suite.yaml").write_text("kind: Suite\napiVersion: test.gatekeeper.sh/v1alpha1\ntests: [\n")
    assert main(["gatekeeper", "verify", str(tmp_path)]) == 2
    assert "invalid yaml" in capsys.readouterr().err
    assert main(["gatekeeper", "verify", str(tmp_path / "missing.yaml")]) == 2


def test_discovery_walks_directories_and_ignores_other_yaml(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "suite.yml").write_text("kind: Suite\napiVersion: test.gatekeeper.sh/v1\ntests: []\n")
    (tmp_path / "a" / "deploy.yaml").write_text("kind: Deployment\napiVersion: apps/v1\n")
    (tmp_path / "a" / "helm.yaml").write_text("{{ .Values.x }}: [\n")   # not YAML, not a suite: skipped
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "suite.yaml").write_text("kind: Suite\napiVersion: test.gatekeeper.sh/v1\n")
    suites = discover([str(tmp_path)])
    assert [s.path.name for s in suites] == ["suite.yml"]
    assert [s.path.name for s in discover([f"{tmp_path}/..."])] == ["suite.yml"]   # gator's recursive form
    with pytest.raises(SuiteError, match="not a gator Suite"):
        discover([str(tmp_path / "a" / "deploy.yaml")])


def test_suite_yaml_keeps_yes_and_no_as_strings(tmp_path: Path) -> None:
    (tmp_path / "suite.yaml").write_text(textwrap.dedent("""\
        kind: Suite
        apiVersion: test.gatekeeper.sh/v1alpha1
        tests:
        - name: t
          cases:
          - name: c
            assertions:
            - violations: yes
            - violations: no
            - violations: 3
            - {}
        """))
    (suite,) = discover([str(tmp_path)])
    assert [a.violations for a in suite.tests[0].cases[0].assertions] == ["yes", "no", 3, "yes"]


def test_absolute_paths_in_a_suite_are_rejected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "suite.yaml").write_text(textwrap.dedent(f"""\
        kind: Suite
        apiVersion: test.gatekeeper.sh/v1alpha1
        tests:
        - name: t
          template: {FIXTURES / 'failing' / 'template.yaml'}
          constraint: constraint.yaml
        """))
    assert main(["gatekeeper", "verify", str(tmp_path)]) == 2
    assert "is absolute" in capsys.readouterr().out


# --- inline templates -----------------------------------------------------------------------


def run_inline(tmp_path: Path, rego: str, obj: dict[str, Any] | None = None, assertions: list[dict[str, Any]] | None = None,
               libs: list[str] | None = None, version: str | None = None, parameters: Any = None,
               schema: dict[str, Any] | None = None, invalid: bool = False, inventory: list[dict[str, Any]] | None = None,
               match: dict[str, Any] | None = None) -> verify.TestResult:
    """One suite with one test and (unless invalid) one case; the test's result."""
    target: dict[str, Any] = {"target": "admission.k8s.gatekeeper.sh"}
    if version is None:
        target["rego"] = textwrap.dedent(rego)
        if libs:
            target["libs"] = [textwrap.dedent(lib) for lib in libs]
    else:
        target["code"] = [{"engine": "Rego", "source": {"rego": textwrap.dedent(rego), "libs": [textwrap.dedent(lib) for lib in libs or []],
                                                         "version": version}}]
    crd_spec: dict[str, Any] = {"names": {"kind": "FxInline"}}
    if schema is not None:
        crd_spec["validation"] = {"openAPIV3Schema": schema}
    template = {"apiVersion": "templates.gatekeeper.sh/v1", "kind": "ConstraintTemplate", "metadata": {"name": "fxinline"},
                "spec": {"crd": {"spec": crd_spec}, "targets": [target]}}
    spec: dict[str, Any] = {}
    if parameters is not None:
        spec["parameters"] = parameters
    if match is not None:
        spec["match"] = match
    constraint = {"apiVersion": "constraints.gatekeeper.sh/v1beta1", "kind": "FxInline", "metadata": {"name": "inline"}, "spec": spec}
    obj = obj or {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}}
    (tmp_path / "template.yaml").write_text(yaml.safe_dump(template))
    (tmp_path / "constraint.yaml").write_text(yaml.safe_dump(constraint))
    (tmp_path / "object.yaml").write_text(json.dumps(obj))
    test: dict[str, Any] = {"name": "inline", "template": "template.yaml", "constraint": "constraint.yaml"}
    if invalid:
        test["invalid"] = True
    else:
        case: dict[str, Any] = {"name": "case", "object": "object.yaml", "assertions": assertions or [{"violations": "yes"}]}
        if inventory is not None:
            (tmp_path / "inventory.yaml").write_text("\n---\n".join(json.dumps(o) for o in inventory))
            case["inventory"] = ["inventory.yaml"]
        test["cases"] = [case]
    (tmp_path / "suite.yaml").write_text(json.dumps({"kind": "Suite", "apiVersion": "test.gatekeeper.sh/v1alpha1", "tests": [test]}))
    (suite,) = discover([str(tmp_path)])
    return Runner().run_suite(suite).tests[0]


def messages(result: verify.TestResult) -> list[str]:
    assert result.error is None, result.error
    (case,) = result.cases
    return [r.msg for r in case.results or []]


def test_parameters_reach_the_template_and_default_to_an_empty_object(tmp_path: Path) -> None:
    rego = """\
        package fx
        violation[{"msg": sprintf("%v", [input.parameters])}] { true }
        """
    schema = {"type": "object", "properties": {"a": {"type": "array", "items": {"type": "integer"}}}}
    assert messages(run_inline(tmp_path, rego, parameters={"a": [1]}, schema=schema)) == ['{"a": [1]}']
    assert messages(run_inline(tmp_path, rego)) == ["{}"]
    # A v1 template without a parameters schema has no `spec.parameters` in its CRD: Kubernetes prunes it.
    unknown = run_inline(tmp_path, rego, parameters={"a": [1]})
    assert unknown.failed and "unknown fields: [spec.parameters]" in (unknown.error or "")


def test_the_review_of_a_plain_object_is_what_gator_builds(tmp_path: Path) -> None:
    rego = """\
        package fx
        violation[{"msg": json.marshal(r)}] { r := object.remove(input.review, ["object"]) }
        """
    obj = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": "shop"}}
    (msg,) = messages(run_inline(tmp_path, rego, obj))
    assert json.loads(msg) == {
        "uid": "", "kind": {"group": "apps", "version": "v1", "kind": "Deployment"},
        "resource": {"group": "", "version": "", "resource": ""}, "name": "d", "namespace": "shop",
        "operation": "", "userInfo": {}, "oldObject": None, "options": None, "namespaceObject": None,
    }


def test_inventory_fills_data_inventory(tmp_path: Path) -> None:
    rego = """\
        package fx
        violation[{"msg": msg}] {
          c := data.inventory.cluster["v1"].Namespace[name]
          n := data.inventory.namespace[ns]["apps/v1"].Deployment[d]
          msg := sprintf("%v %v/%v", [name, ns, d])
        }
        """
    inventory = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}},
                 {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api", "namespace": "shop"}}]
    assert messages(run_inline(tmp_path, rego, inventory=inventory)) == ["shop shop/api"]
    assert messages(run_inline(tmp_path, rego, assertions=[{"violations": "no"}])) == []  # data.inventory is {}


def test_results_are_a_set_and_violations_without_msg_are_dropped(tmp_path: Path) -> None:
    rego = """\
        package fx
        violation[{"msg": "same"}] { true }
        violation[{"msg": "same", "details": {}}] { true }
        violation[{"msg": "other", "details": {"x": 1}}] { true }
        violation[{"message": "no msg"}] { true }
        """
    result = run_inline(tmp_path, rego, assertions=[{"violations": 2}])
    assert result.error is None and not result.failed
    assert sorted(messages(result)) == ["other", "same"]


def test_an_evaluation_error_counts_as_one_violation(tmp_path: Path) -> None:
    rego = """\
        package fx
        violation[{"msg": msg}] { msg := sprintf("%v", [to_number("not a number")]) }
        """
    result = run_inline(tmp_path, rego, assertions=[{"violations": 1}])
    assert not result.failed
    (case,) = result.cases
    assert case.results and case.results[0].engine_error


def test_scoped_enforcement_without_the_gator_point_is_not_evaluated(tmp_path: Path) -> None:
    rego = """\
        package fx
        violation[{"msg": "denied"}] { true }
        """
    target = tmp_path / "t"
    target.mkdir()
    run_inline(target, rego)
    constraint = yaml.safe_load((target / "constraint.yaml").read_text())
    constraint["spec"]["enforcementAction"] = "scoped"
    constraint["spec"]["scopedEnforcementActions"] = [{"action": "deny", "enforcementPoints": [{"name": "validation.gatekeeper.sh"}]}]
    (target / "constraint.yaml").write_text(yaml.safe_dump(constraint))
    (suite,) = discover([str(target)])
    (case,) = Runner().run_suite(suite).tests[0].cases
    assert case.results == []


def test_invalid_true_passes_only_on_a_schema_error(tmp_path: Path) -> None:
    rego = 'package fx\nviolation[{"msg": "x"}] { true }\n'
    schema = {"type": "object", "properties": {"max": {"type": "integer", "minimum": 1}}}
    assert not run_inline(tmp_path, rego, schema=schema, parameters={"max": 0}, invalid=True).failed
    assert not run_inline(tmp_path, rego, schema=schema, parameters={"max": "1"}, invalid=True).failed
    valid = run_inline(tmp_path, rego, schema=schema, parameters={"max": 1}, invalid=True)
    assert valid.failed and "constraint should have failed schema validation" in (valid.error or "")
    unknown = run_inline(tmp_path, rego, schema=schema, parameters={"mx": 1}, invalid=True)   # not a schema error
    assert unknown.failed and "unknown fields: [spec.parameters.mx]" in (unknown.error or "")
    bad_match = run_inline(tmp_path, rego, match={"namespaces": ["UPPER"]}, invalid=True)
    assert not bad_match.failed   # spec.match is validated against Gatekeeper's match schema too


@pytest.mark.parametrize(("rego", "libs", "error"), [
    ('package fx\ndeny[{"msg": "x"}] { true }\n', None, "missing required rules: [violation]"),
    ('package fx\nimport input.review\nviolation[{"msg": "x"}] { true }\n', None, 'cannot import input: "input.review"'),
    ('package fx\nimport data.other\nviolation[{"msg": "x"}] { true }\n', None, 'bad import: "data.other"'),
    ('package fx\nviolation[{"msg": "x"}] { data.other.x }\n', None, "disallowed ref data.other.x"),
    ('package fx\nviolation[{"msg": "x"}] { true }\n', ["package lib\nf = 1\n"], "path data.lib not found in lib prefixes"),
    ('package fx\nviolation[{"msg": "x"}] { true }\n', ["package other.x\nf = 1\n"], "path data.other.x not found in lib prefixes"),
    ('package fx\nviolation[{"msg": m}] { m := nosuchfunction(1) }\n', None, "undefined function nosuchfunction"),
    ('package fx\nviolation[{"msg": m}] { m := data.lib.x.nope(1) }\n', ["package lib.x\nf(a) = a\n"], "undefined function data.lib.x.nope"),
    ('package fx\nviolation[{"msg": m}] { m := io.jwt.decode("x") }\n', None, "undefined function io.jwt.decode (an OPA builtin"),
    ('package fx\nviolation[{"msg": "x"} {\n', None, "invalid ConstraintTemplate"),
])
def test_gatekeepers_compile_rules_fail_the_test(tmp_path: Path, rego: str, libs: list[str] | None, error: str) -> None:
    result = run_inline(tmp_path, rego, libs=libs)
    assert result.failed and not result.cases
    assert error in (result.error or ""), result.error


def test_libs_and_allowed_references_compile(tmp_path: Path) -> None:
    rego = """\
        package fx
        import future.keywords.in
        import data.lib.util.shout
        import data.lib.util as u
        violation[{"msg": msg}] {
          some ns in object.keys(data.inventory)
          msg := sprintf("%s %s %s", [shout("a"), u.shout("b"), data.lib.util.shout("c")])
        }
        violation[{"msg": m}] { m := shout("d") }
        """
    lib = 'package lib.util\nshout(s) = upper(s)\n'
    assert messages(run_inline(tmp_path, rego, libs=[lib])) == ["D"]


def test_rego_v1_code_and_v0_defaults(tmp_path: Path) -> None:
    v1 = 'package fx\nviolation contains {"msg": "v1"} if { some x in [1]; x == 1 }\n'
    assert messages(run_inline(tmp_path, v1, version="v1")) == ["v1"]
    v0_syntax_in_v1 = 'package fx\nviolation[{"msg": "x"}] { true }\n'
    assert run_inline(tmp_path, v0_syntax_in_v1, version="v1").failed
    assert messages(run_inline(tmp_path, v0_syntax_in_v1, version="v0")) == ["x"]
    assert messages(run_inline(tmp_path, v0_syntax_in_v1, version="anything else is v0")) == ["x"]


def test_legacy_rego_wins_over_code(tmp_path: Path) -> None:
    run_inline(tmp_path, 'package fx\nviolation[{"msg": "code"}] { true }\n', version="v0")
    template = yaml.safe_load((tmp_path / "template.yaml").read_text())
    template["spec"]["targets"][0]["rego"] = 'package fx\nviolation[{"msg": "legacy"}] { true }\n'
    (tmp_path / "template.yaml").write_text(yaml.safe_dump(template))
    (suite,) = discover([str(tmp_path)])
    (case,) = Runner().run_suite(suite).tests[0].cases
    assert [r.msg for r in case.results or []] == ["legacy"]


def test_a_cel_only_template_has_no_rego_to_run(tmp_path: Path) -> None:
    run_inline(tmp_path, 'package fx\nviolation[{"msg": "x"}] { true }\n', version="v0")
    template = yaml.safe_load((tmp_path / "template.yaml").read_text())
    template["spec"]["targets"][0]["code"] = [{"engine": "K8sNativeValidation", "source": {"validations": []}}]
    (tmp_path / "template.yaml").write_text(yaml.safe_dump(template))
    (suite,) = discover([str(tmp_path)])
    result = Runner().run_suite(suite).tests[0]
    assert result.failed and "no language driver" in (result.error or "")


# --- where regorus needs the compatibility pre-pass to give OPA's verdict ----------------------


def test_chained_rule_bodies_are_separate_rules(tmp_path: Path) -> None:
    rego = """\
        package fx
        kind_of(obj) = k { obj.kind == "Pod"; k := "pod" } { obj.kind == "Service"; k := "service" }
        violation[{"msg": "a"}] { input.review.object.a } { input.review.object.b }
        violation[{"msg": msg}] { msg := kind_of(input.review.object) }
        """
    obj = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "b": True}
    assert sorted(messages(run_inline(tmp_path, rego, obj))) == ["a", "service"]


def test_a_line_starting_with_a_parenthesis_is_a_new_expression(tmp_path: Path) -> None:
    rego = """\
        package fx
        violation[{"msg": "spread too small"}] {
          input.parameters.spread
          (input.review.object.max - input.review.object.min) < input.parameters.spread
        }
        """
    obj = {"apiVersion": "v1", "kind": "X", "metadata": {"name": "x"}, "max": 3, "min": 2}
    schema = {"type": "object", "properties": {"spread": {"type": "integer"}}}
    assert messages(run_inline(tmp_path, rego, obj, parameters={"spread": 2}, schema=schema)) == ["spread too small"]


def test_operands_of_a_call_under_not_are_evaluated_outside_the_negation(tmp_path: Path) -> None:
    # OPA (compile stages RewriteExprTerms, RewriteDynamicTerms; OPA issues #1877, #8387):
    # `not f(x, input.parameters.missing)` fails the body when the argument is undefined;
    # regorus alone would make every one of these `not`s succeed.
    rego = """\
        package fx
        import future.keywords.in
        allowed(_, _) = true
        violation[{"msg": "call"}] { not allowed(1, input.parameters.missing) }
        violation[{"msg": "builtin"}] { not is_object(input.review.object.spec.missing) }
        violation[{"msg": "inequality"}] { not input.parameters.missing != 1 }
        violation[{"msg": "membership"}] { not 1 in input.parameters.missing }
        violation[{"msg": "bracket"}] { not input.review.object[input.parameters.missing] }
        violation[{"msg": "nested call"}] { not count(input.parameters.missing) > 0 }
        violation[{"msg": "equality"}] { not input.parameters.missing == 1 }
        violation[{"msg": "unification"}] { not input.parameters.missing = 1 }
        violation[{"msg": "term"}] { not input.parameters.missing }
        """
    schema = {"type": "object", "properties": {"present": {"type": "string"}}}
    # `==` is rewritten to `=` before the operands would be hoisted, so it stays inside the negation.
    assert sorted(messages(run_inline(tmp_path, rego, parameters={}, schema=schema))) == ["equality", "term", "unification"]


def test_sprintf_with_too_few_or_too_many_arguments_formats_like_go(tmp_path: Path) -> None:
    rego = """\
        package fx
        violation[{"msg": sprintf("a=%v b=%v", [1])}] { true }
        violation[{"msg": sprintf("a=%v", [1, "x"])}] { true }
        """
    assert sorted(messages(run_inline(tmp_path, rego))) == ["a=1 b=%!v(MISSING)", "a=1%!(EXTRA string=x)"]


def test_deprecated_builtins_work_in_v0_templates(tmp_path: Path) -> None:
    rego = """\
        package fx
        violation[{"msg": "re_match"}] { re_match("^ng", "nginx") }
        violation[{"msg": "any"}] { any([false, true]) }
        violation[{"msg": "all"}] { all([true, true]) }
        violation[{"msg": "not all"}] { all([true, false]) }
        """
    assert sorted(messages(run_inline(tmp_path, rego))) == ["all", "any", "re_match"]


# --- assertions and Go regular expressions ------------------------------------------------------


def test_assertions_count_matching_messages() -> None:
    results = [Result("container <a> has no limits"), Result("container <b> has no limits"), Result("other")]
    assert check_assertion("yes", None, results) is None
    assert check_assertion(3, None, results) is None
    assert check_assertion(2, "^container <", results) is None
    assert check_assertion("no", "missing", results) is None
    failure = check_assertion(1, "limits", results)
    assert failure == ('unexpected number of violations: got 2 violations containing "limits" but want exactly 1: '
                       "got messages [container <a> has no limits container <b> has no limits other]")
    assert check_assertion("yes", None, []) == "unexpected number of violations: got 0 violations but want at least 1: got messages []"
    with pytest.raises(ValueError):
        check_assertion("maybe", None, results)
    with pytest.raises(ValueError):
        check_assertion(-1, None, results)


@pytest.mark.parametrize(("pattern", "text", "expected"), [
    ("abc$", "abc\n", False),            # Go's $ is the end of the text
    ("(?m)abc$", "abc\nx", True),
    (r"abc\z", "abc", True),
    ("[[:digit:]]+", "a12", True),
    ("[[:alpha:]]", "123", False),
    (r"(?<name>x)", "x", True),
    (r"\Qa.b\E", "a.b", True),
    (r"\Qa.b\E", "axb", False),
    (r"\d", "\u0663", False),            # ASCII digits only, as in Go
    ("a{,2}", "a{,2}", True),            # literal in RE2
    ("(?i)NGINX", "nginx", True),
])
def test_re2_translation(pattern: str, text: str, expected: bool) -> None:
    assert bool(compile_re2(pattern).search(text)) is expected, re2_to_python(pattern)


@pytest.mark.parametrize("pattern", [r"(?=x)", r"(?!x)", r"(?<=x)", r"(a)\1", r"a*+", r"\pL", "(", r"\Z"])
def test_re2_rejects_what_go_rejects(pattern: str) -> None:
    with pytest.raises(ValueError, match="invalid regular expression"):
        compile_re2(pattern)
