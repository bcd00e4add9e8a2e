# A warmpool workspace template as a Terraform root module (issue 16). Only Terraform's built-in
# terraform_data resource is used, so `terraform init` downloads no provider: it runs anywhere.
# warmpool's terraform provisioner keeps each workspace's state as a Terraform workspace in the
# `pg` backend on warmpool's own PostgreSQL; the backend block below is filled from the environment.
terraform {
  required_version = ">= 1.4" # terraform_data arrived in 1.4
  backend "pg" {}
}

# Set by warmpool when the module declares them.
variable "workspace_id" {
  type = string
}

variable "workspace_name" {
  type    = string
  default = ""
}

variable "owner" {
  type    = string
  default = "prebuilds"
}

# Preset parameters (and a claim's parameters) reach variables of the same name.
variable "cpu" {
  type    = number
  default = 2

  validation {
    condition     = var.cpu >= 1 && var.cpu <= 64
    error_message = "cpu must be between 1 and 64."
  }
}

variable "memory" {
  type    = string
  default = "4Gi"
}

variable "image" {
  type    = string
  default = "ubuntu:24.04"
}

variable "dotfiles" {
  type    = string
  default = ""
}

# The machine: replaced only when a preset's parameters change, never by a claim.
resource "terraform_data" "machine" {
  input = {
    id    = var.workspace_id
    cpu    = var.cpu
    memory = var.memory
    image  = var.image
  }
}

# The owner-dependent part (a home volume label, a user account…): a claim re-applies with the new
# owner and name, so this changes in place while the machine stays.
resource "terraform_data" "home" {
  input = {
    owner    = var.owner
    name     = var.workspace_name
    dotfiles = var.dotfiles
    machine  = terraform_data.machine.id
  }
}

output "url" {
  value = "https://${var.workspace_id}.workspaces.invalid"
}

output "machine_id" {
  value = terraform_data.machine.id
}

output "owner" {
  value = terraform_data.home.output.owner
}

output "workspace_name" {
  value = terraform_data.home.output.name
}

# Read by the check transition (R10/R11): true once the workspace is usable.
output "ready" {
  value = terraform_data.machine.id != ""
}

# Sensitive outputs never reach warmpool's logs or API answers.
output "agent_secret" {
  value     = sha256("${terraform_data.machine.id}/${var.workspace_id}")
  sensitive = true
}
