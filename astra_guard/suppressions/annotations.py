"""Kubernetes annotations: `astra-guard.io/ignore` on an object or on its pod template.

    metadata:
      annotations:
        astra-guard.io/ignore: |
          k8s-readiness-probe: batch worker, nothing routes traffic to it until=2027-03-31
          k8s-run-as-non-root,k8s-read-only-root-fs: vendor image, ticket SEC-118

One entry per line, `RULE_ID[,RULE_ID]: reason`, an optional ` until=YYYY-MM-DD` at the end.
On the object's own metadata it covers every finding of the object; on the pod template
(`spec.template`, a CronJob's `spec.jobTemplate.spec.template`) only what lies under the template.
"""

from __future__ import annotations

import re
from typing import Any

from astra_guard.model import Path, Resource
from astra_guard.pods import TEMPLATE_KINDS
from astra_guard.suppressions.model import ResourceDirective, parse_day

ANNOTATION = "astra-guard.io/ignore"
_UNTIL = re.compile(r"\s+until=(\S*)\s*$")


def pod_template_path(kind: str) -> Path | None:
    """Where a pod-bearing kind keeps its pod template."""
    if kind == "CronJob":
        return ("spec", "jobTemplate", "spec", "template")
    if kind in TEMPLATE_KINDS:
        return ("spec", "template")
    return None


def _annotation(data: Any, at: Path) -> Any:
    node = data
    for key in (*at, "metadata", "annotations"):
        node = node.get(key) if isinstance(node, dict) else None
    return node.get(ANNOTATION) if isinstance(node, dict) else None


def _entry(text: str) -> tuple[tuple[str, ...], str, str | None, str | None]:
    """`RULE[,RULE]: reason until=DAY` -> rule ids, reason, until text, what is wrong."""
    ids, colon, reason = text.partition(":")
    rules = tuple(part.strip() for part in ids.split(",") if part.strip())
    until = None
    match = _UNTIL.search(reason)
    if match:
        until, reason = match.group(1), reason[: match.start()]
    reason = reason.strip()
    if not rules:
        return rules, reason, until, "it names no rule id"
    if not colon or not reason:
        return rules, reason, until, f"it has no reason: write '{','.join(rules)}: why this is accepted'"
    if until is not None and parse_day(until) is None:
        return rules, reason, until, f"until={until} is not a day written YYYY-MM-DD"
    return rules, reason, until, None


def _directives_at(resource: Resource, prefix: Path) -> list[ResourceDirective]:
    value = _annotation(resource.data, prefix)
    if value is None:
        return []
    span, _ = resource.locate((*prefix, "metadata", "annotations", ANNOTATION))

    def directive(rules: tuple[str, ...], reason: str, until: str | None, problem: str | None) -> ResourceDirective:
        return ResourceDirective(
            kind="annotation", rules=rules, reason=reason, file=span.file, line=span.line, column=span.column,
            expires=parse_day(until) if until else None, problem=problem,
            kind_name_namespace=(resource.kind, resource.name, resource.namespace),
            files=frozenset({resource.file, *resource.merged_from}), prefix=prefix,
        )

    if not isinstance(value, str):
        return [directive((), "", None, f"the {ANNOTATION} annotation must be a string")]
    return [directive(*_entry(text)) for text in value.split("\n") if text.strip()]


def annotation_directives(resources: list[Resource]) -> list[ResourceDirective]:
    """The `astra-guard.io/ignore` annotations of every Kubernetes object and pod template."""
    directives: list[ResourceDirective] = []
    for resource in resources:
        if resource.family != "kubernetes":
            continue
        directives += _directives_at(resource, ())
        template = pod_template_path(resource.kind)
        if template is not None:
            directives += _directives_at(resource, template)
    return directives
