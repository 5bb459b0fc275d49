"""Gatekeeper's `spec.match` semantics (gatekeeper pkg/mutation/match, pkg/target/matcher.go)."""

from __future__ import annotations

from typing import Any

import pytest

from astra_guard.gatekeeper.match import (
    MatchError,
    object_matches,
    review_matches,
    selector_errors,
    selector_matches,
    wildcard_matches,
    wildcard_matches_generate_name,
)
from astra_guard.gatekeeper.verify import plain_review


def pod(name: str = "web", namespace: str | None = "shop", labels: dict[str, str] | None = None, **meta: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, **meta}
    if namespace:
        metadata["namespace"] = namespace
    if labels is not None:
        metadata["labels"] = labels
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata}


def namespace(name: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels or {}}}


CLUSTER_ROLE = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "reader"}}


@pytest.mark.parametrize(("pattern", "candidate", "expected"), [
    ("kube-system", "kube-system", True),
    ("kube-system", "kube-public", False),
    ("kube-*", "kube-public", True),
    ("kube-*", "my-kube-public", False),
    ("*-system", "gatekeeper-system", True),
    ("*-system", "system-x", False),
    ("*sys*", "a-sys-b", True),
    ("*sys*", "abc", False),
    ("*", "anything", True),
    ("", "", True),
])
def test_wildcards_are_prefix_suffix_or_substring_globs(pattern: str, candidate: str, expected: bool) -> None:
    assert wildcard_matches(pattern, candidate) is expected


def test_generate_name_matches_only_prefix_and_substring_globs() -> None:
    assert wildcard_matches_generate_name("web-*", "web-")
    assert wildcard_matches_generate_name("*eb*", "web-")
    assert not wildcard_matches_generate_name("*-web", "x-web")   # a suffix glob never matches a generateName
    assert not wildcard_matches_generate_name("web-", "web-")     # nor does an exact name


def test_no_match_and_empty_match_match_everything() -> None:
    review = plain_review(pod())
    assert review_matches(None, review, {})
    assert review_matches({}, review, {})


def test_kinds_any_entry_empty_lists_and_star() -> None:
    obj = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": "x"}}
    assert object_matches({"kinds": [{"apiGroups": ["apps"], "kinds": ["Deployment"]}]}, obj, None)
    assert object_matches({"kinds": [{"apiGroups": [""], "kinds": ["Pod"]}, {"apiGroups": ["*"], "kinds": ["Deployment"]}]}, obj, None)
    assert object_matches({"kinds": [{"kinds": ["Deployment"]}]}, obj, None)          # no apiGroups: any group
    assert object_matches({"kinds": [{"apiGroups": ["apps"]}]}, obj, None)            # no kinds: any kind
    assert not object_matches({"kinds": [{"apiGroups": [""], "kinds": ["Deployment"]}]}, obj, None)  # "" is core only
    assert object_matches({"kinds": []}, obj, None)


def test_scope() -> None:
    assert object_matches({"scope": "Namespaced"}, pod(), None)
    assert not object_matches({"scope": "Namespaced"}, CLUSTER_ROLE, None)
    assert not object_matches({"scope": "Namespaced"}, namespace("shop"), None)  # a Namespace is cluster-scoped
    assert object_matches({"scope": "Cluster"}, namespace("shop"), None)
    assert object_matches({"scope": "Cluster"}, CLUSTER_ROLE, None)
    assert not object_matches({"scope": "Cluster"}, pod(), None)
    assert object_matches({"scope": "cluster"}, pod(), None)  # a typo matches everything, as in Gatekeeper


def test_namespaces_and_excluded_namespaces() -> None:
    assert object_matches({"namespaces": ["shop"]}, pod(), None)
    assert object_matches({"namespaces": ["sh*"]}, pod(), None)
    assert not object_matches({"namespaces": ["kube-*"]}, pod(), None)
    assert not object_matches({"excludedNamespaces": ["*op"]}, pod(), None)
    assert object_matches({"excludedNamespaces": ["kube-*", "*-system"]}, pod(), None)
    # A Namespace is matched by its own name; a cluster-scoped object is never excluded.
    assert not object_matches({"excludedNamespaces": ["shop"]}, namespace("shop"), None)
    assert object_matches({"namespaces": ["shop"]}, CLUSTER_ROLE, None)
    assert object_matches({"excludedNamespaces": ["*"]}, CLUSTER_ROLE, None)


