module "eks" {
  source          = "terraform-aws-modules/eks/aws"
  version         = "~> 20.0"
  cluster_name    = "shop"
  cluster_version = "1.29"
  manage_aws_auth = true
  aws_auth_roles  = []
}

module "eks_v21" {
  source       = "terraform-aws-modules/eks/aws"
  version      = "~> 21.0"
  cluster_name = "payments"
  cluster_endpoint_public_access = false
}

module "eks_v18" {
  source  = "git::https://github.com/terraform-aws-modules/terraform-aws-eks.git?ref=v18.31.2"
  subnets = ["subnet-0123456789abcdef0"]
  node_security_group_ntp_ipv4_cidr_block = ["169.254.169.123/32"]
}
