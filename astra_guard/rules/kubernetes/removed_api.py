"""No API version that the target cluster no longer serves (or serves only as deprecated)."""

from __future__ import annotations

from collections.abc import Iterator

from astra_guard.engine.python_rules import RuleContext
from astra_guard.findings import Severity, Violation
from astra_guard.rules.kubernetes._api_removals import NEWEST, lookup, parse_version, status
from astra_guard.rules.meta import Param, RuleMeta

META = RuleMeta(
    id="k8s-removed-api",
    title="Manifests use API versions the target cluster serves",
    severity=Severity.HIGH,
    checklist_item=5,
    rationale=(
        "An object whose apiVersion the cluster no longer serves is rejected at apply time, so the "
        "policy or workload it carries never reaches the cluster (a PodSecurityPolicy in "
        "policy/v1beta1 on 1.25+ enforces nothing). Versions are judged against the target "
        "Kubernetes version (--k8s-version, the configuration, else Terraform's cluster version; the "
        "newest release the removal table covers when unknown). Severity is high for a removed "
        "version and medium for one that is deprecated and still served."
    ),
    remediation="Move the object to the replacement apiVersion named in the finding (kubectl convert helps), or replace a removed kind such as PodSecurityPolicy with its successor mechanism.",
    family="kubernetes",
    engine="python",
    source="astra_guard/rules/kubernetes/removed_api.py",
    references=(
        "https://kubernetes.io/docs/reference/using-api/deprecation-guide/",
        "https://kubernetes.io/docs/reference/using-api/deprecation-policy/",
    ),
    params=(
        Param(
            "target_version", "string", "",
            "Kubernetes minor version of the target cluster, e.g. \"1.29\"; empty when unknown.",
        ),
    ),
)


def _target(raw: object) -> tuple[str, str]:
    """(version to judge against, how the message names the target)."""
    text = str(raw or "").strip()
    parsed = parse_version(text) if text else None
    if parsed is None:
        what = f"{text!r} is not a Kubernetes version" if text else "unknown"
        return NEWEST, f"{what}: judged against {NEWEST}, the newest release covered; set --k8s-version"
    return f"{parsed[0]}.{parsed[1]}", f"{parsed[0]}.{parsed[1]}"


def check(context: RuleContext) -> Iterator[Violation]:
    target, label = _target(context.params.get("target_version"))
    for resource in context.of_family("kubernetes"):
        removal = lookup(resource.api_version or "", resource.kind)
        if removal is None:
            continue
        state = status(removal, target)
        what = f"{resource.kind} '{resource.name}' uses {removal.api_version}"
        if state == "removed":
            yield Violation(resource, ("apiVersion",), (
                f"{what}, which Kubernetes no longer serves since {removal.removed} (target {label}): the API "
                f"server rejects it; use {removal.replacement}"))
        elif state == "deprecated":
            yield Violation(resource, ("apiVersion",), (
                f"{what}, deprecated since {removal.deprecated} (target {label}) and no longer served from "
                f"{removal.removed}: before upgrading to {removal.removed}, use {removal.replacement}"),
                severity=Severity.MEDIUM)
