module "eks" {
  source                         = "terraform-aws-modules/eks/aws"
  version                        = "~> 20.0"
  cluster_endpoint_public_access = var.public_endpoint
}
