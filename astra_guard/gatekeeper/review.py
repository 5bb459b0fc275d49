"""What a case's template is evaluated on: `input.review` and `data.inventory`.

The object file holds one document. An `admission.k8s.io` AdmissionReview's `request` is used as
is, strictly (unknown fields are rejected; a DELETE reviews its oldObject); any other object
becomes the AdmissionRequest gator builds for a plain object. Inventory files fill
`data.inventory` and tell the match which Namespaces exist.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from astra_guard.gatekeeper.errors import CaseError, go_quote
from astra_guard.gatekeeper.match import group_version_kind, name_of, namespace_of
from astra_guard.gatekeeper.suite import InputFileError, load_documents

_REQUEST_FIELDS = {
    "uid", "kind", "resource", "subResource", "requestKind", "requestResource", "requestSubResource", "name",
    "namespace", "operation", "userInfo", "object", "oldObject", "dryRun", "options",
}
_GVK = ("group", "version", "kind")
_GVR = ("group", "version", "resource")
_USER_INFO = ("username", "uid", "groups", "extra")


def read_objects(path: Path) -> list[dict[str, Any]]:
    docs = load_documents(path)
    if not docs:
        raise InputFileError(f"missing objects: path {go_quote(path.as_posix())} defines no YAML objects")
    for doc in docs:
        if not isinstance(doc, dict) or not isinstance(doc.get("kind"), str) or not doc.get("kind"):
            raise InputFileError(f"reading {go_quote(path.as_posix())}: invalid yaml: Object 'Kind' is missing")
    return docs


def _strict(value: Any, fields: Iterable[str], where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputFileError(f"not a valid AdmissionReview object: {where} must be an object")
    unknown = sorted(set(value) - set(fields))
    if unknown:
        raise InputFileError(f"not a valid AdmissionReview object: unknown field \"{where}.{unknown[0]}\"")
    return value


def _strings(value: dict[str, Any], keys: Iterable[str], where: str) -> dict[str, str]:
    out = {}
    for key in keys:
        item = value.get(key, "")
        if not isinstance(item, str):
            raise InputFileError(f"not a valid AdmissionReview object: {where}.{key} must be a string")
        out[key] = item
    return out


def admission_request(review_doc: dict[str, Any]) -> dict[str, Any]:
    """The `request` of an AdmissionReview file, as gator hands it on (strict: unknown fields rejected)."""
    _strict(review_doc, ("apiVersion", "kind", "metadata", "request", "response"), "AdmissionReview")
    request = review_doc.get("request")
    if request is None:
        raise CaseError("missing an AdmissionRequest object: request did not actually pass in an AdmissionRequest")
    request = _strict(request, _REQUEST_FIELDS, "request")
    out: dict[str, Any] = {"uid": request.get("uid", "")}
    if not isinstance(out["uid"], str):
        raise InputFileError("not a valid AdmissionReview object: request.uid must be a string")
    out["kind"] = _strings(_strict(request.get("kind"), _GVK, "request.kind"), _GVK, "request.kind")
    out["resource"] = _strings(_strict(request.get("resource"), _GVR, "request.resource"), _GVR, "request.resource")
    for key, keys in (("subResource", None), ("requestKind", _GVK), ("requestResource", _GVR), ("requestSubResource", None)):
        if request.get(key) not in (None, ""):
            out[key] = request[key] if keys is None else _strings(_strict(request[key], keys, f"request.{key}"), keys, f"request.{key}")
    for key in ("name", "namespace"):
        if request.get(key):
            out[key] = request[key]
    out["operation"] = request.get("operation") or ""
    user = _strict(request.get("userInfo"), _USER_INFO, "request.userInfo")
    out["userInfo"] = {k: v for k, v in user.items() if v not in (None, "", [], {})}
    for key in ("object", "oldObject"):
        value = request.get(key)
        if value is not None and (not isinstance(value, dict) or not value.get("kind")):
            raise CaseError(f"object or oldObject cannot be unmarshalled: Object 'Kind' is missing in {json.dumps(value)}")
        out[key] = value
    if out["object"] is None and out["oldObject"] is None:
        raise CaseError("no object or oldObject found to review: AdmissionRequest does not contain an \"object\" or \"oldObject\" to review")
    if request.get("dryRun") is not None:
        out["dryRun"] = request["dryRun"]
    out["options"] = request.get("options")
    if out["operation"] == "DELETE":   # Gatekeeper's setObjectOnDelete
        if out["oldObject"] is None:
            raise CaseError("oldObject cannot be nil for DELETE operations")
        out["object"] = out["oldObject"]
    return out


def plain_review(obj: dict[str, Any]) -> dict[str, Any]:
    """The AdmissionRequest gator builds for a plain object (target.unstructuredToAdmissionRequest)."""
    group, version, kind = group_version_kind(obj)
    review: dict[str, Any] = {
        "uid": "",
        "kind": {"group": group, "version": version, "kind": kind},
        "resource": {"group": "", "version": "", "resource": ""},
    }
    if name_of(obj):
        review["name"] = name_of(obj)
    if namespace_of(obj):
        review["namespace"] = namespace_of(obj)
    review.update({"operation": "", "userInfo": {}, "object": obj, "oldObject": None, "options": None})
    return review


def build_review(obj: dict[str, Any]) -> dict[str, Any]:
    group = str(obj.get("apiVersion") or "").rpartition("/")[0]
    if obj.get("kind") == "AdmissionReview" and group == "admission.k8s.io":
        review = admission_request(obj)
    else:
        review = plain_review(obj)
    review["namespaceObject"] = None
    return review


def build_inventory(objects: list[dict[str, Any]], where: str) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """`data.inventory` and the Namespaces gator's cache learns from the same objects."""
    tree: dict[str, Any] = {}
    namespaces: dict[str, dict[str, Any]] = {}
    for obj in objects:
        group, version, kind = group_version_kind(obj)
        name, namespace = name_of(obj), namespace_of(obj)
        if not version:
            raise CaseError(f"unable to add object to data.inventory: {where}: invalid request object: resource {name} has no version")
        gv = f"{group}/{version}" if group else version
        if namespace:
            tree.setdefault("namespace", {}).setdefault(namespace, {}).setdefault(gv, {}).setdefault(kind, {})[name] = obj
        else:
            tree.setdefault("cluster", {}).setdefault(gv, {}).setdefault(kind, {})[name] = obj
            if kind == "Namespace" and group == "" and version == "v1":
                namespaces[name] = obj
    return tree, namespaces
