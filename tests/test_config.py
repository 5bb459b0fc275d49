"""`.astra-guard.yaml`: validated, every setting reaching the scan, bad keys named."""

from __future__ import annotations

from pathlib import Path

import pytest

from astra_guard.config import Config, load_config
from astra_guard.errors import UsageError
from astra_guard.findings import Severity
from astra_guard.scan import ScanOptions, scan

RULES = {"k8s-capabilities", "k8s-run-as-non-root"}
PRIVILEGED_ADD = """apiVersion: v1
kind: Pod
metadata: {name: p, namespace: apps}
spec:
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
    - name: app
      image: r/app:1
      securityContext:
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities: {drop: [ALL], add: [NET_ADMIN]}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / ".astra-guard.yaml"
    path.write_text(text)
    return path


def test_no_config_file_means_defaults(tmp_path: Path) -> None:
    assert load_config(None, tmp_path, RULES) == Config()


def test_the_contract_keys_load_into_settings(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, """
gateway: {namespace_selector: {team: edge}, also_admit: [{kubernetes.io/metadata.name: monitoring}]}
registries: {allowed: ["ghcr.io/org/"]}
capabilities: {allowed_add: [NET_BIND_SERVICE, NET_ADMIN]}
kubernetes: {target_version: "1.30"}
rules: {disabled: [k8s-run-as-non-root], severity: {k8s-capabilities: low}}
exclude: ["examples/**"]
"""), tmp_path, RULES)
    assert config.settings == {
        "gateway_namespace_selector": {"team": "edge"},
        "also_admit_namespace_selectors": [{"kubernetes.io/metadata.name": "monitoring"}],
        "allowed_registries": ["ghcr.io/org/"],
        "allowed_add": ["NET_BIND_SERVICE", "NET_ADMIN"],
    }
    assert config.disabled_rules == {"k8s-run-as-non-root"}
    assert config.severity == {"k8s-capabilities": Severity.LOW}
    assert config.target_version == "1.30"
    assert config.excluded("examples/seed/k8s/a.yaml") and config.excluded("examples")
    assert not config.excluded("k8s/examples.yaml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("gateway:\n  selector: {a: b}\n", r":2: unknown key 'gateway.selector'"),
        ("gateway:\n  also_admit: [{}]\n", r":2: gateway.also_admit.0: .*"),
        ("registries:\n  allowed: ghcr.io\n", r":2: registries.allowed: 'ghcr.io' is not of type 'array'"),
        ("kubernetes:\n  target_version: 1.29\n", r":2: kubernetes.target_version: 1.29 is not of type 'string'"),
        ("rules:\n  disabled:\n    - k8s-nope\n", r":3: rules.disabled: unknown rule id 'k8s-nope'"),
        ("exclude: [\n", r"invalid configuration .*: invalid YAML"),
        ("colour: blue\n", r":1: unknown key 'colour'"),
    ],
)
def test_a_bad_config_is_a_usage_error_naming_key_line_and_reason(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        load_config(write(tmp_path, text), tmp_path, RULES)


def test_settings_severity_overrides_and_disabled_rules_reach_the_scan(tmp_path: Path) -> None:
    (tmp_path / "pod.yaml").write_text(PRIVILEGED_ADD)

    def capability_findings(options: ScanOptions | None = None) -> list[Severity]:
        return [f.severity for f in scan([tmp_path], options).findings if f.rule_id == "k8s-capabilities"]

    assert capability_findings(ScanOptions(root=tmp_path)) == [Severity.MEDIUM]
    write(tmp_path, "rules: {severity: {k8s-capabilities: critical}}\n")
    assert capability_findings() == [Severity.CRITICAL]
    write(tmp_path, "capabilities: {allowed_add: [NET_ADMIN]}\n")
    assert capability_findings() == []
    write(tmp_path, "rules: {disabled: [k8s-capabilities]}\n")
    assert capability_findings() == []


def test_excluded_paths_are_not_loaded(tmp_path: Path) -> None:
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "fixtures" / "pod.yaml").write_text(PRIVILEGED_ADD)
    write(tmp_path, "exclude: ['fixtures/**']\n")
    result = scan([tmp_path])
    assert result.files == [] and result.findings == []


def test_target_version_comes_from_the_flag_then_config_then_terraform(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('module "eks" {\n  source = "terraform-aws-modules/eks/aws"\n  cluster_version = "1.28"\n}\n')
    assert scan([tmp_path]).target_version == "1.28"
    write(tmp_path, 'kubernetes: {target_version: "1.31"}\n')
    assert scan([tmp_path]).target_version == "1.31"
    assert scan([tmp_path], ScanOptions(k8s_version="1.33")).target_version == "1.33"


def test_policy_dirs_may_not_leave_the_scan_root_through_dots_or_links(tmp_path: Path) -> None:
    repo, outside = tmp_path / "repo", tmp_path / "elsewhere"
    (repo / "policies").mkdir(parents=True)
    outside.mkdir()
    (repo / "linked").symlink_to(outside)
    for entry, line in (("../elsewhere", 3), ("linked", 3)):
        (repo / ".astra-guard.yaml").write_text(f"policy_dirs:\n  - policies\n  - {entry}\n")
        config = load_config(None, repo)
        with pytest.raises(UsageError) as refused:
            config.policy_paths(repo)
        assert str(refused.value).startswith(f"invalid configuration {repo / '.astra-guard.yaml'}:{line}: policy_dirs: "
                                             f"'{entry}' is outside the scan root ({outside})")
        assert "--policy-dir" in str(refused.value)
    (repo / ".astra-guard.yaml").write_text("policy_dirs: [policies, ./policies/]\n")
    assert load_config(None, repo).policy_paths(repo) == (repo / "policies", repo / "policies")
