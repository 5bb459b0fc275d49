module "eks_v18" {
  source  = "terraform-aws-modules/eks/aws"
  version = "18.31.2"
}

module "eks_v20_off" {
  source                    = "terraform-aws-modules/eks/aws"
  version                   = "~> 20.0"
  cluster_encryption_config = {}
}

module "eks_v21_null" {
  source            = "terraform-aws-modules/eks/aws"
  version           = "~> 21.0"
  encryption_config = null
}

module "eks_v20_no_key" {
  source         = "terraform-aws-modules/eks/aws"
  version        = "~> 20.0"
  create_kms_key = false
}

module "eks_unpinned" {
  source = "terraform-aws-modules/eks/aws"
}

resource "aws_eks_cluster" "bare" {
  name     = "bare"
  role_arn = "arn:aws:iam::123456789012:role/eks"

  vpc_config {
    subnet_ids = ["subnet-0123456789abcdef0"]
  }
}

resource "aws_eks_cluster" "configmaps_only" {
  name     = "configmaps-only"
  role_arn = "arn:aws:iam::123456789012:role/eks"

  encryption_config {
    resources = ["configmaps"]
    provider {
      key_arn = aws_kms_key.eks.arn
    }
  }

  vpc_config {
    subnet_ids = ["subnet-0123456789abcdef0"]
  }
}
