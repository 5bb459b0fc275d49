variable "log_types" {
  type    = list(string)
  default = ["api", "audit", "authenticator"]
}
