# One warmpool workspace as Terraform state. Only the built-in terraform_data resource is used,
# so `terraform init` downloads no provider. Replace it with real resources for real workspaces.
terraform {
  required_version = ">= 1.4" # terraform_data arrived in 1.4
}

variable "workspace_id" {
  type = string
}

variable "workspace_name" {
  type    = string
  default = ""
}

variable "preset" {
  type    = string
  default = ""
}

resource "terraform_data" "workspace" {
  input = {
    id     = var.workspace_id
    name   = var.workspace_name
    preset = var.preset
  }
}

# terraform-provisioner.sh prints this map as warmpool's outputs: keep its values strings.
output "warmpool_outputs" {
  value = {
    url         = "https://terraform.invalid/${terraform_data.workspace.output.id}"
    resource_id = terraform_data.workspace.id
  }
}
