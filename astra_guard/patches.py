"""Partial manifests: a strategy patch is not a Deployment.

An object missing what makes it whole (a workload without a pod template, a Pod without
containers) is a patch, as kustomize and `kubectl patch` use them. It is merged into the
object of the same kind, namespace and name when the inputs hold one, and never judged on
its own. Merging follows strategic-merge-patch for the lists that matter (containers,
volumes, env and ports merge by `name`/`containerPort`); the merged object keeps each
field's own source position, so a finding on a patched field points into the patch file.
"""

from __future__ import annotations

from typing import Any

from astra_guard.model import Path, Resource, Skipped, SpanIndex
from astra_guard.pods import containers, pod_of

POD_KINDS = {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob", "Rollout"}
SELECTOR_REQUIRED = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Rollout"}
MERGE_KEYS = ("name", "containerPort", "mountPath", "port")


def is_partial(resource: Resource) -> bool:
    """True when `resource` lacks what the API server needs to create its kind.

    A pod-bearing object is whole when it has its pod (template) with every container naming
    an image, and, for the kinds whose API requires one, a selector. Anything less is a patch.
    """
    if resource.family != "kubernetes" or resource.kind not in POD_KINDS:
        return False
    spec = resource.data.get("spec")
    if not isinstance(spec, dict):
        return True
    if resource.kind == "Rollout" and isinstance(spec.get("workloadRef"), dict) and "template" not in spec:
        return False  # pods come from the referenced Deployment
    if resource.kind in SELECTOR_REQUIRED and not isinstance(spec.get("selector"), dict):
        return True
    pod = pod_of(resource.data)
    if pod is None or not isinstance(pod.spec.get("containers"), list) or not pod.spec["containers"]:
        return True
    return any(not isinstance(c.data.get("image"), str) for c in containers(pod))


def _merge_key(items: list[Any]) -> str | None:
    for key in MERGE_KEYS:
        if items and all(isinstance(i, dict) and key in i for i in items):
            return key
    return None


def merge(base: Any, patch: Any, mpath: Path, ppath: Path, origin: list[tuple[Path, Path]]) -> Any:
    """Strategic-merge `patch` into `base`; `origin` collects (merged path, patch path) pairs."""
    if isinstance(base, dict) and isinstance(patch, dict):
        out = dict(base)
        for key, value in patch.items():
            if key in base and isinstance(value, (dict, list)) and type(value) is type(base[key]):
                out[key] = merge(base[key], value, mpath + (key,), ppath + (key,), origin)
                continue
            if key not in base or base[key] != value:
                origin.append((mpath + (key,), ppath + (key,)))
            out[key] = value
        return out
    if isinstance(base, list) and isinstance(patch, list):
        key = _merge_key(base + patch)
        if key is None:
            origin.append((mpath, ppath))
            return patch
        out_list = list(base)
        for j, item in enumerate(patch):
            match = next((i for i, b in enumerate(out_list) if b[key] == item[key]), None)
            if match is None:
                out_list.append(item)
                origin.append((mpath + (len(out_list) - 1,), ppath + (j,)))
            else:
                out_list[match] = merge(out_list[match], item, mpath + (match,), ppath + (j,), origin)
        return out_list
    return patch


def _spans(base: Resource, patch: Resource, origin: list[tuple[Path, Path]]) -> SpanIndex:
    """Base positions, replaced under every path the patch set by the patch's own positions."""
    n = len(base.origin)
    spans = {path[n:]: span for path, span in base.spans.items() if path[:n] == base.origin}
    for merged_path, patch_path in origin:
        depth = len(merged_path)
        for stale in [p for p in spans if p[:depth] == merged_path]:
            del spans[stale]
        prefix = patch.origin + patch_path
        for sub, sub_span in patch.spans.items():
            if sub[: len(prefix)] == prefix:
                spans[merged_path + sub[len(prefix):]] = sub_span
    return spans


def apply_patches(resources: list[Resource]) -> tuple[list[Resource], list[Skipped]]:
    """Merge every partial manifest into its whole object; unmatched patches are skipped."""
    whole: dict[tuple[str, str, str], int] = {}
    out: list[Resource] = []
    patches: list[Resource] = []
    for resource in resources:
        if is_partial(resource):
            patches.append(resource)
            continue
        if resource.family == "kubernetes":
            whole[(resource.kind, resource.namespace or "", resource.name)] = len(out)
        out.append(resource)
    skipped: list[Skipped] = []
    for patch in patches:
        key = (patch.kind, patch.namespace or "", patch.name)
        line = patch.spans.get(patch.origin + ("kind",))
        at = line.line if line else 1
        if key not in whole:
            skipped.append(
                Skipped(patch.file, at, f"partial {patch.kind} '{patch.name}' (not a whole object): a patch with no "
                        "base object among the inputs, not judged on its own")
            )
            continue
        base = out[whole[key]]
        origin: list[tuple[Path, Path]] = []
        data = merge(base.data, patch.data, (), (), origin)
        out[whole[key]] = Resource(
            family=base.family, kind=base.kind, name=base.name, file=base.file, data=data,
            spans=_spans(base, patch, origin), namespace=base.namespace, api_version=base.api_version,
            origin=(), document=base.document, merged_from=base.merged_from + (patch.file,),
        )
        skipped.append(Skipped(patch.file, at, f"partial {patch.kind} '{patch.name}': merged into {base.file} as a patch"))
    return out, skipped


def workload_ref_notes(resources: list[Resource]) -> list[Skipped]:
    """Say how each Argo Rollout with `workloadRef` is judged: through its Deployment, if present."""
    deployments = {(r.namespace or "", r.name) for r in resources if r.family == "kubernetes" and r.kind == "Deployment"}
    notes = []
    for r in resources:
        spec = r.data.get("spec") if r.family == "kubernetes" and r.kind == "Rollout" else None
        ref = spec.get("workloadRef") if isinstance(spec, dict) else None
        if not isinstance(ref, dict) or isinstance(spec.get("template"), dict):
            continue
        span = r.spans.get(r.origin + ("spec", "workloadRef"))
        line = span.line if span else 1
        target = str(ref.get("name", ""))
        if ref.get("kind", "Deployment") == "Deployment" and (r.namespace or "", target) in deployments:
            notes.append(Skipped(r.file, line, f"Rollout '{r.name}' takes its pods from Deployment '{target}': they are judged there"))
        else:
            notes.append(Skipped(r.file, line, f"Rollout '{r.name}' takes its pods from {ref.get('kind', 'Deployment')} "
                                 f"'{target}', which is not among the inputs: its pods are not judged"))
    return notes
