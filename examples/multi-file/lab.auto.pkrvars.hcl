proxmox_url      = "https://pve.lab.example:8006/api2/json"
proxmox_username = "packer@pve!hclx"
node             = "pve"

images = {
  ubuntu = {
    mirror   = "https://releases.ubuntu.com/24.04.3"
    iso_name = "ubuntu-24.04.3-live-server-amd64.iso"
    vm_id    = 9000
  }
  debian = {
    mirror   = "https://cdimage.debian.org/debian-cd/current/amd64/iso-cd"
    iso_name = "debian-13.1.0-amd64-netinst.iso"
    vm_id    = 9001
  }
}
