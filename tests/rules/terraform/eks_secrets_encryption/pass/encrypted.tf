# v19 and later encrypt Secrets with a KMS key the module creates.
module "eks_v20" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.0"
}

module "eks_v21" {
  source            = "terraform-aws-modules/eks/aws"
  version           = "~> 21.0"
  encryption_config = {}
}

module "eks_v20_own_key" {
  source         = "terraform-aws-modules/eks/aws"
  version        = "~> 20.0"
  create_kms_key = false
  cluster_encryption_config = {
    provider_key_arn = "arn:aws:kms:eu-central-1:123456789012:key/0b0e0f0e-1111-2222-3333-444455556666"
    resources        = ["secrets"]
  }
}

module "eks_v18" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 18.31"
  cluster_encryption_config = [{
    provider_key_arn = aws_kms_key.eks.arn
    resources        = ["secrets"]
  }]
}

resource "aws_eks_cluster" "encrypted" {
  name     = "encrypted"
  role_arn = "arn:aws:iam::123456789012:role/eks"

  encryption_config {
    resources = ["secrets"]
    provider {
      key_arn = aws_kms_key.eks.arn
    }
  }

  vpc_config {
    subnet_ids = ["subnet-0123456789abcdef0"]
  }
}
