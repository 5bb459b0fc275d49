"""Differential test: the embedded engine (regorus) against the Go OPA engine, the one Gatekeeper embeds.

Every rule fixture (tests/rules/<family>/<rule>/{pass,fail}/<case>) is scanned as its own rule
test scans it. The scan's Rego evaluation is recorded (rules, parameters, resources, what regorus
found), and every Rego rule of the catalogue, not only the fixture's own, is evaluated again
by the Go OPA engine on exactly those inputs, through the driver `--engine opa` uploads
(referential rules read `data.inventory` the same way). The verdicts must be equal: the same
violations (rule, resource, `msg`, `details.path`, severity) and faults on the same resources.
Every `*_test.rego` must pass on both engines.

Where the engines differ, the rule is written so both agree, and the difference is recorded
with a minimal reproduction in docs/engine-differences.md; this test is not relaxed for it.

The Go engine comes from `opa-golib-python-bindings`, which CI installs with
`pip install --no-deps --ignore-requires-python opa-golib-python-bindings==0.4.4`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

opa_bindings = pytest.importorskip(
    "opa_bindings", reason="the Go OPA engine is not installed; .ci/run installs it with "
    "pip install --no-deps --ignore-requires-python opa-golib-python-bindings==0.4.4")

from astra_guard.engine.rego_embedded import EmbeddedRegoEngine, RuleFault, _violation, policy_name
from astra_guard.engine.rego_opa import build_batch, driver_source
from astra_guard.findings import Violation
from astra_guard.model import Resource
from astra_guard.policytest import run_tests
from astra_guard.rules.catalog import load_catalog, rego_root
from astra_guard.rules.meta import RuleMeta
from astra_guard.scan import ScanOptions, scan
from tests.conftest import REPO

FIXTURES = REPO / "tests" / "rules"
Verdict = tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]


def fixture_cases() -> list[Path]:
    return sorted(
        case
        for kind in ("pass", "fail")
        for folder in FIXTURES.glob(f"*/*/{kind}")
        for case in folder.iterdir()
        if case.suffix != ".expected"
    )


class GoOpa:
    """The Go OPA engine with the rule bundle loaded once; one driver per distinct set of parameters."""

    def __init__(self) -> None:
        self.engine = opa_bindings.OpaEngine()
        self.loaded: set[str] = set()

    def _add(self, name: str, source: str) -> None:
        if name not in self.loaded:
            self.engine.add_policy(name, source)
            self.loaded.add(name)

    def evaluate(self, rules: list[tuple[RuleMeta, Path]], libs: list[Path], params: dict[str, dict[str, Any]],
                 trusted: Path | None, resources: list[Resource]) -> tuple[list[tuple[str, Violation]], list[RuleFault]]:
        for path in [*libs, *(p for _, p in rules)]:
            name = policy_name(path) if trusted and path.is_relative_to(trusted) else str(path)
            self._add(name, path.read_text(encoding="utf-8"))
        key = json.dumps([[m.id for m, _ in rules], params], sort_keys=True)
        package = f"astra_guard.diff_{hashlib.sha256(key.encode()).hexdigest()[:16]}"
        self._add(f"{package}.rego", driver_source(package, rules, params))
        batch, by_family = build_batch(rules, resources)
        try:
            whole = self.engine.eval_document(package, batch)
        except opa_bindings.OpaError:
            whole = None
        found: list[tuple[str, Violation]] = []
        faults: list[RuleFault] = []
        for index, (meta, _) in enumerate(rules):
            members = by_family.get(meta.family, [])
            for position, resource in enumerate(members):
                if whole is not None:
                    results = [v for i, v in whole.get(f"r{index}", []) if i == position]
                else:
                    try:
                        single = {**batch, meta.family: [batch[meta.family][position]]}
                        results = [v for _, v in self.engine.eval_document(f"{package}.r{index}", single)]
                    except opa_bindings.OpaError as exc:
                        faults.append(RuleFault(meta.id, resource, str(exc)))
                        continue
                found += [(meta.id, _violation(resource, v, meta.id)) for v in results]
        return found, faults


@pytest.fixture(scope="module")
def go_opa() -> Iterator[GoOpa]:
    opa = GoOpa()
    yield opa
    opa.engine.close()


def verdict(found: list[tuple[str, Violation]], faults: list[RuleFault]) -> Verdict:
    violations = {(rule_id, v.resource.file, v.resource.identity, v.message, v.path, v.severity) for rule_id, v in found}
    failed = {(f.rule_id, f.resource.file if f.resource else None, f.resource.identity if f.resource else None) for f in faults}
    return violations, failed


def recorded_scan(paths: list[Path], options: ScanOptions, monkeypatch: pytest.MonkeyPatch) -> list[tuple[tuple[Any, ...], list[Resource], Verdict]]:
    """Scan, recording each Rego evaluation: (engine arguments, resources, regorus' verdict)."""
    calls: list[tuple[tuple[Any, ...], list[Resource], Verdict]] = []

    class Recording(EmbeddedRegoEngine):
        def __init__(self, rules: Any, libs: Any, params: Any, trusted: Path | None = None) -> None:
            super().__init__(rules, libs, params, trusted=trusted)
            self.arguments = (rules, libs, params, trusted)

        def evaluate(self, resources: list[Resource], **kwargs: Any) -> tuple[list[tuple[str, Violation]], list[RuleFault]]:
            found, faults = super().evaluate(resources, **kwargs)
            calls.append((self.arguments, resources, verdict(found, faults)))
            return found, faults

    monkeypatch.setattr("astra_guard.scan.EmbeddedRegoEngine", Recording)
    scan(paths, options)
    return calls


@pytest.mark.parametrize("case", fixture_cases(), ids=lambda c: str(c.relative_to(FIXTURES)))
def test_regorus_and_the_go_opa_engine_agree_on_every_rule_for_the_fixture(
    case: Path, go_opa: GoOpa, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = recorded_scan([case], ScanOptions(root=case if case.is_dir() else case.parent), monkeypatch)
    assert calls, "the scan evaluated no Rego"
    for (rules, libs, params, trusted), resources, regorus in calls:
        assert {m.id for m, _ in rules} >= {m.id for m in load_catalog() if m.engine == "rego"} or not rules
        opa = verdict(*go_opa.evaluate(rules, libs, params, trusted, resources))
        assert opa[1] == regorus[1], "the engines fail on different rules or resources"
        assert sorted(opa[0], key=repr) == sorted(regorus[0], key=repr)


def test_every_rego_unit_test_passes_on_both_engines() -> None:
    catalog = load_catalog()
    results = run_tests([rego_root()], catalog.rego_libs)
    assert len(results) >= 20
    assert [r.name for r in results if r.outcome != "PASS"] == [], "regorus"
    engine = opa_bindings.OpaEngine()
    try:
        files = sorted(rego_root().rglob("*.rego"))
        for path in files:
            engine.add_policy(str(path), path.read_text(encoding="utf-8"))
        packages: dict[str, list[str]] = {}
        for result in results:
            package, _, name = result.name.removeprefix("data.").rpartition(".")
            packages.setdefault(package, []).append(name)
        # One query for every test package: preparing a query (compiling it) is what costs time.
        query = "x := {" + ", ".join(f"{json.dumps(p)}: data.{p}" for p in packages) + "}"
        try:
            documents = engine.eval_query(query)[0]["x"]
        except opa_bindings.OpaError as exc:
            documents = {p: {name: f"error: {exc}" for name in names} for p, names in packages.items()}
        failing = [
            f"data.{package}.{name}: {documents[package].get(name, 'undefined')}"
            for package, names in packages.items()
            for name in names
            if documents[package].get(name) is not True
        ]
        assert failing == [], "the Go OPA engine"
    finally:
        engine.close()


NUMERIC_NAMES = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: 2024
  namespace: 2024
spec:
  selector: {matchLabels: {app: 7}}
  strategy: {type: Recreate}
  template:
    metadata: {labels: {app: 7}}
    spec:
      containers:
        - name: 1
          image: "nginx:1"
          securityContext: {runAsNonRoot: 0, seccompProfile: {type: 3}, capabilities: {add: [9]}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: 1, namespace: 2024}
rules:
  - apiGroups: [""]
    resources: [secrets, 8]
    verbs: [list, 6]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: 3, namespace: 2024}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0, except: [4]}}]}]
