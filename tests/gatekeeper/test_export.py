"""The exported Gatekeeper side: valid templates, byte-stable output, and the same verdicts as the scan."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import regorus
import yaml

from astra_guard.cli import main
from astra_guard.gatekeeper.export import constraint_kind, exportable, plan_export
from astra_guard.rules.catalog import load_catalog
from tests.conftest import REPO, SHARED


@pytest.fixture(scope="module")
def plan():  # noqa: ANN201
    catalog = load_catalog()
    return plan_export(catalog, {m.id: m.default_params() for m in catalog})


def template_schema() -> dict:
    crd = next(yaml.safe_load_all((SHARED / "schemas/constrainttemplate-customresourcedefinition.yaml").read_text()))
    (v1,) = [v for v in crd["spec"]["versions"] if v["name"] == "v1"]
    return v1["schema"]["openAPIV3Schema"]


def templates(plan) -> dict[str, dict]:  # noqa: ANN001
    return {rel: yaml.safe_load(text) for rel, text in plan.files.items() if rel.startswith("templates/")}


def test_every_admission_rule_is_exported_and_every_template_validates_against_the_crd(plan) -> None:  # noqa: ANN001
    catalog = load_catalog()
    exported = {t["metadata"]["annotations"]["astra-guard.io/rule-id"] for t in templates(plan).values()}
    assert exported == {m.id for m in catalog if exportable(m)} and exported
    schema = template_schema()
    for rel, doc in templates(plan).items():
        jsonschema.Draft4Validator(schema).validate(doc)
        kind = doc["spec"]["crd"]["spec"]["names"]["kind"]
        assert doc["metadata"]["name"] == kind.lower() == Path(rel).stem
        source = doc["spec"]["targets"][0]["code"][0]["source"]
        assert source["version"] == "v1" and "import rego.v1" not in source["rego"]
        for lib in source["libs"]:
            assert re.search(r"^package lib\.\w+", lib, re.MULTILINE)
        for ref in re.findall(r"\bdata\.([\w.]+)", source["rego"] + "".join(source["libs"])):
            assert ref.startswith(("lib.", "inventory")), (rel, ref)


def test_constraints_match_every_kind_of_their_rule_and_exclude_system_namespaces(plan) -> None:  # noqa: ANN001
    constraint = yaml.safe_load(plan.files[f"constraints/{constraint_kind('k8s-run-as-non-root').lower()}.yaml"])
    kinds = {k for entry in constraint["spec"]["match"]["kinds"] for k in entry["kinds"]}
    assert {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob", "Rollout"} <= kinds
    assert {"argoproj.io"} in [set(e["apiGroups"]) for e in constraint["spec"]["match"]["kinds"] if "Rollout" in e["kinds"]]
    assert constraint["spec"]["match"]["excludedNamespaces"] == ["kube-system", "gatekeeper-system"]
    assert constraint["spec"]["enforcementAction"] == "deny"


def test_the_export_is_byte_stable(plan) -> None:  # noqa: ANN001
    catalog = load_catalog()
    assert plan_export(catalog, {m.id: m.default_params() for m in catalog}).files == plan.files


def inventory_of(objects: list[dict]) -> dict:
    """data.inventory as Gatekeeper's sync builds it."""
    inventory: dict = {"cluster": {}, "namespace": {}}
    for o in objects:
        ns = o["metadata"].get("namespace", "default")
        inventory["namespace"].setdefault(ns, {}).setdefault(o["apiVersion"], {}).setdefault(o["kind"], {})[o["metadata"]["name"]] = o
    return inventory


