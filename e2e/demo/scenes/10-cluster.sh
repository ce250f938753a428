# Scene: the sandbox cluster's nodes, two of them GPU nodes as a real GPU cluster shows them.
banner "the cluster's nodes, with their GPUs"
run kubectl get nodes -L nvidia.com/gpu.product
run kubectl get nodes -o custom-columns='NODE:.metadata.name,CPU:.status.allocatable.cpu,GPUS:.status.allocatable.nvidia\.com/gpu,TAINTS:.spec.taints[*].key'
