# Ubuntu Server 24.04 LTS template for Proxmox VE (proxmox plugin >= 1.2).
#
# The node downloads the live-server ISO itself (iso_download_pve = true), checked against
# Ubuntu's SHA256SUMS; hclx makes that work with any Packer and reuses the ISO on later runs:
#
#   export PROXMOX_URL=https://pve.example.com:8006/api2/json
#   export PROXMOX_USERNAME='packer@pve!hclx' PROXMOX_TOKEN=...
#   hclx build -var node=pve examples/ubuntu/ubuntu-24.04.pkr.hcl

packer {
  required_plugins {
    proxmox = {
      version = ">= 1.2.2"
      source  = "github.com/hashicorp/proxmox"
    }
  }
}

variable "node" {
  type        = string
  description = "Proxmox node that builds the template (and downloads the ISO)."
}

variable "ubuntu_version" {
  type        = string
  default     = "24.04.3"
  description = "Point release; releases.ubuntu.com keeps the current one, older ones move to old-releases.ubuntu.com."
}

variable "ubuntu_mirror" {
  type        = string
  default     = "https://releases.ubuntu.com/24.04.3"
  description = "Directory holding the ISO and its SHA256SUMS (a local mirror works too)."
}

variable "iso_storage_pool" {
  type    = string
  default = "local"
}

variable "vm_storage_pool" {
  type    = string
  default = "local-lvm"
}

variable "ssh_password" {
  type      = string
  default   = "packer"
  sensitive = true
}

source "proxmox-iso" "ubuntu" {
  # proxmox_url, username and token come from PROXMOX_URL, PROXMOX_USERNAME, PROXMOX_TOKEN.
  node = var.node

  vm_name              = "ubuntu-${var.ubuntu_version}"
  template_name        = "ubuntu-2404-template"
  template_description = "Ubuntu Server ${var.ubuntu_version}, built ${timestamp()}"
  os                   = "l26"
  cores                = 2
  memory               = 2048
  scsi_controller      = "virtio-scsi-single"
  qemu_agent           = true

  boot_iso {
    type             = "scsi"
    iso_url          = "${var.ubuntu_mirror}/ubuntu-${var.ubuntu_version}-live-server-amd64.iso"
    iso_checksum     = "file:${var.ubuntu_mirror}/SHA256SUMS"
    iso_storage_pool = var.iso_storage_pool
    iso_download_pve = true
    unmount          = true
  }

  disks {
    type         = "scsi"
    disk_size    = "20G"
    storage_pool = var.vm_storage_pool
    format       = "raw"
  }

  network_adapters {
    bridge = "vmbr0"
    model  = "virtio"
  }

  cloud_init              = true
  cloud_init_storage_pool = var.vm_storage_pool

  http_directory = "${path.root}/http"
  boot_wait      = "10s"
  boot_command = [
    "<esc><wait>e<wait>",
    "<down><down><down><end>",
    " autoinstall ds=nocloud-net\\;s=http://{{ .HTTPIP }}:{{ .HTTPPort }}/",
    "<f10>"
  ]

  ssh_username = "packer"
  ssh_password = var.ssh_password
  ssh_timeout  = "30m"
}

build {
  sources = ["source.proxmox-iso.ubuntu"]

  provisioner "shell" {
    inline = [
      "while [ ! -f /var/lib/cloud/instance/boot-finished ]; do sleep 1; done",
      "sudo cloud-init clean --logs",
      "sudo truncate -s 0 /etc/machine-id",
    ]
  }
}
