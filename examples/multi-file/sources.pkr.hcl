locals {
  connection = {
    proxmox_url = var.proxmox_url
    username    = var.proxmox_username
    token       = var.proxmox_token
  }
}

source "proxmox-iso" "ubuntu" {
  proxmox_url = local.connection.proxmox_url
  username    = local.connection.username
  token       = local.connection.token
  node        = var.node
  vm_id       = var.images["ubuntu"].vm_id

  template_name = "ubuntu-template"
  memory        = 2048
  cores         = 2

  boot_iso {
    iso_url          = "${var.images["ubuntu"].mirror}/${var.images["ubuntu"].iso_name}"
    iso_checksum     = "file:${var.images["ubuntu"].mirror}/SHA256SUMS"
    iso_storage_pool = var.iso_storage_pool
    iso_download_pve = true
    unmount          = true
  }

  disks {
    disk_size    = "20G"
    storage_pool = var.vm_storage_pool
  }

  network_adapters {
    bridge = var.bridge
    model  = "virtio"
  }

  ssh_username = "packer"
  ssh_password = "packer"
  ssh_timeout  = "30m"
}

source "proxmox-iso" "debian" {
  proxmox_url = local.connection.proxmox_url
  username    = local.connection.username
  token       = local.connection.token
  node        = var.node
  vm_id       = var.images["debian"].vm_id

  template_name = "debian-template"
  memory        = 2048
  cores         = 2

  boot_iso {
    iso_url          = "${var.images["debian"].mirror}/${var.images["debian"].iso_name}"
    iso_checksum     = "file:${var.images["debian"].mirror}/SHA256SUMS"
    iso_storage_pool = var.iso_storage_pool
    iso_download_pve = true
    unmount          = true
  }

  disks {
    disk_size    = "16G"
    storage_pool = var.vm_storage_pool
  }

  network_adapters {
    bridge = var.bridge
    model  = "virtio"
  }

  ssh_username = "root"
  ssh_password = "packer"
  ssh_timeout  = "30m"
}
