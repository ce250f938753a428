#!/usr/bin/env bash
# Prints the fake nodes that kwok manages: CPU nodes, and GPU nodes carrying the labels, capacity and
# taint that the NVIDIA device plugin and GPU feature discovery give real ones.
# usage: nodes.sh CPU_NODES GPU_NODES GPUS_PER_NODE GPU_PRODUCT
set -euo pipefail
cpu_nodes="$1" gpu_nodes="$2" gpus="$3" product="$4"

node() {
  local name="$1" cpu="$2" memory="$3" extra_labels="$4" extra_capacity="$5" taints="$6"
  cat <<YAML
---
apiVersion: v1
kind: Node
metadata:
  name: $name
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/arch: amd64
    kubernetes.io/os: linux
    kubernetes.io/hostname: $name
    node-role.kubernetes.io/worker: ""
    type: kwok$extra_labels
spec:$taints
status:
  allocatable: &resources
    cpu: "$cpu"
    memory: $memory
    pods: "110"
    ephemeral-storage: 500Gi$extra_capacity
  capacity: *resources
  nodeInfo:
    architecture: amd64
    operatingSystem: linux
    kubeletVersion: fake
    kernelVersion: fake
    osImage: kwok
YAML
}

for i in $(seq 1 "$cpu_nodes"); do
  node "sandbox-cpu-$i" 16 64Gi "" "" " {}"
done
for i in $(seq 1 "$gpu_nodes"); do
  node "sandbox-gpu-$i" 64 512Gi "
    nvidia.com/gpu.present: \"true\"
    nvidia.com/gpu.product: $product
    nvidia.com/gpu.count: \"$gpus\"" "
    nvidia.com/gpu: \"$gpus\"" "
  taints:
  - key: nvidia.com/gpu
    value: present
    effect: NoSchedule"
done
