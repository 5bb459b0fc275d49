"""An admission control among the inputs blocks pods whose images are not referenced by digest.

Recognised, when it denies (not dryrun/warn/Audit):
- a Gatekeeper Constraint (constraints.gatekeeper.sh) of kind K8sImageDigests (gatekeeper-library),
  AstraK8sImageDigest (astra-guard's own export of k8s-image-digest), any kind whose name says
  "digest", or a kind whose ConstraintTemplate among the inputs mentions sha256 in its Rego;
  a ConstraintTemplate alone enforces nothing, so it counts only with a Constraint of its kind;
- a Kyverno ClusterPolicy/Policy with a verifyImages rule (verifyDigest defaults to true) or a
  validate rule that mentions sha256, in Enforce mode (Kyverno's default is Audit);
- a ValidatingAdmissionPolicy whose CEL mentions sha256, bound with validationActions Deny.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from astra_guard.engine.python_rules import RuleContext
from astra_guard.findings import Severity, Violation
from astra_guard.gatekeeper.export import constraint_kind
from astra_guard.model import Resource
from astra_guard.pods import containers
from astra_guard.rules.meta import RuleMeta

META = RuleMeta(
    id="k8s-admission-digest-policy",
    title="An admission policy blocks images that are not referenced by digest",
    severity=Severity.MEDIUM,
    checklist_item=4,
    rationale=(
        "Checking manifests in CI does not stop `kubectl set image`, a Helm value or a hotfix "
        "applied by hand from running an image by tag. Only an admission controller sees every "
        "pod the API server accepts: the release checklist asks that unknown digests be blocked "
        "there, so a Gatekeeper Constraint (or a Kyverno or ValidatingAdmissionPolicy equivalent) "
        "that denies undigested images must be part of what is deployed."
    ),
    remediation=(
        "Deploy a policy that denies images without a digest: the gatekeeper-library K8sImageDigests "
        "template with a Constraint (enforcementAction: deny), or the AstraK8sImageDigest template and "
        "Constraint that `astra-guard gatekeeper export` writes, alongside the workloads."
    ),
    family="kubernetes",
    engine="python",
    source="astra_guard/rules/kubernetes/admission_digest_policy.py",
    references=(
        "https://open-policy-agent.github.io/gatekeeper-library/website/validation/imagedigests/",
        "https://open-policy-agent.github.io/gatekeeper/website/docs/violations/",
        "https://kyverno.io/docs/writing-policies/verify-images/",
    ),
)

KNOWN_KINDS = {"K8sImageDigests", constraint_kind("k8s-image-digest")}


def _group(resource: Resource) -> str:
    return (resource.api_version or "").rpartition("/")[0]


def _get(node: Any, *keys: str) -> Any:
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    return node


def _is_digest_kind(kind: str) -> bool:
    return kind in KNOWN_KINDS or "digest" in kind.lower()


def _templates(resources: list[Resource]) -> set[str]:
    """Constraint kinds that ConstraintTemplates among the inputs define to check digests."""
    kinds = set()
    for r in resources:
        if r.kind == "ConstraintTemplate" and _group(r) == "templates.gatekeeper.sh":
            kind = _get(r.data, "spec", "crd", "spec", "names", "kind")
            if isinstance(kind, str) and (
                _is_digest_kind(kind) or "sha256" in str(_get(r.data, "spec", "targets"))
            ):
                kinds.add(kind)
    return kinds


def _kyverno(r: Resource) -> tuple[bool, bool]:
    """(checks digests, enforces) for a Kyverno policy."""
    default = str(_get(r.data, "spec", "validationFailureAction") or "Audit").lower()
    checks = enforces = False
    for rule in _get(r.data, "spec", "rules") or ():
        if not isinstance(rule, dict):
            continue
        verify = [
            v
            for v in rule.get("verifyImages") or ()
            if isinstance(v, dict) and v.get("verifyDigest") is not False
        ]
        validate = rule.get("validate") if "sha256" in str(rule.get("validate")) else None
        for part in [*verify, *([validate] if isinstance(validate, dict) else [])]:
            checks = True
            enforces |= str(part.get("failureAction") or default).lower() == "enforce"
    return checks, enforces


def _assess(resources: list[Resource]) -> tuple[bool, list[str]]:
    """(some policy blocks undigested images, notes on policies that exist but do not block)."""
    templates = _templates(resources)
    unused = set(templates)
    notes: list[str] = []
    bindings = {
        str(_get(r.data, "spec", "policyName")): r
        for r in resources
        if r.kind == "ValidatingAdmissionPolicyBinding"
        and "Deny" in (_get(r.data, "spec", "validationActions") or ())
    }
    for r in resources:
        group = _group(r)
        if group == "constraints.gatekeeper.sh" and (
            r.kind in templates or _is_digest_kind(r.kind)
        ):
            action = str(_get(r.data, "spec", "enforcementAction") or "deny").lower()
            scoped = [
                str(a.get("action")).lower()
                for a in _get(r.data, "spec", "scopedEnforcementActions") or ()
                if isinstance(a, dict)
            ]
            if action == "deny" or (action == "scoped" and "deny" in scoped):
                return True, []
            unused.discard(r.kind)
            notes.append(
                f"the {r.kind} Constraint '{r.name}' has enforcementAction: {action}, which does not deny"
            )
        elif group.startswith("kyverno.io") and r.kind in ("ClusterPolicy", "Policy"):
            checks, enforces = _kyverno(r)
            if checks and enforces:
                return True, []
            if checks:
                notes.append(f"the Kyverno {r.kind} '{r.name}' checks digests in Audit mode only")
        elif r.kind == "ValidatingAdmissionPolicy" and "sha256" in str(
            _get(r.data, "spec", "validations")
        ):
            if r.name in bindings:
                return True, []
            notes.append(
                f"the ValidatingAdmissionPolicy '{r.name}' has no binding with validationActions: [Deny]"
            )
    notes += [
        f"the ConstraintTemplate for {kind} has no Constraint of that kind, so it enforces nothing"
        for kind in sorted(unused)
    ]
    return False, notes


def check(context: RuleContext) -> Iterator[Violation]:
    # The first pod (in file, document and position order; input order among equals) with an
    # image: where the finding is reported.
    with_image = [
        (resource, found)
        for resource, pod in context.pods()
        if (found := next((c for c in containers(pod) if isinstance(c.data.get("image"), str)), None))
    ]
    if not with_image:
        return
    first = min(with_image, key=lambda pair: (pair[0].file, pair[0].document, pair[0].origin))
    # The objects _assess reads (the others can neither block nor add a note), in input order.
    blocked, notes = _assess(context.in_input_order(
        context.of_api_group("constraints.gatekeeper.sh"),
        context.of_kind("ConstraintTemplate", "ValidatingAdmissionPolicyBinding", "ClusterPolicy", "Policy",
                        "ValidatingAdmissionPolicy"),
    ))
    if blocked:
        return
    resource, container = first
    detail = f" ({'; '.join(notes)})" if notes else ""
    yield Violation(
        resource,
        container.path + ("image",),
        (
            f"no admission control among the inputs blocks images that are not referenced by digest{detail}, so "
            f"nothing stops {resource.kind} '{resource.name}', or any pod, from running an image by tag: deploy the "
            "gatekeeper-library K8sImageDigests ConstraintTemplate with a Constraint (enforcementAction: deny), or "
            "the AstraK8sImageDigest one that `astra-guard gatekeeper export` writes"
        ),
    )
