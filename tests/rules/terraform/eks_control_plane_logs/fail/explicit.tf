module "eks_v21" {
  source            = "terraform-aws-modules/eks/aws"
  version           = "~> 21.0"
  enabled_log_types = ["api"]
}

module "eks_v20" {
  source                    = "terraform-aws-modules/eks/aws"
  version                   = "~> 20.8"
  cluster_enabled_log_types = []
}

module "eks_git" {
  source                    = "git::https://github.com/terraform-aws-modules/terraform-aws-eks.git?ref=v19.21.0"
  cluster_enabled_log_types = ["audit", "authenticator"]
}