def test_label_selector() -> None:
    obj = pod(labels={"app": "web", "tier": "front"})
    assert object_matches({"labelSelector": {"matchLabels": {"app": "web"}}}, obj, None)
    assert not object_matches({"labelSelector": {"matchLabels": {"app": "db"}}}, obj, None)
    assert object_matches({"labelSelector": {}}, obj, None)
    expressions = [
        ({"key": "tier", "operator": "In", "values": ["front", "back"]}, True),
        ({"key": "tier", "operator": "NotIn", "values": ["front"]}, False),
        ({"key": "missing", "operator": "NotIn", "values": ["x"]}, True),
        ({"key": "app", "operator": "Exists"}, True),
        ({"key": "app", "operator": "DoesNotExist"}, False),
        ({"key": "missing", "operator": "DoesNotExist"}, True),
    ]
    for expression, expected in expressions:
        assert object_matches({"labelSelector": {"matchExpressions": [expression]}}, obj, None) is expected, expression


def test_invalid_selectors_are_reported() -> None:
    assert selector_errors({"matchExpressions": [{"key": "a", "operator": "In"}]}, "s")
    assert selector_errors({"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]}, "s")
    assert selector_errors({"matchExpressions": [{"key": "a", "operator": "Equals", "values": ["x"]}]}, "s")
    assert selector_errors({"matchLabels": {"bad key!": "x"}}, "s")
    assert not selector_errors({"matchLabels": {"example.com/team": "a-b_c.d"}}, "s")
    with pytest.raises(MatchError):
        selector_matches({"matchExpressions": [{"key": "a", "operator": "Equals"}]}, {})


def test_namespace_selector_uses_the_cached_namespace() -> None:
    match = {"namespaceSelector": {"matchLabels": {"env": "prod"}}}
    review = plain_review(pod())
    assert review_matches(match, review, {"shop": namespace("shop", {"env": "prod"})})
    assert not review_matches(match, review, {"shop": namespace("shop", {"env": "dev"})})


def test_namespace_selector_on_namespaces_and_cluster_scoped_objects() -> None:
    match = {"namespaceSelector": {"matchLabels": {"env": "prod"}}}
    assert review_matches(match, plain_review(namespace("shop", {"env": "prod"})), {})   # its own labels
    assert not review_matches(match, plain_review(namespace("shop", {"env": "dev"})), {})
    assert review_matches(match, plain_review(CLUSTER_ROLE), {})                          # always matches


def test_namespace_selector_without_the_namespace_autorejects() -> None:
    with pytest.raises(MatchError, match="namespace selector for namespace-scoped object but missing Namespace"):
        review_matches({"namespaceSelector": {"matchLabels": {"env": "prod"}}}, plain_review(pod()), {})


def test_name_matches_name_or_generate_name() -> None:
    assert object_matches({"name": "web"}, pod("web"), None)
    assert object_matches({"name": "we*"}, pod("web"), None)
    assert not object_matches({"name": "db"}, pod("web"), None)
    assert object_matches({"name": "web-*"}, pod("", generateName="web-"), None)


def test_source() -> None:
    assert object_matches({"source": "Original"}, pod(), None, "Original")
    assert not object_matches({"source": "Generated"}, pod(), None, "Original")
    assert object_matches({"source": "All"}, pod(), None, "Generated")


def test_object_or_old_object_matches() -> None:
    review = {"namespace": "shop", "object": pod(labels={"a": "1"}), "oldObject": pod(labels={"a": "2"})}
    assert review_matches({"labelSelector": {"matchLabels": {"a": "2"}}}, review, {})
    assert not review_matches({"labelSelector": {"matchLabels": {"a": "3"}}}, review, {})


def test_an_object_without_kind_cannot_be_matched() -> None:
    with pytest.raises(MatchError, match="Kind"):
        review_matches({"kinds": []}, {"object": {"metadata": {}}, "oldObject": None}, {})
