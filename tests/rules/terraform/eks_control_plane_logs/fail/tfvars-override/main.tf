module "eks" {
  source                    = "terraform-aws-modules/eks/aws"
  version                   = "~> 20.0"
  cluster_enabled_log_types = var.log_types
}
