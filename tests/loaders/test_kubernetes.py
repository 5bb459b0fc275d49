from __future__ import annotations

from astra_guard.loaders import kubernetes


def test_list_items_become_resources_whose_paths_resolve_inside_the_list() -> None:
    text = (
        "apiVersion: v1\nkind: List\nitems:\n"
        "  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: a, namespace: ns}\n"
        "  - apiVersion: v1\n    kind: Secret\n    metadata: {name: b}\n"
    )
    result = kubernetes.load(text, "list.yaml")
    assert [(r.kind, r.name, r.namespace, r.origin) for r in result.resources] == [
        ("ConfigMap", "a", "ns", ("items", 0)),
        ("Secret", "b", None, ("items", 1)),
    ]
    span, found = result.resources[1].locate(("metadata", "name"))
    assert (span.line, found) == (9, ("metadata", "name"))


def test_locate_falls_back_to_the_nearest_existing_ancestor() -> None:
    text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: app\n      image: x\n"
    pod = kubernetes.load(text, "pod.yaml").resources[0]
    span, found = pod.locate(("spec", "containers", 0, "securityContext", "runAsNonRoot"))
    assert (span.line, found) == (6, ("spec", "containers", 0))


def test_documents_that_are_not_kubernetes_objects_are_recorded_with_the_reason() -> None:
    result = kubernetes.load("---\nfoo: bar\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: n}\n", "x.yaml")
    assert [r.kind for r in result.resources] == ["Namespace"]
    assert [(s.line, s.reason) for s in result.skipped] == [(2, "not a Kubernetes object (no apiVersion/kind)")]
