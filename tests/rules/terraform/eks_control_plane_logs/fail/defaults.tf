# v17 enables no log type by default.
module "eks_v17" {
  source  = "terraform-aws-modules/eks/aws"
  version = "17.24.0"
}

resource "aws_eks_cluster" "bare" {
  name     = "bare"
  role_arn = "arn:aws:iam::123456789012:role/eks"

  vpc_config {
    subnet_ids = ["subnet-0123456789abcdef0"]
  }
}

module "eks_unpinned" {
  source = "terraform-aws-modules/eks/aws"
}
