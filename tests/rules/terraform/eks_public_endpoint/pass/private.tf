# Private by default from v19.
module "eks_v20" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.0"
}

module "eks_v18_private" {
  source                         = "terraform-aws-modules/eks/aws"
  version                        = "~> 18.0"
  cluster_endpoint_public_access = false
}

module "eks_v21_restricted" {
  source                       = "terraform-aws-modules/eks/aws"
  version                      = "~> 21.0"
  endpoint_public_access       = true
  endpoint_public_access_cidrs = ["203.0.113.0/24"]
}

resource "aws_eks_cluster" "private" {
  name     = "private"
  role_arn = "arn:aws:iam::123456789012:role/eks"

  vpc_config {
    subnet_ids              = ["subnet-0123456789abcdef0"]
    endpoint_private_access = true
    endpoint_public_access  = false
  }
}

resource "aws_eks_cluster" "office_only" {
  name     = "office-only"
  role_arn = "arn:aws:iam::123456789012:role/eks"

  vpc_config {
    subnet_ids          = ["subnet-0123456789abcdef0"]
    public_access_cidrs = ["198.51.100.10/32"]
  }
}
