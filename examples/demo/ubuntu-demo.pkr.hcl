# The template `npm run demo` (hclx demo) builds against the embedded Proxmox VE simulator.
# It is the Ubuntu example cut down to what a simulated node can do: no installer to drive
# (communicator = "none"), no required_plugins (so Debian's Packer 1.6.6 with its built-in
# proxmox builder runs it as well as a current Packer with the proxmox plugin).
#
# The demo points it at the simulator through the environment (PROXMOX_URL, PROXMOX_USERNAME,
# PROXMOX_PASSWORD, read by the builder and by hclx alike) and -var ubuntu_mirror=<its mirror>.
# Against a real node: hclx build -var node=<node> examples/demo/ubuntu-demo.pkr.hcl

variable "node" {
  type    = string
  default = "pve"
}

variable "ubuntu_version" {
  type    = string
  default = "24.04.3"
}

variable "ubuntu_mirror" {
  type    = string
  default = "https://releases.ubuntu.com/24.04.3"
}

source "proxmox-iso" "ubuntu" {
  node = var.node

  vm_name       = "ubuntu-demo"
  template_name = "ubuntu-demo-template"
  memory        = 2048
  cores         = 2

  boot_iso {
    iso_url          = "${var.ubuntu_mirror}/ubuntu-${var.ubuntu_version}-live-server-amd64.iso"
    iso_checksum     = "file:${var.ubuntu_mirror}/SHA256SUMS"
    iso_storage_pool = "local"
    iso_download_pve = true
  }

  communicator = "none"
}

build {
  sources = ["source.proxmox-iso.ubuntu"]
}
