"""The API removal table behind k8s-removed-api, checked against the deprecation guide's releases."""

from __future__ import annotations

import pytest

from astra_guard.rules.kubernetes._api_removals import (
    NEWEST,
    REMOVALS,
    lookup,
    parse_version,
    status,
)

# "Removed APIs by release" in https://kubernetes.io/docs/reference/using-api/deprecation-guide/
GUIDE_RELEASES = {"1.16", "1.22", "1.25", "1.26", "1.27", "1.29", "1.32"}


def version(text: str) -> tuple[int, int]:
    parsed = parse_version(text)
    assert parsed is not None, text
    return parsed


def test_every_entry_is_deprecated_before_it_is_removed_within_the_covered_releases() -> None:
    for entry in REMOVALS:
        assert version(entry.deprecated) < version(entry.removed), entry
        assert (1, 16) <= version(entry.removed) <= version(NEWEST), entry
        assert entry.replacement and entry.kind[0].isupper() and "/" not in entry.version, entry


def test_the_table_has_one_entry_per_group_version_kind_and_covers_every_release_of_the_guide() -> None:
    keys = [(e.api_version, e.kind) for e in REMOVALS]
    assert len(keys) == len(set(keys))
    assert {e.removed for e in REMOVALS} == GUIDE_RELEASES


@pytest.mark.parametrize(("api_version", "kind", "removed", "replacement"), [
    ("policy/v1beta1", "PodSecurityPolicy", "1.25", "Pod Security Admission"),
    ("extensions/v1beta1", "Deployment", "1.16", "apps/v1"),
    ("apps/v1beta2", "StatefulSet", "1.16", "apps/v1"),
    ("batch/v1beta1", "CronJob", "1.25", "batch/v1"),
    ("autoscaling/v2beta1", "HorizontalPodAutoscaler", "1.25", "autoscaling/v2"),
    ("autoscaling/v2beta2", "HorizontalPodAutoscaler", "1.26", "autoscaling/v2"),
    ("networking.k8s.io/v1beta1", "Ingress", "1.22", "networking.k8s.io/v1"),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding", "1.22", "rbac.authorization.k8s.io/v1"),
    ("admissionregistration.k8s.io/v1beta1", "ValidatingWebhookConfiguration", "1.22", "admissionregistration.k8s.io/v1"),
    ("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition", "1.22", "apiextensions.k8s.io/v1"),
    ("storage.k8s.io/v1beta1", "CSIStorageCapacity", "1.27", "storage.k8s.io/v1"),
    ("discovery.k8s.io/v1beta1", "EndpointSlice", "1.25", "discovery.k8s.io/v1"),
    ("events.k8s.io/v1beta1", "Event", "1.25", "events.k8s.io/v1"),
    ("policy/v1beta1", "PodDisruptionBudget", "1.25", "policy/v1"),
    ("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema", "1.26", "flowcontrol.apiserver.k8s.io/v1"),
    ("flowcontrol.apiserver.k8s.io/v1beta2", "PriorityLevelConfiguration", "1.29", "flowcontrol.apiserver.k8s.io/v1"),
    ("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema", "1.32", "flowcontrol.apiserver.k8s.io/v1"),
])
def test_known_removals(api_version: str, kind: str, removed: str, replacement: str) -> None:
    entry = lookup(api_version, kind)
    assert entry is not None and entry.removed == removed and replacement in entry.replacement


def test_current_versions_and_other_kinds_of_a_removed_group_version_are_not_listed() -> None:
    assert lookup("apps/v1", "Deployment") is None
    assert lookup("policy/v1", "PodDisruptionBudget") is None
    assert lookup("policy/v1beta1", "Eviction") is None
    assert lookup("flowcontrol.apiserver.k8s.io/v1", "FlowSchema") is None


def test_status_against_a_target_version() -> None:
    psp = lookup("policy/v1beta1", "PodSecurityPolicy")
    assert psp is not None
    assert status(psp, "1.29") == "removed" and status(psp, "1.25") == "removed"
    assert status(psp, "1.24") == "deprecated" and status(psp, "1.21") == "deprecated"
    assert status(psp, "1.20") is None
    with pytest.raises(ValueError):
        status(psp, "latest")


@pytest.mark.parametrize(("text", "parsed"), [
    ("1.29", (1, 29)), ("v1.29", (1, 29)), ("1.29.3", (1, 29)), ("1.29-eks", (1, 29)), ("v1.30.1+k3s1", (1, 30)),
    ("", None), ("latest", None), ("1", None),
])
def test_parse_version(text: str, parsed: tuple[int, int] | None) -> None:
    assert parse_version(text) == parsed
