"""Unquoted scalars typed as their consumer types them (see `yaml_schemas` for the sources)."""

from __future__ import annotations

import pytest

from astra_guard.loaders import load_text
from astra_guard.loaders.yaml_schemas import go_yaml_v2, kubernetes_key, pyyaml_1_1, yaml_1_2_core


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("y", True), ("Yes", True), ("ON", True), ("true", True), ("n", False), ("off", False), ("FALSE", False),
        ("", None), ("~", None), ("Null", None),
        ("010", 8), ("0o10", 8), ("-0o10", -8), ("0x1F", 31), ("0b101", 5), ("1_000", 1000), ("+7", 7), ("0", 0),
        ("09", 9.0), ("1e3", 1000.0), ("1.5", 1.5), (".5", 0.5), ("0.", 0.0),
        ("99999999999999999999", 99999999999999999999),  # out of int64: go-yaml still reads an integer
        ("1:20", "1:20"), ("2026-01-01", "2026-01-01"), (".nan", ".nan"), ("-.inf", "-.inf"), ("1e400", "1e400"),
        ("0x", "0x"), ("yes please", "yes please"), ("_1", "_1"), ("1__0", 10),
    ],
)
def test_kubernetes_values_are_typed_like_go_yaml_v2(text: str, value: object) -> None:
    assert go_yaml_v2(text) == value and type(go_yaml_v2(text)) is type(value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("true", True), ("False", False), ("yes", "yes"), ("on", "on"), ("y", "y"), ("", None), ("~", None),
        ("010", 10), ("0o10", 8), ("0x1F", 31), ("-3", -3), ("1e3", 1000.0), ("0b101", "0b101"), ("1_000", "1_000"),
    ],
)
def test_github_actions_values_are_typed_like_the_runner_yaml_1_2_core(text: str, value: object) -> None:
    assert yaml_1_2_core(text) == value and type(yaml_1_2_core(text)) is type(value)


def test_astra_guards_own_files_keep_pyyaml_1_1() -> None:
    assert [pyyaml_1_1(t) for t in ("yes", "010", "1:20", "2026-01-01", "1e3")] == [True, 8, 80, "2026-01-01", "1e3"]


def test_kubernetes_keys_become_the_strings_kubectl_sends() -> None:
    assert [kubernetes_key(k) for k in ("on", "y", "010", "0x10", "name")] == ["true", "true", "8", "16", "name"]
    for key in ("~", "1.5"):
        with pytest.raises(ValueError, match="quote it"):
            kubernetes_key(key)


POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
  labels: {on: a, '010': b}
spec:
  hostPID: y
  containers:
    - name: c
      image: nginx
      securityContext: {privileged: "y", runAsUser: 0o0, runAsGroup: 09}
"""


def test_a_kubernetes_object_reads_what_the_api_server_reads() -> None:
    data = load_text(POD, "pod.yaml", "kubernetes").resources[0].data
    assert data["metadata"]["labels"] == {"true": "a", "010": "b"}  # quoted keys stay as written
    assert data["spec"]["hostPID"] is True
    assert data["spec"]["containers"][0]["securityContext"] == {"privileged": "y", "runAsUser": 0, "runAsGroup": 9.0}


def test_keys_the_api_server_merges_are_duplicates_and_a_null_key_is_an_error() -> None:
    result = load_text("apiVersion: v1\nkind: ConfigMap\ndata:\n  on: a\n  true: b\n", "cm.yaml", "kubernetes")
    assert [(e.line, e.message.split(":")[0]) for e in result.errors] == [
        (5, "duplicate key 'true' (kubectl reads it as 'true', like 'on' on line 4)")
    ]
    result = load_text("apiVersion: v1\nkind: ConfigMap\ndata:\n  ~: a\n", "cm.yaml", "kubernetes")
    assert result.resources == [] and [(e.line, e.message) for e in result.errors] == [
        (4, "the key '~' is null to kubectl, which rejects it; quote it")
    ]


WORKFLOW = """\
on: push
jobs:
  scan:
    runs-on: ubuntu-latest
    continue-on-error: yes
    timeout-minutes: 010
    steps:
      - run: trivy image x
"""


def test_a_workflow_reads_what_github_reads_wherever_it_lives() -> None:
    for path, family in ((".github/workflows/ci.yml", "github-actions"), ("ci/workflow.yaml", "kubernetes")):
        resource = load_text(WORKFLOW, path, family).resources[0]
        assert resource.family == "github-actions" and list(resource.data) == ["on", "jobs"]
        assert resource.data["jobs"]["scan"]["continue-on-error"] == "yes"  # a string: GitHub's 1.2 core schema
        assert resource.data["jobs"]["scan"]["timeout-minutes"] == 10


def test_a_document_that_is_neither_keeps_yaml_1_1_and_no_key_is_an_error() -> None:
    result = load_text("1.5: x\n~: y\n", "values.yaml", "kubernetes")
    assert result.errors == [] and [s.reason for s in result.skipped] == ["not a Kubernetes object (no apiVersion/kind)"]