def violations_at_admission(template: dict, obj: dict, parameters: dict, inventory: list[dict] = ()) -> set[str]:
    source = template["spec"]["targets"][0]["code"][0]["source"]
    engine = regorus.Engine()
    engine.add_data_json(json.dumps({"inventory": inventory_of(list(inventory))}))
    for i, lib in enumerate(source["libs"]):
        engine.add_policy(f"lib{i}.rego", lib)
    engine.add_policy("template.rego", source["rego"])
    package = re.search(r"^package ([\w.]+)", source["rego"], re.MULTILINE).group(1)
    group, _, version = obj.get("apiVersion", "").rpartition("/")
    review = {"kind": {"group": group, "version": version, "kind": obj.get("kind")}, "object": obj,
              "name": obj.get("metadata", {}).get("name", ""), "namespace": obj.get("metadata", {}).get("namespace", "")}
    engine.set_input_json(json.dumps({"review": review, "parameters": parameters}))
    return {v["msg"] for v in json.loads(engine.eval_rule_as_json(f"data.{package}.violation"))}


def test_ci_and_admission_agree_on_every_kubernetes_fixture(plan) -> None:  # noqa: ANN001
    """Each suite case's expectation is the scan's count; the template, run as Gatekeeper runs it, must match."""
    checked = 0
    for rel, text in sorted(plan.files.items()):
        if not rel.endswith("/suite.yaml"):
            continue
        suite = yaml.safe_load(text)
        folder = Path(rel).parent
        (test,) = suite["tests"]
        assert test["template"] == f"../../templates/{Path(test['template']).name}"
        template = yaml.safe_load(plan.files[f"templates/{Path(test['template']).name}"])
        constraint = yaml.safe_load(plan.files[(folder / test["constraint"]).as_posix()])
        for case in test["cases"]:
            obj = yaml.safe_load(plan.files[(folder / case["object"]).as_posix()])
            expected = case["assertions"][0]["violations"]
            inventory = [d for rel_inv in case.get("inventory", [])
                         for d in yaml.safe_load_all(plan.files[(folder / rel_inv).as_posix()]) if d]
            got = violations_at_admission(template, obj, constraint["spec"].get("parameters", {}), inventory)
            assert len(got) == (0 if expected == "no" else expected), (rel, case["name"], got)
            checked += 1
    assert checked >= 30


def test_check_passes_on_a_fresh_export_and_fails_when_stale(tmp_path: Path) -> None:
    out = tmp_path / "constraints"
    assert main(["gatekeeper", "export", "--output-dir", str(out)]) == 0
    assert main(["gatekeeper", "export", "--output-dir", str(out), "--check"]) == 0
    victim = next((out / "templates").iterdir())
    victim.write_text(victim.read_text() + "# edited\n")
    (out / "templates" / "astraold.yaml").write_text("x: 1\n")
    assert main(["gatekeeper", "export", "--output-dir", str(out), "--check"]) == 1


def test_the_checked_in_constraints_directory_is_up_to_date() -> None:
    assert main(["gatekeeper", "export", "--output-dir", str(REPO / "constraints"), "--check"]) == 0


def test_the_exported_suites_pass_gatekeeper_verify() -> None:
    """gator's own format, run by the embedded engine: admission reaches the scan's verdicts."""
    assert main(["gatekeeper", "verify", str(REPO / "constraints")]) == 0


def test_a_referential_rule_declares_its_sync_needs_and_the_export_ships_the_config(plan) -> None:  # noqa: ANN001
    template = yaml.safe_load(plan.files["templates/astrak8snetpoldefaultdeny.yaml"])
    needs = json.loads(template["metadata"]["annotations"]["metadata.gatekeeper.sh/requires-sync-data"])
    assert needs == [[{"groups": ["networking.k8s.io"], "versions": ["v1"], "kinds": ["NetworkPolicy"]}]]
    config = yaml.safe_load(plan.files["sync/config.yaml"])
    assert config["kind"] == "Config" and config["metadata"] == {"name": "config", "namespace": "gatekeeper-system"}
    assert {"group": "networking.k8s.io", "version": "v1", "kind": "NetworkPolicy"} in config["spec"]["sync"]["syncOnly"]
    assert "sync/config.yaml" in yaml.safe_load(plan.files["kustomization.yaml"])["resources"]
