"""The Gatekeeper side of the same policy: ConstraintTemplates and Constraints from the catalogue.

Every Rego rule that decides from one object (`admission: true`) becomes a
`templates.gatekeeper.sh/v1` ConstraintTemplate whose Rego *is* the rule's file (v1 syntax,
under `code: [{engine: Rego, source: {rego, libs, version: "v1"}}]`) and whose libs are the
`lib.*` files it imports, plus a Constraint matching every pod-bearing kind the rule names.
Only whitespace changes (leading tabs become spaces so YAML can keep the source as a block).
The output is sorted and byte-stable, so `--check` can tell when `constraints/` is stale.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from astra_guard.rules.catalog import RuleCatalog
from astra_guard.rules.meta import RuleMeta

TARGET = "admission.k8s.gatekeeper.sh"
DEFAULT_EXCLUDED_NAMESPACES = ("kube-system", "gatekeeper-system")
ENFORCEMENT_ACTIONS = ("deny", "dryrun", "warn")
KIND_GROUPS = {
    "Pod": "", "ReplicationController": "", "Namespace": "", "Service": "", "ServiceAccount": "",
    "Deployment": "apps", "StatefulSet": "apps", "DaemonSet": "apps", "ReplicaSet": "apps",
    "Job": "batch", "CronJob": "batch", "Rollout": "argoproj.io",
    "NetworkPolicy": "networking.k8s.io", "Ingress": "networking.k8s.io",
    "Role": "rbac.authorization.k8s.io", "ClusterRole": "rbac.authorization.k8s.io",
    "RoleBinding": "rbac.authorization.k8s.io", "ClusterRoleBinding": "rbac.authorization.k8s.io",
}
IMPORT = re.compile(r"^import\s+data\.(lib\.[\w.]+)", re.MULTILINE)
PACKAGE = re.compile(r"^package\s+([\w.]+)", re.MULTILINE)


def constraint_kind(rule_id: str) -> str:
    """`k8s-run-as-non-root` -> `AstraK8sRunAsNonRoot`."""
    return "Astra" + "".join(part[:1].upper() + part[1:] for part in rule_id.split("-"))


def exportable(meta: RuleMeta) -> bool:
    return meta.engine == "rego" and meta.admission and meta.family == "kubernetes"


def _block_friendly(source: str) -> str:
    lines = [re.sub(r"^\t+", lambda m: "    " * len(m.group()), line).rstrip() for line in source.splitlines()]
    return "\n".join(lines).strip("\n") + "\n"


def _libs(source: str, libs_by_package: dict[str, str]) -> list[str]:
    """The lib files a rule imports, transitively, in a stable order."""
    wanted, seen = list(IMPORT.findall(source)), []
    while wanted:
        package = wanted.pop(0)
        if package in seen or package not in libs_by_package:
            continue
        seen.append(package)
        wanted += IMPORT.findall(libs_by_package[package])
    return [libs_by_package[p] for p in sorted(seen)]


def _match(meta: RuleMeta, excluded: tuple[str, ...]) -> dict[str, Any]:
    groups: dict[str, list[str]] = {}
    for kind in meta.kinds:
        groups.setdefault(KIND_GROUPS.get(kind, "*"), []).append(kind)
    return {
        "kinds": [{"apiGroups": [group], "kinds": sorted(kinds)} for group, kinds in sorted(groups.items())],
        "excludedNamespaces": list(excluded),
    }


def template(meta: RuleMeta, source: str, libs: list[str]) -> dict[str, Any]:
    kind = constraint_kind(meta.id)
    schema: dict[str, Any] = {"type": "object", "properties": {p.name: p.json_schema() for p in meta.params}}
    annotations = {
        "astra-guard.io/rule-id": meta.id,
        "astra-guard.io/checklist-item": str(meta.checklist_item or ""),
        "metadata.gatekeeper.sh/title": meta.title,
        "description": meta.rationale,
    }
    if meta.sync:
        # One requirement per synced kind, each a single clause (gatekeeper sync docs).
        annotations["metadata.gatekeeper.sh/requires-sync-data"] = json.dumps(
            [[{"groups": [k["group"]], "versions": [k["version"]], "kinds": [k["kind"]]}] for k in meta.sync]
        )
    return {
        "apiVersion": "templates.gatekeeper.sh/v1",
        "kind": "ConstraintTemplate",
        "metadata": {"name": kind.lower(), "annotations": annotations},
        "spec": {
            "crd": {"spec": {"names": {"kind": kind}, "validation": {"openAPIV3Schema": schema}}},
            "targets": [{
                "target": TARGET,
                "code": [{"engine": "Rego", "source": {
                    "version": "v1", "rego": _block_friendly(source), "libs": [_block_friendly(lib) for lib in libs],
                }}],
            }],
        },
    }


def constraint(meta: RuleMeta, params: dict[str, Any], enforcement: str, excluded: tuple[str, ...]) -> dict[str, Any]:
    spec: dict[str, Any] = {"enforcementAction": enforcement, "match": _match(meta, excluded)}
    if meta.params:
        spec["parameters"] = {p.name: params.get(p.name, p.default) for p in meta.params}
    return {
        "apiVersion": "constraints.gatekeeper.sh/v1beta1",
        "kind": constraint_kind(meta.id),
        "metadata": {"name": meta.id, "annotations": {"astra-guard.io/rule-id": meta.id}},
        "spec": spec,
    }


def sync_config(kinds: list[tuple[str, str, str]]) -> dict[str, Any]:
    """Gatekeeper's Config: which kinds to replicate into data.inventory for referential rules.

    Gatekeeper reads exactly one Config, `config` in `gatekeeper-system`; if the cluster already
    has one, merge this syncOnly list into it instead of applying this file.
    """
    return {
        "apiVersion": "config.gatekeeper.sh/v1alpha1",
        "kind": "Config",
        "metadata": {"name": "config", "namespace": "gatekeeper-system"},
        "spec": {"sync": {"syncOnly": [{"group": g, "version": v, "kind": k} for g, v, k in kinds]}},
    }


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _str)


def dump(document: dict[str, Any]) -> str:
    return yaml.dump(document, Dumper=_Dumper, sort_keys=True, default_flow_style=False, width=100, allow_unicode=True)


@dataclass(frozen=True)
class ExportPlan:
    """Every file of the export (relative path -> text), and the rules that stay CI only, with why."""

    files: dict[str, str]
    ci_only: dict[str, str]


FAMILY_LABEL = {"pipelines": "CI pipeline", "dockerfile": "Dockerfile", "terraform": "Terraform"}
SPECIAL_REASONS = {
    "gk-enforcement-action": "judges Gatekeeper's own Constraints, which Gatekeeper does not send to its admission webhook",
    "k8s-removed-api": "the API server itself refuses a removed apiVersion before admission; the check belongs before deploy",
}


def ci_only_reason(meta: RuleMeta) -> str:
    if meta.id in SPECIAL_REASONS:
        return SPECIAL_REASONS[meta.id]
    if meta.family != "kubernetes":
        return f"judges {FAMILY_LABEL.get(meta.family, meta.family)} files, which never reach the Kubernetes API"
    if meta.engine == "python":
        return "joins several objects across the inputs (a referential template would need them synced into data.inventory)"
    return "does not decide from the admitted object alone"


def plan_export(catalog: RuleCatalog, params: dict[str, dict[str, Any]], enforcement: str = "deny",
                excluded: tuple[str, ...] = DEFAULT_EXCLUDED_NAMESPACES, with_suites: bool = True) -> ExportPlan:
    """The whole `constraints/` tree for the catalogue."""
    libs_by_package = {}
    for path in catalog.rego_libs:
        text = path.read_text(encoding="utf-8")
        found = PACKAGE.search(text)
        if found:
            libs_by_package[found.group(1)] = text
    files: dict[str, str] = {}
    ci_only: dict[str, str] = {}
    resources = []
    for meta in catalog:
        if not exportable(meta):
            if meta.engine != "builtin":
                ci_only[meta.id] = ci_only_reason(meta)
            continue
        source = catalog.rego_files[meta.id].read_text(encoding="utf-8")
        name = constraint_kind(meta.id).lower()
        files[f"templates/{name}.yaml"] = dump(template(meta, source, _libs(source, libs_by_package)))
        files[f"constraints/{name}.yaml"] = dump(constraint(meta, params.get(meta.id, {}), enforcement, excluded))
        if with_suites:
            from astra_guard.gatekeeper.suites import suite_files

            for rel, text in suite_files(meta).items():
                files[f"suites/{name}/{rel}"] = text
        resources += [f"templates/{name}.yaml", f"constraints/{name}.yaml"]
    synced = sorted({(k["group"], k["version"], k["kind"]) for m in catalog if exportable(m) for k in m.sync})
    if synced:
        files["sync/config.yaml"] = dump(sync_config(synced))
        resources.append("sync/config.yaml")
    files["kustomization.yaml"] = (
        "# Generated by `astra-guard gatekeeper export`. Do not edit: change the rules and re-export.\n"
        + dump({"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
                "resources": sorted(r for r in resources if r.startswith("sync/"))
                + sorted(r for r in resources if r.startswith("templates/"))
                + sorted(r for r in resources if r.startswith("constraints/"))})
    )
    return ExportPlan(files, ci_only)


def stale_files(plan: ExportPlan, out_dir: Path) -> list[str]:
    """Files that differ from the plan, are missing, or should not be there."""
    stale = [rel for rel, text in sorted(plan.files.items())
             if not (out_dir / rel).is_file() or (out_dir / rel).read_text(encoding="utf-8") != text]
    if out_dir.is_dir():
        managed = {"templates", "constraints", "suites", "sync"}
        for path in sorted(out_dir.rglob("*")):
            rel = path.relative_to(out_dir).as_posix()
            if path.is_file() and rel.split("/")[0] in managed and rel not in plan.files:
                stale.append(f"{rel} (not generated any more)")
    return stale


def write_export(plan: ExportPlan, out_dir: Path) -> None:
    from astra_guard.output import write_atomically

    for rel, text in plan.files.items():
        write_atomically(out_dir / rel, text)
    for line in stale_files(plan, out_dir):
        if line.endswith("(not generated any more)"):
            (out_dir / line.split(" ")[0]).unlink()
