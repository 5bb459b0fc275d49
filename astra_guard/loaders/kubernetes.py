"""Kubernetes manifests (YAML or JSON): every object of every document, `kind: List` unpacked."""

from __future__ import annotations

from typing import Any

from astra_guard.loaders.yaml_schemas import KUBERNETES
from astra_guard.loaders.yaml_source import YamlDocument, YamlLimits, load_yaml_stream
from astra_guard.model import LoadResult, Path, Resource, Skipped

FAMILY = "kubernetes"


def is_kubernetes_object(data: Any) -> bool:
    """An object the API server would accept the shape of: a mapping with apiVersion and kind."""
    return (
        isinstance(data, dict)
        and isinstance(data.get("apiVersion"), str)
        and isinstance(data.get("kind"), str)
        and bool(data["kind"])
    )


def _resource(file: str, doc: YamlDocument, data: dict[str, Any], origin: Path) -> Resource:
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    name = metadata.get("name") or metadata.get("generateName") or ""
    namespace = metadata.get("namespace")
    return Resource(
        family=FAMILY,
        kind=data["kind"],
        name=str(name),
        namespace=str(namespace) if namespace is not None else None,
        api_version=data["apiVersion"],
        file=file,
        data=data,
        spans=doc.spans,
        origin=origin,
        document=doc.index,
    )


def resources_from_document(file: str, doc: YamlDocument, result: LoadResult) -> None:
    """Add the objects of one parsed document to `result`, or record why it is not judged."""
    data = doc.data
    if not is_kubernetes_object(data):
        what = "empty document" if data is None else "no apiVersion/kind"
        result.skipped.append(Skipped(file, doc.line, f"not a Kubernetes object ({what})"))
        return
    items = data.get("items")
    if data["kind"].endswith("List") and isinstance(items, list):
        for i, item in enumerate(items):
            origin = ("items", i)
            if is_kubernetes_object(item):
                result.resources.append(_resource(file, doc, item, origin))
            else:
                line = doc.spans[origin].line if origin in doc.spans else doc.line
                result.skipped.append(Skipped(file, line, f"item {i} of the {data['kind']} is not a Kubernetes object"))
        return
    result.resources.append(_resource(file, doc, data, ()))


def load(text: str, file: str, limits: YamlLimits | None = None) -> LoadResult:
    """Load every Kubernetes object in a YAML or JSON file."""
    stream = load_yaml_stream(text, file, limits, KUBERNETES)
    result = LoadResult(file=file, family=FAMILY, errors=list(stream.errors))
    for doc in stream.documents:
        resources_from_document(file, doc, result)
    return result
