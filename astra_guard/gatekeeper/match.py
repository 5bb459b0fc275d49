"""A Constraint's `spec.match`, with Gatekeeper's semantics (gatekeeper `pkg/mutation/match`).

All criteria present must hold; no `match` matches everything. A review matches when its
`object` or its `oldObject` matches. A criterion that cannot be decided raises `MatchError`;
Gatekeeper then "autorejects": the constraint yields one result whose message is the error, and
gator counts it as a violation (the namespaceSelector of a namespaced object whose Namespace is
not known is the usual cause: in gator a Namespace is known only from a case's `inventory`).
"""

from __future__ import annotations

import json
import re
from typing import Any

WILDCARD_PATTERN = r"^\*?[-:a-z0-9]*\*?$"
SOURCES = ("All", "Generated", "Original")

_SELECTOR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "matchExpressions": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["key", "operator"],
                "properties": {
                    "key": {"type": "string"},
                    "operator": {"type": "string"},
                    "values": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
        "matchLabels": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}

# The schema Gatekeeper's match CRD (pkg/target/matchcrd_constant.go) gives `spec.match`.
MATCH_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "source": {"type": "string", "enum": list(SOURCES)},
        "kinds": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "apiGroups": {"type": "array", "items": {"type": "string"}},
                    "kinds": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
        "scope": {"type": "string"},
        "namespaces": {"type": "array", "items": {"type": "string", "pattern": WILDCARD_PATTERN}},
        "excludedNamespaces": {"type": "array", "items": {"type": "string", "pattern": WILDCARD_PATTERN}},
        "labelSelector": _SELECTOR_SCHEMA,
        "namespaceSelector": _SELECTOR_SCHEMA,
        "name": {"type": "string", "pattern": WILDCARD_PATTERN},
    },
}
MATCH_FIELDS = frozenset(MATCH_SCHEMA["properties"])


def _q(value: object) -> str:
    """Quoted as Go's %q quotes (double quotes), for messages that match gator's."""
    return json.dumps(value if isinstance(value, str) else str(value), ensure_ascii=False)


class MatchError(Exception):
    """The match could not be decided (Gatekeeper: autoreject)."""


# --- wildcards --------------------------------------------------------------------------------


def wildcard_matches(pattern: str, candidate: str) -> bool:
    """`kube-*` prefix, `*-system` suffix, `*sys*` substring, else exact (pkg/wildcard)."""
    if pattern.startswith("*") and pattern.endswith("*"):
        return pattern[1:-1] in candidate  # "*" and "**" match everything
    if pattern.startswith("*"):
        return candidate.endswith(pattern[1:])
    if pattern.endswith("*"):
        return candidate.startswith(pattern[:-1])
    return pattern == candidate


def wildcard_matches_generate_name(pattern: str, candidate: str) -> bool:
    if pattern.startswith("*") and pattern.endswith("*"):
        return pattern[1:-1] in candidate
    if pattern.endswith("*"):
        return candidate.startswith(pattern[:-1])
    return False


# --- label selectors (metav1.LabelSelectorAsSelector) -----------------------------------------

_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def _label_key_error(key: str) -> str | None:
    prefix, _, name = key.rpartition("/")
    if "/" in prefix:
        return f"{_q(key)}: a qualified name must consist of an optional DNS subdomain prefix and a name"
    if prefix and (len(prefix) > 253 or not _DNS_SUBDOMAIN.match(prefix)):
        return f"{_q(key)}: prefix part must be a DNS-1123 subdomain"
    if not name or len(name) > 63 or not _NAME.match(name):
        return (f"{_q(key)}: name part must consist of alphanumeric characters, '-', '_' or '.', and must "
                "start and end with an alphanumeric character (max 63 characters)")
    return None


def _label_value_error(value: str) -> str | None:
    if value and (len(value) > 63 or not _NAME.match(value)):
        return (f"{_q(value)}: a valid label must be an empty string or consist of alphanumeric characters, "
                "'-', '_' or '.', and must start and end with an alphanumeric character (max 63 characters)")
    return None


