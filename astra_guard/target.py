"""Which Kubernetes version the inputs target: --k8s-version, the config, else Terraform."""

from __future__ import annotations

import re

from astra_guard.model import Resource

EKS_MODULE = re.compile(r"^(registry\.terraform\.io/)?terraform-aws-modules/eks/aws(//.*)?$")
VERSION = re.compile(r"^\d+\.\d+$")


def terraform_cluster_version(resources: list[Resource]) -> tuple[str, Resource, str] | None:
    """The first literal cluster version in Terraform: (version, resource, attribute)."""
    for r in resources:
        if r.family != "terraform":
            continue
        if r.kind == "module" and isinstance(r.data.get("source"), str) and EKS_MODULE.match(r.data["source"]):
            for attribute in ("cluster_version", "kubernetes_version"):
                value = r.data.get(attribute)
                if isinstance(value, str) and VERSION.match(value):
                    return value, r, attribute
        if r.kind == "resource" and r.name.startswith("aws_eks_cluster."):
            value = r.data.get("version")
            if isinstance(value, str) and VERSION.match(value):
                return value, r, "version"
    return None


def target_version(resources: list[Resource], explicit: str | None, configured: str | None) -> tuple[str, str]:
    """(version, where it came from); ("", "unknown") when nothing says."""
    if explicit:
        return explicit, "--k8s-version"
    if configured:
        return configured, "configuration (kubernetes.target_version)"
    found = terraform_cluster_version(resources)
    if found:
        version, resource, attribute = found
        return version, f"Terraform {resource.file} ({resource.kind} {resource.name}, {attribute})"
    return "", "unknown"
