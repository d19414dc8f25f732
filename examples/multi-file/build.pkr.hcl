# `hclx build -only='*.ubuntu' examples/multi-file` builds (and downloads) Ubuntu only.
build {
  name    = "lab"
  sources = ["source.proxmox-iso.ubuntu", "source.proxmox-iso.debian"]

  provisioner "shell" {
    inline = ["sudo truncate -s 0 /etc/machine-id"]
  }
}