"""


def test_the_engines_agree_when_yaml_gives_numbers_where_names_belong(tmp_path: Path, go_opa: GoOpa,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """`name: 2024` is a number in YAML: `sprintf("%s", [2024])` is "2024" in regorus, "%!s(int64=2024)" in OPA."""
    (tmp_path / "numeric.yaml").write_text(NUMERIC_NAMES)
    calls = recorded_scan([tmp_path], ScanOptions(root=tmp_path), monkeypatch)
    (rules, libs, params, trusted), resources, regorus = calls[0]
    assert len(regorus[0]) > 5
    opa = verdict(*go_opa.evaluate(rules, libs, params, trusted, resources))
    assert opa[1] == regorus[1]
    differences = sorted(f"regorus {v[0]}: {v[3]}" for v in regorus[0] - opa[0])
    differences += sorted(f"OPA {v[0]}: {v[3]}" for v in opa[0] - regorus[0])
    assert differences == [], "\n".join(differences)


HOISTED_NOT = """# METADATA
# title: Hoisted not
# description: A rule with the not-with-an-undefined-operand pattern.
# custom:
#   id: acme-hoisted-not
#   severity: low
#   checklist_item: 7
#   family: kubernetes
#   remediation: None.
package acme.hoisted_not

violation contains {"msg": "no blueGreen object", "details": {"path": ["spec"]}} if {
\tnot is_object(input.review.object.spec.blueGreen)
}
"""


def test_the_harness_sees_the_known_not_difference(tmp_path: Path, go_opa: GoOpa, monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison can fail: `not f(x.missing)` is true in regorus, undefined in OPA (docs/engine-differences.md §1)."""
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "hoisted_not.rego").write_text(HOISTED_NOT)
    (tmp_path / "rollout.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nspec: {}\n")
    calls = recorded_scan([tmp_path / "rollout.yaml"], ScanOptions(root=tmp_path, policy_dirs=(tmp_path / "policies",)), monkeypatch)
    (rules, libs, params, trusted), resources, regorus = calls[0]
    opa = verdict(*go_opa.evaluate(rules, libs, params, trusted, resources))
    assert {v[3] for v in regorus[0] if v[0] == "acme-hoisted-not"} == {"no blueGreen object"}
    assert {v[3] for v in opa[0] if v[0] == "acme-hoisted-not"} == set()
