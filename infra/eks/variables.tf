# infra/eks/variables.tf
variable "region" { type = string }
variable "cluster_name" { type = string }
variable "vpc_id" { type = string }
variable "subnet_ids" { type = list(string) }

variable "platform_admin_role_arn" {
  description = "IAM role of the platform team: cluster admin (installs namespaces and Gatekeeper)."
  type        = string
}

variable "deploy_role_arn" {
  description = "IAM role the pipelines assume (GitHub OIDC / Jenkins): admin of namespace astra-agents only."
  type        = string
}

variable "admission_alarm_topic_arn" {
  description = "SNS topic that receives the admission alarms (admission-alerts.tf)."
  type        = string
}
