"""The embedded engine with real regorus: batching, faults isolated per rule and resource."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from astra_guard.engine.rego_embedded import EmbeddedRegoEngine, clean_error
from astra_guard.errors import PolicyError
from astra_guard.findings import Severity
from astra_guard.model import Resource, Span
from astra_guard.rules.meta import RuleMeta


def meta(rule_id: str, package: str) -> RuleMeta:
    return RuleMeta(
        id=rule_id, title="t", severity=Severity.HIGH, checklist_item=None, rationale="r",
        remediation="Fix it.", family="kubernetes", engine="rego", source="x.rego", package=package,
    )


def policy(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / f"{name}.rego"
    path.write_text(f"package test.{name}\n\n{body}\n")
    return path


def pod(name: str, **extra: object) -> Resource:
    data = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, **extra}
    return Resource("kubernetes", "Pod", name, "p.yaml", data, {(): Span("p.yaml", 1, 1, 1, 1)})


def test_one_evaluation_judges_every_resource_and_returns_paths(tmp_path: Path) -> None:
    rule = policy(tmp_path, "named", 'violation contains {"msg": input.review.object.metadata.name, "details": {"path": ["metadata", "name"]}} if input.review.object.metadata.name != "ok"')
    engine = EmbeddedRegoEngine([(meta("test-named", "test.named"), rule)], [], {})
    found, faults = engine.evaluate([pod("ok"), pod("bad"), pod("worse")])
    assert faults == []
    assert sorted((rid, v.resource.name, v.path, v.message) for rid, v in found) == [
        ("test-named", "bad", ("metadata", "name"), "bad"),
        ("test-named", "worse", ("metadata", "name"), "worse"),
    ]


def test_parameters_reach_the_rule_as_input_parameters(tmp_path: Path) -> None:
    rule = policy(tmp_path, "param", 'violation contains {"msg": "limit"} if count(input.review.object.metadata.name) > input.parameters.max')
    engine = EmbeddedRegoEngine([(meta("test-param", "test.param"), rule)], [], {"test-param": {"max": 3}})
    found, _ = engine.evaluate([pod("abc"), pod("abcd")])
    assert [v.resource.name for _, v in found] == ["abcd"]


def test_a_rule_error_on_one_resource_is_a_fault_for_that_resource_and_other_rules_still_run(tmp_path: Path) -> None:
    broken = policy(tmp_path, "broken", 'violation contains {"msg": "x"} if { to_number(input.review.object.metadata.name) > 1 }')
    fine = policy(tmp_path, "fine", 'violation contains {"msg": "always"} if input.review.object.kind == "Pod"')
    engine = EmbeddedRegoEngine(
        [(meta("test-broken", "test.broken"), broken), (meta("test-fine", "test.fine"), fine)], [], {}
    )
    found, faults = engine.evaluate([pod("5"), pod("not-a-number")])
    assert sorted((rid, v.resource.name) for rid, v in found) == [
        ("test-broken", "5"), ("test-fine", "5"), ("test-fine", "not-a-number"),
    ]
    assert [(f.rule_id, f.resource.name if f.resource else None) for f in faults] == [("test-broken", "not-a-number")]
    assert "Stack backtrace" not in faults[0].message


def test_a_rust_panic_inside_regorus_is_caught_as_a_fault(tmp_path: Path) -> None:
    panicky = policy(tmp_path, "panicky", 'violation contains {"msg": "n"} if strings.count(input.review.object.metadata.name, "") > 0')
    engine = EmbeddedRegoEngine([(meta("test-panicky", "test.panicky"), panicky)], [], {})
    found, faults = engine.evaluate([pod("dummy")])
    assert found == [] and [f.rule_id for f in faults] == ["test-panicky"]


def test_a_builtin_regorus_lacks_is_refused_at_load_time_with_file_and_line(tmp_path: Path) -> None:
    rule = policy(tmp_path, "jwt", '\nviolation contains {"msg": "x"} if io.jwt.decode(input.review.object.token)')
    with pytest.raises(PolicyError, match=r"jwt\.rego:4: builtin 'io.jwt.decode' is not available"):
        EmbeddedRegoEngine([(meta("test-jwt", "test.jwt"), rule)], [], {})


def test_a_syntax_error_in_a_policy_is_a_policy_error_without_a_backtrace(tmp_path: Path) -> None:
    rule = policy(tmp_path, "syntax", "violation contains if {")
    with pytest.raises(PolicyError) as info:
        EmbeddedRegoEngine([(meta("test-syntax", "test.syntax"), rule)], [], {})
    assert "cannot compile the Rego policies" in str(info.value) and "Stack backtrace" not in str(info.value)


def test_clean_error_keeps_the_message_and_drops_the_rust_backtrace() -> None:
    assert clean_error(RuntimeError("boom\n  at x\nStack backtrace:\n 0: <unknown>")) == "boom at x"


def test_the_shipped_policies_call_no_builtin_regorus_lacks() -> None:
    """The scan trusts the shipped policies and skips this check at run time; this test is why."""
    import regorus as engine_module

    from astra_guard.engine.rego_embedded import check_builtins
    from astra_guard.rules.catalog import rego_root

    engine = engine_module.Engine()
    for path in sorted(rego_root().rglob("*.rego")):
        engine.add_policy(str(path), path.read_text())
    check_builtins(engine)  # raises PolicyError naming file, line and builtin


def test_a_rule_judges_only_the_kinds_its_metadata_names_as_its_constraint_matches_them(tmp_path: Path) -> None:
    rule = policy(tmp_path, "every", 'violation contains {"msg": input.review.object.kind}')
    scoped = RuleMeta(id="test-every", title="t", severity=Severity.HIGH, checklist_item=None, rationale="r",
                      remediation="Fix it.", family="kubernetes", engine="rego", source="x.rego",
                      package="test.every", kinds=("Deployment",))
    deployment = Resource("kubernetes", "Deployment", "d", "d.yaml", {"kind": "Deployment", "metadata": {"name": "d"}},
                          {(): Span("d.yaml", 1, 1, 1, 1)})
    found, _ = EmbeddedRegoEngine([(scoped, rule)], [], {}).evaluate([pod("p"), deployment])
    assert [v.message for _, v in found] == ["Deployment"]


def test_a_rule_scoped_by_api_group_judges_only_that_group_and_the_rest_never_reaches_regorus(tmp_path: Path) -> None:
    # The rule fails on any object without a numeric name: only an object it is given can fail it.
    rule = policy(tmp_path, "grouped", 'violation contains {"msg": input.review.object.kind} if to_number(input.review.object.metadata.name) > 0')
    scoped = RuleMeta(id="test-grouped", title="t", severity=Severity.HIGH, checklist_item=None, rationale="r",
                      remediation="Fix it.", family="kubernetes", engine="rego", source="x.rego",
                      package="test.grouped", groups=("constraints.gatekeeper.sh",))

    def resource(api_version: str, kind: str, name: str) -> Resource:
        data = {"apiVersion": api_version, "kind": kind, "metadata": {"name": name}}
        return Resource("kubernetes", kind, name, "c.yaml", data, {(): Span("c.yaml", 1, 1, 1, 1)}, api_version=api_version)

    resources = [pod("not-a-number"), resource("constraints.gatekeeper.sh/v1beta1", "K8sRequiredLabels", "1"),
                 resource("apps/v1", "K8sRequiredLabels", "x"), resource("constraints.gatekeeper.sh/v1", "Other", "2")]
    found, faults = EmbeddedRegoEngine([(scoped, rule)], [], {}).evaluate(resources)
    assert faults == []
    assert [(v.resource.kind, v.resource.name) for _, v in found] == [("K8sRequiredLabels", "1"), ("Other", "2")]
    both = dataclasses.replace(scoped, kinds=("K8sRequiredLabels",))  # kinds and groups: both must match
    found, faults = EmbeddedRegoEngine([(both, rule)], [], {}).evaluate(resources)
    assert faults == [] and [v.resource.name for _, v in found] == ["1"]


def test_chunks_shared_with_workers_give_the_verdicts_of_one_batch_in_the_same_order(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import astra_guard.engine.rego_embedded as embedded

    named = policy(tmp_path, "named", 'violation contains {"msg": input.review.object.metadata.name} if input.review.object.metadata.name != "ok"')
    broken = policy(tmp_path, "broken", 'violation contains {"msg": "x"} if { to_number(input.review.object.metadata.name) > 1 }')
    rules = [(meta("test-named", "test.named"), named), (meta("test-broken", "test.broken"), broken)]
    resources = [pod(name) for name in ("5", "ok", "bad", "7", "worse", "not-a-number", "9")]

    def verdicts() -> tuple[list[tuple[str, str, str]], list[tuple[str, str | None]]]:
        found, faults = EmbeddedRegoEngine(rules, [], {}).evaluate(resources)
        return ([(rid, v.resource.name, v.message) for rid, v in found],
                [(f.rule_id, f.resource.name if f.resource else None) for f in faults])

    one_batch = verdicts()
    monkeypatch.setattr(embedded, "CHUNK_RESOURCES", 2)
    monkeypatch.setattr(embedded, "PARALLEL_MIN_JUDGEMENTS", 0)
    assert verdicts() == one_batch
    assert one_batch[1] == [("test-broken", n) for n in ("ok", "bad", "worse", "not-a-number")]
