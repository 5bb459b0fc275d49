"""EKS clusters in Terraform inputs, and the effective value of the settings the rules judge.

Not a rule (the module name starts with `_`). A cluster is a call of the
`terraform-aws-modules/eks/aws` module (judged against the defaults of its major, see
`_eks_module`), an `aws_eks_cluster` resource (the AWS provider's defaults), or an
`aws_eks_cluster` change in a `terraform show -json` plan (its planned values). Module calls
read from a plan are not judged: the plan's own cluster resource carries the final values.

A value written as `var.x` is resolved from an auto-loaded tfvars file of the same directory
(`terraform.tfvars`, `*.auto.tfvars`, their JSON forms), else from the variable's default;
anything else computed is unknown, and an unknown value is not judged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from astra_guard.model import Path, Resource
from astra_guard.rules.terraform._eks_module import FACTS, Facts, is_eks_source, major_of

_VAR = re.compile(r"^\$\{var\.([A-Za-z_][\w-]*)\}$")
_AUTO_TFVARS = re.compile(r"(^|/)(terraform\.tfvars|[^/]*\.auto\.tfvars)(\.json)?$")
UNKNOWN = object()  # a value Terraform computes, which the inputs cannot tell
UNKNOWN_DEFAULT = object()  # a module input left unset while the module's major (so its default) is unknown


def _directory(file: str) -> str:
    return file.rpartition("/")[0]


class Variables:
    """`var.x` values per directory: auto-loaded tfvars first, then variable defaults."""

    def __init__(self, resources: list[Resource]) -> None:
        self.values: dict[tuple[str, str], Any] = {}
        for r in resources:
            if r.family == "terraform" and r.kind == "variable" and "default" in r.data:
                self.values.setdefault((_directory(r.file), r.name), r.data["default"])
        for r in resources:
            if r.family == "terraform" and r.kind == "tfvars" and _AUTO_TFVARS.search(r.file):
                for name, value in r.data.items():
                    self.values[(_directory(r.file), name)] = value

    def resolve(self, resource: Resource, value: Any) -> Any:
        """The literal value, with `var.x` references resolved; UNKNOWN where computed."""
        if isinstance(value, str):
            found = _VAR.match(value)
            if found:
                return self.values.get((_directory(resource.file), found.group(1)), UNKNOWN)
            return UNKNOWN if "${" in value else value
        if isinstance(value, list):
            return [self.resolve(resource, item) for item in value]
        if isinstance(value, dict):
            return {key: self.resolve(resource, item) for key, item in value.items()}
        return value


def known(value: Any) -> bool:
    """True when nothing in the value is computed."""
    if value is UNKNOWN:
        return False
    if isinstance(value, list):
        return all(known(v) for v in value)
    if isinstance(value, dict):
        return all(known(v) for v in value.values())
    return True


@dataclass(frozen=True)
class Setting:
    """A cluster setting: its effective value, where it is set (or should be), and whether explicit."""

    name: str  # the input or attribute name, for messages
    value: Any  # UNKNOWN when computed, UNKNOWN_DEFAULT when unset and the module major is unknown
    path: Path
    explicit: bool


@dataclass(frozen=True)
class Cluster:
    """One EKS cluster definition."""

    resource: Resource
    flavour: str  # "module" | "resource" | "plan"
    facts: Facts | None = None  # module calls: the pinned major's facts, None when unknown
    major: int | None = None
    version_note: str = ""

    @property
    def label(self) -> str:
        if self.flavour == "module":
            at = f"v{self.major}" if self.major is not None else "version unknown"
            return f'module "{self.resource.name}" (terraform-aws-modules/eks/aws {at})'
        if self.flavour == "plan":
            return f"planned {self.resource.name}"
        kind, _, name = self.resource.name.partition(".")
        return f'{kind} "{name}"'

    @property
    def body(self) -> dict[str, Any]:
        if self.flavour == "plan":
            after = self.resource.data.get("after")
            return after if isinstance(after, dict) else {}
        return self.resource.data

    @property
    def prefix(self) -> Path:
        return ("after",) if self.flavour == "plan" else ()


def clusters(resources: list[Resource]) -> list[Cluster]:
    """Every EKS cluster definition in the Terraform inputs, in input order."""
    found = []
    for r in resources:
        if r.family != "terraform":
            continue
        if r.kind == "module" and is_eks_source(r.data.get("source")) and "version_constraint" not in r.data:
            major, note = major_of(r.data.get("source"), r.data.get("version"))
            if major is not None and major not in FACTS:
                note += f" selects v{major}, whose defaults astra-guard does not know (it knows v17 to v21)"
            found.append(Cluster(r, "module", FACTS.get(major) if major is not None else None, major, note))
        elif r.kind == "resource" and r.name.startswith("aws_eks_cluster."):
            found.append(Cluster(r, "resource"))
        elif r.kind == "plan_resource" and r.data.get("type") == "aws_eks_cluster" and isinstance(r.data.get("after"), dict):
            found.append(Cluster(r, "plan"))
    return found


def block(cluster: Cluster, name: str) -> tuple[dict[str, Any], Path] | None:
    """The first nested block `name` of a resource (HCL blocks are lists, JSON may be a map)."""
    value = cluster.body.get(name)
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return value[0], cluster.prefix + (name, 0)
    if isinstance(value, dict):
        return value, cluster.prefix + (name,)
    return None


def module_setting(cluster: Cluster, variables: Variables, input_name: str, default: Any) -> Setting:
    """A module input: its explicit value, else the pinned major's default."""
    data = cluster.resource.data
    if input_name in data:
        return Setting(input_name, variables.resolve(cluster.resource, data[input_name]), (input_name,), True)
    return Setting(input_name, default, (input_name,), False)


def module_input(cluster: Cluster, variables: Variables, field: str, default_field: str | None, alternatives: tuple[str, ...]) -> Setting:
    """A module input named per major (`field` of Facts); when the major is unknown, whichever
    of `alternatives` the call sets, else a Setting whose value is UNKNOWN_DEFAULT."""
    if cluster.facts is not None:
        default = getattr(cluster.facts, default_field) if default_field else None
        return module_setting(cluster, variables, getattr(cluster.facts, field), default)
    for name in alternatives:
        if name in cluster.resource.data:
            return module_setting(cluster, variables, name, None)
    return Setting(alternatives[-1], UNKNOWN_DEFAULT, ("version",), False)


def attribute(cluster: Cluster, variables: Variables, name: str, default: Any, within: str | None = None) -> Setting:
    """A resource attribute (optionally inside its first `within` block), else the provider default."""
    if within is None:
        body, base = cluster.body, cluster.prefix
    else:
        found = block(cluster, within)
        body, base = found if found else ({}, cluster.prefix + (within, 0))
    label = f"{within}.{name}" if within else name
    if name in body and body[name] is not None:
        return Setting(label, variables.resolve(cluster.resource, body[name]), base + (name,), True)
    return Setting(label, default, base + (name,), False)
