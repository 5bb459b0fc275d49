"""EKS envelope-encrypts Kubernetes Secrets with a customer-managed KMS key."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from astra_guard.engine.python_rules import RuleContext
from astra_guard.findings import Severity, Violation
from astra_guard.model import Path
from astra_guard.rules.meta import RuleMeta
from astra_guard.rules.terraform._eks import (
    UNKNOWN,
    Cluster,
    Variables,
    block,
    clusters,
    known,
    module_setting,
)

META = RuleMeta(
    id="tf-eks-secrets-encryption",
    title="EKS Secrets are envelope-encrypted with a customer-managed KMS key",
    severity=Severity.MEDIUM,
    checklist_item=None,
    rationale=(
        "With an encryption_config for the secrets resource, EKS envelope-encrypts Kubernetes "
        "Secrets in etcd with a KMS key the account controls: its use is logged in CloudTrail and "
        "it can be rotated or revoked. Without it, Secrets rely on the platform's default at-rest "
        "encryption with a key AWS owns. The AWS provider configures none by default; the "
        "terraform-aws-modules/eks module does so by default from v19 (creating the key), not "
        "before. This hardens the cluster but is not one of the v1.0 checklist items."
    ),
    remediation='Configure secrets encryption: encryption_config { resources = ["secrets"] provider { key_arn = <KMS key ARN> } } on aws_eks_cluster, or keep the module\'s default (v19+) instead of disabling it, or pass provider_key_arn.',
    family="terraform",
    engine="python",
    source="astra_guard/rules/terraform/eks_secrets_encryption.py",
    references=(
        "https://docs.aws.amazon.com/eks/latest/userguide/envelope-encryption.html",
        "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/eks_cluster#encryption_config",
    ),
)

HINT_LIST = '[{ provider_key_arn = <KMS key ARN>, resources = ["secrets"] }]'
OFF = "so Kubernetes Secrets are not envelope-encrypted with a customer-managed KMS key"


def _has_secrets(resources: Any) -> bool | None:
    if not isinstance(resources, list):
        return False
    if "secrets" in resources:
        return True
    return None if not known(resources) else False


def _keyed(entry: dict[str, Any], create_kms_key: Any) -> bool:
    arn = entry.get("provider_key_arn")
    if create_kms_key is True or create_kms_key is UNKNOWN or arn is UNKNOWN:
        return True
    return isinstance(arn, str) and bool(arn)


def _module(cluster: Cluster, variables: Variables) -> tuple[str, Path] | None:
    facts = cluster.facts
    if facts is None:
        if any(n in cluster.resource.data for n in ("cluster_encryption_config", "encryption_config")):
            return None
        message = (f"{cluster.label}: {cluster.version_note}, so whether Secrets are envelope-encrypted by "
                   "default is unknown (not before v19, with a KMS key the module creates from v19): pin the "
                   "module version")
        return message, ("version",)
    setting = module_setting(cluster, variables, facts.encryption, facts.encryption_default)
    kms_setting = module_setting(cluster, variables, "create_kms_key", facts.create_kms_key_default)
    kms = kms_setting.value
    value, name, path = setting.value, setting.name, setting.path
    if value is UNKNOWN:
        return None
    shown = "null" if value is None else json.dumps(value) if known(value) else "a computed value"
    if facts.encryption_shape == "list":
        entries = [e for e in value if isinstance(e, dict)] if isinstance(value, list) else []
        if not entries:
            where = f"sets {name} = {shown}" if setting.explicit else f"leaves {name} at the v{facts.major} default []"
            return f"{cluster.label} {where}, {OFF}: set {name} = {HINT_LIST}", path
    elif value is None and facts.major >= 21:
        message = (f"{cluster.label} sets {name} = null, {OFF} (only the AWS-owned default key): remove the "
                   "override so the module encrypts them with its KMS key")
        return message, path
    elif not isinstance(value, dict) or (not value and facts.encryption_off == "{}"):
        message = (f"{cluster.label} sets {name} = {shown}, {OFF}: remove the override (the default "
                   "encrypts secrets with a KMS key the module creates)")
        return message, path
    else:
        entries = [value]
        if facts.major >= 21 and value.get("resources") is None:  # optional(list(string), ["secrets"])
            entries = [{**value, "resources": ["secrets"]}]
    hits = [e for e in entries if _has_secrets(e.get("resources")) is not False]
    if not hits:
        return f'{cluster.label} configures {name} without "secrets" in resources, {OFF}: add "secrets"', path
    if not any(_keyed(e, kms) for e in hits):
        message = (f"{cluster.label} asks for secrets encryption with create_kms_key = false and no "
                   f"provider_key_arn, so there is no key to encrypt with: set provider_key_arn in {name} or "
                   "create_kms_key = true")
        return message, kms_setting.path if kms_setting.explicit else path
    return None


def _resource(cluster: Cluster) -> tuple[str, Path] | None:
    found = block(cluster, "encryption_config")
    if found is None:
        message = (f"{cluster.label} has no encryption_config, {OFF}: add encryption_config "
                   '{ resources = ["secrets"] provider { key_arn = <KMS key ARN> } }')
        return message, cluster.prefix + ("encryption_config",)
    config, path = found
    if _has_secrets(config.get("resources")) is False:
        message = f'{cluster.label}\'s encryption_config does not list "secrets" in resources, {OFF}: add "secrets"'
        return message, path + ("resources",)
    return None


def check(context: RuleContext) -> Iterator[Violation]:
    variables = Variables(context.resources)
    for cluster in clusters(context.resources):
        problem = _module(cluster, variables) if cluster.flavour == "module" else _resource(cluster)
        if problem is not None:
            message, path = problem
            yield Violation(cluster.resource, path, message)
