# Scene: the sandbox cluster's node: a real kubelet with containerd and runc, carrying simulated GPUs
# that a device plugin advertises, labelled as GPU feature discovery labels a real GPU node.
banner "the cluster's node: a real kubelet, with 4 simulated NVIDIA H100 GPUs"
run kubectl get nodes -o wide -L nvidia.com/gpu.product
run kubectl get nodes -o custom-columns='NODE:.metadata.name,CPU:.status.allocatable.cpu,GPUS:.status.allocatable.nvidia\.com/gpu,RUNTIME:.status.nodeInfo.containerRuntimeVersion'
run kubectl get pods -A -o wide
