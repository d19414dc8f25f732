# Windows Server 2022 template for Proxmox VE with the virtio-win drivers as an additional ISO.
#
# Microsoft's evaluation download links are tied to a browser session, so the Windows ISO is
# uploaded to the storage once (iso_file). The virtio-win driver ISO is fetched by the node itself
# (iso_download_pve = true) from the Fedora virtio-win archive, pinned to one release:
#
#   sha256sum virtio-win-0.1.285.iso        # once, from a download you trust
#   hclx build -var node=pve -var virtio_win_checksum=sha256:<hex> \
#     examples/windows/windows-server-2022.pkr.hcl

packer {
  required_plugins {
    proxmox = {
      version = ">= 1.2.2"
      source  = "github.com/hashicorp/proxmox"
    }
    windows-update = {
      version = ">= 0.16.8"
      source  = "github.com/rgl/windows-update"
    }
  }
}

variable "node" {
  type = string
}

variable "windows_iso" {
  type        = string
  default     = "local:iso/SERVER_EVAL_x64FRE_en-us.iso"
  description = "The Windows Server 2022 ISO, already on an ISO storage."
}

variable "virtio_win_version" {
  type    = string
  default = "0.1.285"
}

variable "virtio_win_checksum" {
  type        = string
  description = "sha256:<hex> of virtio-win-<version>.iso (the archive publishes no checksum file)."
}

variable "winrm_password" {
  type      = string
  default   = "P@ssw0rd-packer"
  sensitive = true
}

locals {
  virtio_win_url = "https://fedorapeople.org/groups/virt/virtio-win/direct-downloads/archive-virtio/virtio-win-${var.virtio_win_version}-1/virtio-win-${var.virtio_win_version}.iso"
}

source "proxmox-iso" "windows2022" {
  node = var.node

  vm_name       = "win2022"
  template_name = "win2022-template"
  os            = "win11"
  bios          = "ovmf"
  machine       = "q35"
  cores         = 4
  memory        = 8192
  qemu_agent    = true

  efi_config {
    efi_storage_pool  = "local-lvm"
    efi_type          = "4m"
    pre_enrolled_keys = true
  }

  tpm_config {
    tpm_storage_pool = "local-lvm"
    tpm_version      = "v2.0"
  }

  boot_iso {
    type     = "sata"
    index    = 0
    iso_file = var.windows_iso
    unmount  = true
  }

  # The drivers the installer needs for the virtio disk and network (drvload in autounattend.xml).
  additional_iso_files {
    type             = "sata"
    index            = 1
    iso_url          = local.virtio_win_url
    iso_checksum     = var.virtio_win_checksum
    iso_storage_pool = "local"
    iso_download_pve = true
    unmount          = true
  }

  additional_iso_files {
    type             = "sata"
    index            = 2
    cd_files         = ["${path.root}/unattend/autounattend.xml"]
    cd_label         = "UNATTEND"
    iso_storage_pool = "local"
    unmount          = true
  }

  scsi_controller = "virtio-scsi-single"
  disks {
    type         = "scsi"
    disk_size    = "60G"
    storage_pool = "local-lvm"
    format       = "raw"
  }

  network_adapters {
    bridge = "vmbr0"
    model  = "virtio"
  }

  boot_wait    = "3s"
  boot_command = ["<enter><wait><enter>"]

  communicator   = "winrm"
  winrm_username = "Administrator"
  winrm_password = var.winrm_password
  winrm_timeout  = "2h"
}

build {
  sources = ["source.proxmox-iso.windows2022"]

  provisioner "windows-update" {}

  provisioner "powershell" {
    inline = ["& $env:SystemRoot\\System32\\Sysprep\\Sysprep.exe /oobe /generalize /quiet /quit /mode:vm"]
  }
}
