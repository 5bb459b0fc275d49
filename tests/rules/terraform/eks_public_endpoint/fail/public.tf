module "eks_v18" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 18.0"
}

module "eks_v21_open" {
  source                 = "terraform-aws-modules/eks/aws"
  version                = "~> 21.0"
  endpoint_public_access = true
}

module "eks_v20_world" {
  source                               = "terraform-aws-modules/eks/aws"
  version                              = "~> 20.0"
  cluster_endpoint_public_access       = true
  cluster_endpoint_public_access_cidrs = ["10.0.0.0/8", "::/0"]
}

module "eks_unpinned" {
  source = "terraform-aws-modules/eks/aws"
}

resource "aws_eks_cluster" "default_public" {
  name     = "default-public"
  role_arn = "arn:aws:iam::123456789012:role/eks"

  vpc_config {
    subnet_ids = ["subnet-0123456789abcdef0"]
  }
}
