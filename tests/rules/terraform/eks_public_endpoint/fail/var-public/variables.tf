variable "public_endpoint" {
  type    = bool
  default = true
}
