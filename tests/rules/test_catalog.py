"""The catalogue is the one metadata source: every rule complete, ids mapped to files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from astra_guard.errors import PolicyError
from astra_guard.rules.catalog import _validate, load_catalog, meta_from_rego, rego_root

SEVERITIES = {"critical", "high", "medium", "low", "info"}


def test_every_rule_declares_complete_metadata() -> None:
    for meta in load_catalog():
        assert meta.title and meta.rationale and meta.remediation.endswith("."), meta.id
        assert meta.severity.value in SEVERITIES
        assert meta.checklist_item in (None, 1, 2, 3, 4, 5, 6, 7)
        assert all(ref.startswith("https://") for ref in meta.references), meta.id
        assert all(p.description and p.default is not None for p in meta.params), meta.id


def test_rego_rule_files_follow_the_id_and_package_naming() -> None:
    catalog = load_catalog()
    for rule_id, path in catalog.rego_files.items():
        meta = catalog.get(rule_id)
        name = rule_id.split("-", 1)[1].replace("-", "_")
        assert path.relative_to(rego_root()).as_posix() == f"{meta.family}/{name}.rego"
        assert meta.package == f"astra.rules.{meta.family}.{name}"


def test_rego_sources_are_gatekeeper_compatible() -> None:
    """v1 syntax without `import rego.v1`, libs only under lib.*, data refs only to data.lib."""
    for path in rego_root().rglob("*.rego"):
        if path.name.endswith("_test.rego"):
            continue
        text = path.read_text()
        assert "import rego.v1" not in text, path
        for ref in re.findall(r"\bdata\.([\w.]+)", text):
            assert ref.startswith(("lib.", "inventory")), f"{path}: data.{ref}"


def test_item_1_is_covered_for_kubernetes_and_dockerfiles() -> None:
    ids = {m.id for m in load_catalog() if m.checklist_item == 1}
    assert ids == {
        "k8s-run-as-non-root", "k8s-read-only-root-filesystem", "k8s-seccomp-profile",
        "k8s-allow-privilege-escalation", "k8s-privileged-container", "k8s-capabilities",
        "k8s-host-namespaces", "k8s-host-path-volume", "k8s-image-user-mismatch",
        "docker-user-not-root", "docker-user-numeric",
    }


def test_custom_groups_scope_a_ci_only_rule_by_api_group_and_are_refused_on_an_exported_one(tmp_path: Path) -> None:
    def rule(extra: str) -> str:
        return ("# METADATA\n# title: T\n# description: D\n# custom:\n#   id: gk-x-y\n#   severity: low\n"
                f"#   family: kubernetes\n{extra}#   remediation: Fix it.\npackage astra.rules.kubernetes.x_y\n")

    meta = meta_from_rego(tmp_path / "x_y.rego", rule("#   groups: [constraints.gatekeeper.sh]\n"))
    assert meta.groups == ("constraints.gatekeeper.sh",)
    _validate(meta)
    with pytest.raises(PolicyError, match="custom.groups scopes only rules that stay CI only"):
        _validate(meta_from_rego(tmp_path / "x_y.rego", rule("#   admission: true\n#   groups: [apps]\n")))
    with pytest.raises(PolicyError, match="custom.groups must be a list"):
        meta_from_rego(tmp_path / "x_y.rego", rule("#   groups: apps\n"))
    assert load_catalog().get("gk-enforcement-action").groups == ("constraints.gatekeeper.sh",)
