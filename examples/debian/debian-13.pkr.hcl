# Debian 13 (trixie) netinst template for Proxmox VE, installed with a preseed file.
#
#   hclx build -var node=pve -var proxmox_url=https://pve.example.com:8006/api2/json \
#     -var 'proxmox_username=packer@pve!hclx' examples/debian/debian-13.pkr.hcl
# with the token secret in PKR_VAR_proxmox_token (kept out of the shell history).

packer {
  required_plugins {
    proxmox = {
      version = "~> 1.2"
      source  = "github.com/hashicorp/proxmox"
    }
  }
}

variable "proxmox_url" {
  type = string
}

variable "proxmox_username" {
  type = string
}

variable "proxmox_token" {
  type      = string
  sensitive = true
}

variable "node" {
  type = string
}

variable "debian_version" {
  type    = string
  default = "13.1.0"
}

locals {
  # "current" always holds the latest point release; pin older ones under cdimage/archive/.
  debian_mirror = "https://cdimage.debian.org/debian-cd/current/amd64/iso-cd"
  iso_name      = "debian-${var.debian_version}-amd64-netinst.iso"
}

source "proxmox-iso" "debian" {
  proxmox_url = var.proxmox_url
  username    = var.proxmox_username
  token       = var.proxmox_token
  node        = var.node

  vm_name       = "debian-${var.debian_version}"
  template_name = "debian-13-template"
  os            = "l26"
  cores         = 2
  memory        = 2048
  qemu_agent    = true

  boot_iso {
    iso_url          = "${local.debian_mirror}/${local.iso_name}"
    iso_checksum     = "file:${local.debian_mirror}/SHA256SUMS"
    iso_storage_pool = "local"
    iso_download_pve = true
    unmount          = true
  }

  disks {
    type         = "virtio"
    disk_size    = "16G"
    storage_pool = "local-lvm"
  }

  network_adapters {
    bridge = "vmbr0"
    model  = "virtio"
  }

  http_directory = "${path.root}/http"
  boot_wait      = "5s"
  boot_command = [
    "<esc><wait>",
    "auto url=http://{{ .HTTPIP }}:{{ .HTTPPort }}/preseed.cfg ",
    "hostname=debian domain=local <enter>"
  ]

  ssh_username = "root"
  ssh_password = "packer"
  ssh_timeout  = "30m"
}

build {
  sources = ["source.proxmox-iso.debian"]

  provisioner "shell" {
    inline = ["apt-get -y clean", "truncate -s 0 /etc/machine-id"]
  }
}