def selector_errors(selector: Any, where: str) -> list[str]:
    """What makes a label selector invalid (Gatekeeper rejects such a constraint)."""
    if selector is None:
        return []
    if not isinstance(selector, dict):
        return [f"{where}: must be an object"]
    errors: list[str] = []
    for key, value in (selector.get("matchLabels") or {}).items():
        for problem in (_label_key_error(key), _label_value_error(value) if isinstance(value, str) else "must be a string"):
            if problem:
                errors.append(f"{where}.matchLabels: {problem}")
    for i, expr in enumerate(selector.get("matchExpressions") or []):
        at = f"{where}.matchExpressions[{i}]"
        if not isinstance(expr, dict):
            errors.append(f"{at}: must be an object")
            continue
        op, values = expr.get("operator"), expr.get("values") or []
        problem = _label_key_error(str(expr.get("key", "")))
        if problem:
            errors.append(f"{at}.key: {problem}")
        if op in ("In", "NotIn"):
            if not values:
                errors.append(f"{at}.values: must be specified when `operator` is 'In' or 'NotIn'")
        elif op in ("Exists", "DoesNotExist"):
            if values:
                errors.append(f"{at}.values: may not be specified when `operator` is 'Exists' or 'DoesNotExist'")
        else:
            errors.append(f"{at}.operator: Invalid value: {_q(op)}: not a valid selector operator")
        for value in values:
            problem = _label_value_error(value) if isinstance(value, str) else "must be a string"
            if problem:
                errors.append(f"{at}.values: {problem}")
    return errors


def selector_matches(selector: dict[str, Any], labels: dict[str, Any]) -> bool:
    """matchLabels and matchExpressions, ANDed; `{}` matches everything."""
    problems = selector_errors(selector, "selector")
    if problems:
        raise MatchError(problems[0])
    labels = labels if isinstance(labels, dict) else {}
    for key, value in (selector.get("matchLabels") or {}).items():
        if key not in labels or labels[key] != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], expr.get("values") or []
        present = key in labels
        if op == "In" and not (present and labels[key] in values):
            return False
        if op == "NotIn" and present and labels[key] in values:
            return False
        if op == "Exists" and not present:
            return False
        if op == "DoesNotExist" and present:
            return False
    return True


# --- objects ----------------------------------------------------------------------------------


def group_version_kind(obj: dict[str, Any]) -> tuple[str, str, str]:
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    group, _, version = (api_version if isinstance(api_version, str) else "").rpartition("/")
    return group, version, kind if isinstance(kind, str) else ""


def _meta(obj: dict[str, Any], key: str) -> Any:
    metadata = obj.get("metadata")
    return metadata.get(key) if isinstance(metadata, dict) else None


def name_of(obj: dict[str, Any]) -> str:
    value = _meta(obj, "name")
    return value if isinstance(value, str) else ""


def namespace_of(obj: dict[str, Any]) -> str:
    value = _meta(obj, "namespace")
    return value if isinstance(value, str) else ""


def labels_of(obj: dict[str, Any]) -> dict[str, Any]:
    value = _meta(obj, "labels")
    return value if isinstance(value, dict) else {}


def is_namespace(obj: dict[str, Any]) -> bool:
    group, _, kind = group_version_kind(obj)
    return kind == "Namespace" and group == ""


# --- the matchers -----------------------------------------------------------------------------


def _kinds(match: dict[str, Any], obj: dict[str, Any], ns: dict[str, Any] | None, source: str) -> bool:
    entries = match.get("kinds") or []
    if not entries:
        return True
    group, _, kind = group_version_kind(obj)
    for entry in entries:
        kinds, groups = entry.get("kinds") or [], entry.get("apiGroups") or []
        if (not kinds or "*" in kinds or kind in kinds) and (not groups or "*" in groups or group in groups):
            return True
    return False


def _scope(match: dict[str, Any], obj: dict[str, Any], ns: dict[str, Any] | None, source: str) -> bool:
    has_namespace = namespace_of(obj) != "" or ns is not None
    scope = match.get("scope")
    if scope == "Cluster":
        return is_namespace(obj) or not has_namespace
    if scope == "Namespaced":
        return not is_namespace(obj) and has_namespace
    return True  # "*", unset, and typos such as "cluster"


def _namespace_name(obj: dict[str, Any], ns: dict[str, Any] | None) -> str | None:
    if is_namespace(obj):
        return name_of(obj)
    if ns is not None:
        return name_of(ns)
    return namespace_of(obj) or None  # gator: the namespace the object declares


