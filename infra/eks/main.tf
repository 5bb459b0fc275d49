# infra/eks/main.tf: the EKS cluster the SupportAgent runs on (hardened from the seed's infra/eks).
terraform {
  required_version = ">= 1.6.0"
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.0" }
  }
}

provider "aws" { region = var.region }

module "eks" {
  source          = "terraform-aws-modules/eks/aws"
  version         = "~> 20.0"
  cluster_name    = var.cluster_name
  cluster_version = "1.29"
  vpc_id          = var.vpc_id
  subnet_ids      = var.subnet_ids

  # Cluster access through EKS access entries. The seed's manage_aws_auth was removed from the
  # module in v18 (terraform rejects it); v20 manages access with access entries instead of the
  # aws-auth ConfigMap.
  authentication_mode                      = "API"
  enable_cluster_creator_admin_permissions = false
  access_entries = {
    platform-admin = {
      principal_arn = var.platform_admin_role_arn
      policy_associations = {
        cluster-admin = {
          policy_arn   = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
          access_scope = { type = "cluster" }
        }
      }
    }
    # The pipelines' deploy role may change namespace astra-agents only.
    support-agent-deploy = {
      principal_arn = var.deploy_role_arn
      policy_associations = {
        astra-agents-admin = {
          policy_arn   = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy"
          access_scope = { type = "namespace", namespaces = ["astra-agents"] }
        }
      }
    }
  }

  # The API server is reached from inside the VPC only.
  cluster_endpoint_public_access  = false
  cluster_endpoint_private_access = true

  # Control-plane logs to CloudWatch: audit records every admission decision (Gatekeeper's
  # denials included, see admission-alerts.tf), api and authenticator who did what.
  cluster_enabled_log_types              = ["api", "audit", "authenticator"]
  cloudwatch_log_group_retention_in_days = 365

  # Kubernetes Secrets envelope-encrypted in etcd with a customer-managed KMS key the module
  # creates (rotation on).
  create_kms_key            = true
  enable_kms_key_rotation   = true
  cluster_encryption_config = { resources = ["secrets"] }
}

output "cluster_name" { value = module.eks.cluster_name }
