"""What astra-guard knows of terraform-aws-modules/eks majors 17-21 (read from the module's source)."""

from __future__ import annotations

import pytest

from astra_guard.rules.terraform._eks_module import (
    FACTS,
    MAJORS,
    REMOVED,
    VERIFIED,
    is_eks_source,
    major_of,
    removed_in,
    replacement,
)


@pytest.mark.parametrize(("source", "version", "major"), [
    ("terraform-aws-modules/eks/aws", "~> 20.0", 20),
    ("terraform-aws-modules/eks/aws", "20.8.4", 20),
    ("terraform-aws-modules/eks/aws", "~> 20", 20),
    ("terraform-aws-modules/eks/aws", "= 19.21.0", 19),
    ("terraform-aws-modules/eks/aws", ">= 19, < 21", 19),
    ("terraform-aws-modules/eks/aws", ">= 18.0.0, != 18.5.0, < 20.0.0", 18),
    ("registry.terraform.io/terraform-aws-modules/eks/aws", "v21.0.0", 21),
    ("git::https://github.com/terraform-aws-modules/terraform-aws-eks.git?ref=v19.21.0", None, 19),
    ("github.com/terraform-aws-modules/terraform-aws-eks?ref=v21.3.0", None, 21),
])
def test_the_major_is_the_lowest_the_constraint_admits(source: str, version: str | None, major: int) -> None:
    assert major_of(source, version)[0] == major


@pytest.mark.parametrize(("version", "why"), [
    (None, "no version constraint"),
    ("", "no version constraint"),
    ("< 21.0", "no lower bound"),
    ("${var.eks_version}", "not a literal"),
    ("twenty", "not understood"),
])
def test_an_unknown_major_says_why(version: str | None, why: str) -> None:
    major, note = major_of("terraform-aws-modules/eks/aws", version)
    assert major is None and why in note


def test_eks_sources() -> None:
    assert is_eks_source("terraform-aws-modules/eks/aws")
    assert not is_eks_source("terraform-aws-modules/eks/aws//modules/eks-managed-node-group")
    assert not is_eks_source("git::https://github.com/terraform-aws-modules/terraform-aws-eks.git//modules/karpenter?ref=v20.0.0")
    assert is_eks_source("git::ssh://git@github.com/terraform-aws-modules/terraform-aws-eks.git?ref=v20.0.0")
    assert not is_eks_source("terraform-aws-modules/vpc/aws")
    assert not is_eks_source(None)


def test_every_major_17_to_21_is_known_and_was_verified_against_two_releases() -> None:
    assert MAJORS == (17, 18, 19, 20, 21) and set(FACTS) == set(VERIFIED) == set(REMOVED)
    for major, (first, last) in VERIFIED.items():
        assert first == f"v{major}.0.0" and last.startswith(f"v{major}.")


def test_log_type_defaults_per_major() -> None:
    assert FACTS[17].log_types == "cluster_enabled_log_types" and FACTS[17].log_types_default == ()
    for major in (18, 19, 20):
        assert FACTS[major].log_types == "cluster_enabled_log_types"
        assert FACTS[major].log_types_default == ("audit", "api", "authenticator")
    assert FACTS[21].log_types == "enabled_log_types"
    assert FACTS[21].log_types_default == ("audit", "api", "authenticator")


def test_public_endpoint_and_encryption_defaults_per_major() -> None:
    assert [FACTS[m].public_access_default for m in MAJORS] == [True, True, False, False, False]
    assert FACTS[21].public_access == "endpoint_public_access" and FACTS[20].public_access == "cluster_endpoint_public_access"
    assert FACTS[21].public_cidrs == "endpoint_public_access_cidrs"
    assert [FACTS[m].encryption_default for m in MAJORS] == [[], [], {"resources": ["secrets"]}, {"resources": ["secrets"]}, {}]
    assert [FACTS[m].create_kms_key_default for m in MAJORS] == [None, False, True, True, True]
    assert FACTS[21].encryption == "encryption_config" and FACTS[20].encryption == "cluster_encryption_config"


def test_removed_inputs() -> None:
    assert removed_in("manage_aws_auth") == 18  # v17's input; v18.20 brought manage_aws_auth_configmap
    assert removed_in("map_roles") == 18
    for name in ("manage_aws_auth_configmap", "aws_auth_roles", "aws_auth_users", "aws_auth_accounts"):
        assert removed_in(name) == 20
    for name in ("cluster_name", "cluster_version", "cluster_enabled_log_types", "cluster_encryption_config",
                 "cluster_endpoint_public_access", "cluster_endpoint_public_access_cidrs"):
        assert removed_in(name) == 21
    assert removed_in("access_entries") is None and removed_in("vpc_id") is None


def test_an_input_is_removed_once_only() -> None:
    names = [name for names in REMOVED.values() for name in names]
    assert len(names) == len(set(names))


def test_replacements_follow_the_upgrade_guides() -> None:
    assert "access_entries" in (replacement("manage_aws_auth", 20) or "")
    assert "manage_aws_auth_configmap" in (replacement("manage_aws_auth", 19) or "")
    assert "access_entries" in (replacement("aws_auth_roles", 20) or "")
    assert replacement("subnets", 18) == "subnet_ids"
    assert replacement("cluster_name", 21) == "name"
    assert replacement("cluster_version", 21) == "kubernetes_version"
    assert replacement("cluster_enabled_log_types", 21) == FACTS[21].log_types
    assert replacement("cluster_endpoint_public_access", 21) == FACTS[21].public_access
    assert replacement("cluster_endpoint_public_access_cidrs", 21) == FACTS[21].public_cidrs
    assert replacement("cluster_encryption_config", 21) == FACTS[21].encryption
    assert replacement("create_cluster_security_group", 21) == "create_security_group"