def _namespaces(match: dict[str, Any], obj: dict[str, Any], ns: dict[str, Any] | None, source: str) -> bool:
    patterns = match.get("namespaces") or []
    if not patterns:
        return True
    namespace = _namespace_name(obj, ns)
    if namespace is None:
        return True  # cluster-scoped and not a Namespace: cannot disqualify
    return any(wildcard_matches(p, namespace) for p in patterns)


def _excluded_namespaces(match: dict[str, Any], obj: dict[str, Any], ns: dict[str, Any] | None, source: str) -> bool:
    patterns = match.get("excludedNamespaces") or []
    if not patterns:
        return True
    namespace = _namespace_name(obj, ns)
    if namespace is None:
        return True
    return not any(wildcard_matches(p, namespace) for p in patterns)


def _label_selector(match: dict[str, Any], obj: dict[str, Any], ns: dict[str, Any] | None, source: str) -> bool:
    selector = match.get("labelSelector")
    if selector is None:
        return True
    return selector_matches(selector, labels_of(obj))


def _namespace_selector(match: dict[str, Any], obj: dict[str, Any], ns: dict[str, Any] | None, source: str) -> bool:
    selector = match.get("namespaceSelector")
    if selector is None:
        return True
    namespace_itself = is_namespace(obj)
    if not namespace_itself and ns is None and namespace_of(obj) == "":
        return True  # every non-Namespace cluster-scoped object matches
    if namespace_itself:
        return selector_matches(selector, labels_of(obj))
    if ns is None:
        raise MatchError("namespace selector for namespace-scoped object but missing Namespace")
    return selector_matches(selector, labels_of(ns))


def _name(match: dict[str, Any], obj: dict[str, Any], ns: dict[str, Any] | None, source: str) -> bool:
    pattern = match.get("name") or ""
    if not pattern:
        return True
    generate_name = _meta(obj, "generateName")
    return wildcard_matches(pattern, name_of(obj)) or wildcard_matches_generate_name(
        pattern, generate_name if isinstance(generate_name, str) else "")


def _source(match: dict[str, Any], obj: dict[str, Any], ns: dict[str, Any] | None, source: str) -> bool:
    wanted = match.get("source") or "All"
    if wanted not in SOURCES:
        raise MatchError(f"invalid source field {_q(wanted)}")
    if not source and wanted != "All":
        raise MatchError(f"source field not specified for resource {name_of(obj)}")
    if wanted == "All":
        return True
    if source not in SOURCES:
        raise MatchError(f"invalid source field {_q(source)}")
    return wanted == source


_MATCHERS = (_kinds, _scope, _namespaces, _excluded_namespaces, _label_selector, _namespace_selector, _name, _source)


def object_matches(match: dict[str, Any], obj: dict[str, Any], ns: dict[str, Any] | None, source: str = "Original") -> bool:
    """Every criterion, in Gatekeeper's order; the first that fails ends the match."""
    for matcher in _MATCHERS:
        try:
            if not matcher(match, obj, ns, source):
                return False
        except MatchError as exc:
            raise MatchError(f"failed to run Match criteria: {exc}") from None
    return True


def review_matches(match: dict[str, Any] | None, review: dict[str, Any], namespaces: dict[str, dict[str, Any]],
                   source: str = "Original") -> bool:
    """Whether a constraint with this `spec.match` applies to the review (pkg/target/matcher.go).

    `namespaces` are the Namespace objects gator knows (from the case's inventory), by name.
    """
    if match is None:
        return True
    ns = None
    if review.get("namespace"):
        ns = namespaces.get(review["namespace"])
    candidates = [review.get("object"), review.get("oldObject")]
    present = [obj for obj in candidates if isinstance(obj, dict)]
    if not present:
        raise MatchError("invalid request object: neither object nor old object are defined")
    for obj in present:
        if not obj.get("kind"):
            raise MatchError(f"invalid request object: failed to unmarshal gkReview object: Object 'Kind' is missing in {obj}")
        try:
            if object_matches(match, obj, ns, source):
                return True
        except MatchError as exc:
            raise MatchError(f"error matching the requested object: {name_of(obj)} :{exc}") from None
    return False
