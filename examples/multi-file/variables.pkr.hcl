# Inputs of the multi-file template. Site settings come from lab.auto.pkrvars.hcl (loaded
# automatically because the template is a directory); per-environment overrides from
# -var-file=prod.pkrvars.hcl; secrets from the environment (PKR_VAR_proxmox_token).

variable "proxmox_url" {
  type = string
}

variable "proxmox_username" {
  type = string
}

variable "proxmox_token" {
  type      = string
  sensitive = true
  default   = env("PROXMOX_TOKEN")
}

variable "node" {
  type = string
}

variable "iso_storage_pool" {
  type    = string
  default = "local"
}

variable "vm_storage_pool" {
  type    = string
  default = "local-lvm"
}

variable "bridge" {
  type    = string
  default = "vmbr0"
}

variable "images" {
  description = "Per distribution: where its ISO and checksum file live."
  type = map(object({
    mirror   = string
    iso_name = string
    vm_id    = number
  }))
}
