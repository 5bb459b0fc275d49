# From v18 the module enables audit, api and authenticator by default.
module "eks_v20" {
  source          = "terraform-aws-modules/eks/aws"
  version         = "~> 20.0"
  cluster_name    = "shop"
  cluster_version = "1.29"
}

module "eks_v21" {
  source             = "terraform-aws-modules/eks/aws"
  version            = "21.3.0"
  name               = "payments"
  kubernetes_version = "1.33"
}

module "eks_range" {
  source  = "terraform-aws-modules/eks/aws"
  version = ">= 18, < 21"
}

resource "aws_eks_cluster" "explicit" {
  name                      = "explicit"
  role_arn                  = "arn:aws:iam::123456789012:role/eks"
  enabled_cluster_log_types = ["api", "audit", "authenticator"]

  vpc_config {
    subnet_ids = ["subnet-0123456789abcdef0"]
  }
}

# Computed elsewhere: not judged.
module "eks_computed" {
  source                    = "terraform-aws-modules/eks/aws"
  version                   = "~> 17.0"
  cluster_enabled_log_types = local.log_types
}
