# -var-file=examples/multi-file/prod.pkrvars.hcl: the production cluster, with its ISOs on shared
# storage so every node sees them.
proxmox_url      = "https://pve-prod.example:8006/api2/json"
node             = "pve-prod-1"
iso_storage_pool = "cephfs"
vm_storage_pool  = "ceph-vm"
