"""Constraints: read and validated as the CRD Gatekeeper generates for their template would be.

Checked: the name (an RFC 1123 subdomain), the kind (the template's), the group/version,
`spec.parameters` against the template's openAPIV3Schema, `spec.match`, unknown fields, label
selectors and the enforcement action. `invalid: true` passes only on a *schema* error. A `scoped`
constraint without gator's enforcement point (or `*`) is not evaluated by gator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from astra_guard.gatekeeper.errors import ConstraintError, go_quote
from astra_guard.gatekeeper.match import MATCH_SCHEMA, selector_errors
from astra_guard.gatekeeper.suite import InputFileError, load_documents
from astra_guard.gatekeeper.template import Template

GATOR_ENFORCEMENT_POINT = "gator.gatekeeper.sh"


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


_DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


@dataclass
class Constraint:
    name: str
    kind: str
    match: dict[str, Any] | None
    parameters: Any
    enforcement_action: str
    evaluated_by_gator: bool


def _openapi_to_jsonschema(schema: Any) -> Any:
    """OpenAPI v3 (Kubernetes flavour) into JSON Schema draft 4: `nullable`, int-or-string."""
    if isinstance(schema, list):
        return [_openapi_to_jsonschema(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _openapi_to_jsonschema(v) for k, v in schema.items() if not k.startswith("x-kubernetes-") and k != "nullable"}
    if schema.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if schema.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"] if isinstance(out["type"], str) else [*out["type"], "null"]
    return out


def _unknown_fields(value: Any, schema: Any, path: str) -> list[str]:
    """Fields Kubernetes would prune as unknown from `value` under a structural `schema`."""
    if not isinstance(schema, dict):
        return []
    found: list[str] = []
    if isinstance(value, dict):
        properties = schema.get("properties")
        additional = schema.get("additionalProperties")
        preserve = bool(schema.get("x-kubernetes-preserve-unknown-fields"))
        if properties is None and not isinstance(additional, dict) and not preserve and schema.get("type") == "object":
            return [f"{path}.{k}" for k in sorted(value)] if value and not schema.get("x-kubernetes-embedded-resource") else []
        for key in sorted(value):
            where = f"{path}.{key}" if path else key
            if isinstance(properties, dict) and key in properties:
                found += _unknown_fields(value[key], properties[key], where)
            elif isinstance(additional, dict):
                found += _unknown_fields(value[key], additional, where)
            elif not preserve and additional is not True:
                found.append(where)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(value):
            found += _unknown_fields(item, schema["items"], f"{path}[{i}]")
    return found


def _schema_errors(instance: Any, schema: dict[str, Any]) -> list[str]:
    from jsonschema import Draft4Validator

    validator = Draft4Validator(_openapi_to_jsonschema(schema))
    messages = []
    for error in sorted(validator.iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path]):
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path).lstrip(".")
        messages.append(f"{where or '<root>'}: {error.message}")
    return messages


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


def constraint_schema(template: Template) -> dict[str, Any]:
    """The schema of a Constraint of this template (frameworks crds.CreateSchema)."""
    spec_properties: dict[str, Any] = {
        "match": MATCH_SCHEMA,
        "enforcementAction": {"type": "string"},
        "scopedEnforcementActions": {
            "type": "array",
            "items": {"type": "object", "properties": {
                "action": {"type": "string"},
                "enforcementPoints": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}}}},
            }},
        },
    }
    if template.schema is not None:
        parameters = dict(template.schema)
        if template.legacy_schema:
            parameters["x-kubernetes-preserve-unknown-fields"] = True
        spec_properties["parameters"] = parameters
    return {
        "type": "object",
        "properties": {
            "apiVersion": {"type": "string"},
            "kind": {"type": "string"},
            "metadata": {"type": "object", "properties": {"name": {"type": "string", "maxLength": 63}},
                         "x-kubernetes-preserve-unknown-fields": True},
            "spec": {"type": "object", "properties": spec_properties},
            "status": {"x-kubernetes-preserve-unknown-fields": True},
        },
    }


def read_constraint(path: Path, template: Template) -> Constraint:
    docs = load_documents(path)
    if not docs:
        raise InputFileError(f"missing objects: path {go_quote(path.as_posix())} defines no YAML objects")
    obj = docs[0]
    if not isinstance(obj, dict) or not obj.get("kind"):
        raise InputFileError(f"reading {go_quote(path.as_posix())}: Object 'Kind' is missing")
    group, _, version = str(obj.get("apiVersion") or "").rpartition("/")
    if group != "constraints.gatekeeper.sh":
        raise InputFileError(f"path {go_quote(path.as_posix())}: not a Constraint")
    name = str((obj.get("metadata") or {}).get("name") or "") if isinstance(obj.get("metadata"), dict) else ""
    invalid = "adding constraint: invalid Constraint"
    if not name or len(name) > 253 or not _DNS1123_SUBDOMAIN.match(name):
        raise ConstraintError(f"{invalid}: invalid name: {go_quote(name)} must be a lowercase RFC 1123 subdomain")
    if obj["kind"] != template.kind:
        raise ConstraintError(f"{invalid}: wrong kind {go_quote(obj['kind'])} for constraint {go_quote(name)}; want {go_quote(template.kind)}")
    if version not in ("v1alpha1", "v1beta1"):
        raise ConstraintError(f"{invalid}: unsupported version {go_quote(version)} for Constraint {go_quote(name)}; supported versions: v1alpha1, v1beta1")
    schema = constraint_schema(template)
    errors = _schema_errors(_drop_nulls(obj), schema)
    if errors:
        raise ConstraintError(f"adding constraint: schema validation failed: {'; '.join(errors)}", schema=True)
    unknown = _unknown_fields({k: v for k, v in obj.items() if k not in ("metadata", "status")}, schema, "")
    if unknown:
        raise ConstraintError(f"{invalid}: unknown fields: [{' '.join(unknown)}]")
    spec = _dict(obj.get("spec"))
    match = spec["match"] if isinstance(spec.get("match"), dict) else None
    problems = selector_errors((match or {}).get("labelSelector"), "spec.labelSelector") + \
        selector_errors((match or {}).get("namespaceSelector"), "spec.labelSelector")
    if problems:
        raise ConstraintError(f"adding constraint: {'; '.join(problems)}")
    action = spec.get("enforcementAction", "deny")
    evaluated = True
    if action == "scoped":
        scoped = spec.get("scopedEnforcementActions")
        if scoped is None:
            raise ConstraintError("adding constraint: missing required field: spec.scopedEnforcementActions must be defined")
        evaluated = any(
            isinstance(entry, dict) and any(isinstance(ep, dict) and ep.get("name") in ("*", GATOR_ENFORCEMENT_POINT)
                                            for ep in entry.get("enforcementPoints") or [])
            for entry in scoped or []
        )
    parameters = spec.get("parameters", {})
    return Constraint(name, obj["kind"], match, {} if parameters is None else parameters, str(action), evaluated)
