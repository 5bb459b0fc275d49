module "eks" {
  source                    = "terraform-aws-modules/eks/aws"
  version                   = "~> 17.24"
  cluster_enabled_log_types = var.log_types
}
