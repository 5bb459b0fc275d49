resource "aws_eks_cluster" "main" {
  name     = "main"
  role_arn = "arn:aws:iam::123456789012:role/eks"
  version  = "1.24"

  vpc_config {
    subnet_ids = ["subnet-0123456789abcdef0"]
  }
}
