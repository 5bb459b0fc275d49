module "eks_v20" {
  source                                   = "terraform-aws-modules/eks/aws"
  version                                  = "~> 20.0"
  cluster_name                             = "shop"
  cluster_version                          = "1.29"
  authentication_mode                      = "API"
  enable_cluster_creator_admin_permissions = true
  access_entries                           = {}
  providers                                = { aws = aws }
}

# v19 still has the aws-auth inputs.
module "eks_v19" {
  source                    = "terraform-aws-modules/eks/aws"
  version                   = "~> 19.21"
  manage_aws_auth_configmap = true
  aws_auth_roles            = []
}

# Unknown major: which inputs it accepts cannot be told.
module "eks_unpinned" {
  source          = "terraform-aws-modules/eks/aws"
  manage_aws_auth = true
}

# Another module with an input of the same name is not judged.
module "other" {
  source          = "example/cluster/aws"
  version         = "~> 20.0"
  manage_aws_auth = true
}
