# The sandbox's real node, sourced by start.sh: kubelet with containerd and runc, CNI, kube-proxy,
# a simulated-GPU device plugin, and cluster add-ons (CoreDNS, the model file server) as real pods.
# Everything runs in the node's own network and mount namespaces (node_namespaces), so every pod
# and Service address exists only there; the host reaches the API server through sandbox-forward.
# shellcheck shell=bash

NODE_NAME=sandbox-node-1
NODE_IP=10.200.0.2
POD_CIDR=10.244.0.0/24
SERVICE_CIDR=10.96.0.0/16
CLUSTER_DNS=10.96.0.10
NODE="$DIR/node"

need_node_tools() {
  [[ "$(id -u)" == 0 ]] || die "the real node needs root (network and mount namespaces, cgroups); run as root or pass --kwok-only"
  local missing=()
  for tool in containerd runc ctr iptables conntrack unshare nsenter ip; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  [[ -x /usr/lib/cni/bridge && -x /usr/lib/cni/host-local && -x /usr/lib/cni/loopback && -x /usr/lib/cni/portmap ]] ||
    missing+=(containernetworking-plugins)
  ((${#missing[@]} == 0)) ||
    die "the real node needs ${missing[*]}: apt-get install containerd runc iptables conntrack containernetworking-plugins (or pass --kwok-only)"
  [[ -d /sys/fs/cgroup/memory ]] || die "the real node needs cgroup v1 mounted at /sys/fs/cgroup (found no memory controller there)"
}

# Starts the process that holds the node's network and mount namespaces, and sets IN_NODE to the
# command prefix that runs a program inside them. In the mount namespace, /run and /var/lib are
# empty tmpfs and /var/lib/kubelet and /var/log are this cluster's directories, so two clusters
# never share the kubelet's fixed paths and nothing is left on the host when the namespace ends.
node_namespaces() {
  mkdir -p "$NODE/kubelet" "$NODE/log" "$NODE/cni" "$NODE/containerd"
  setsid unshare --net --mount --propagation private bash -c '
    set -e
    ip link set lo up
    ip addr add "$1/32" dev lo
    # The node itself reaches ClusterIPs (kube-proxy DNATs them in OUTPUT) once they have a route.
    ip route add "$3" dev lo src "$1"
    sysctl -qw net.ipv4.ip_forward=1
    sysctl -qw net.bridge.bridge-nf-call-iptables=1 2>/dev/null || true
    mount -t tmpfs -o mode=755 sandbox-run /run
    mount -t tmpfs -o mode=755 sandbox-var-lib /var/lib
    mkdir -p /var/lib/kubelet
    mount --bind "$2/kubelet" /var/lib/kubelet
    mount --bind "$2/log" /var/log
    exec -a sandbox-node-ns sleep infinity' node-ns "$NODE_IP" "$NODE" "$SERVICE_CIDR" >"$DIR/logs/node-ns.log" 2>&1 </dev/null &
  local holder=$!
  echo "sandbox-node-ns $holder" >>"$DIR/pids"
  for _ in $(seq 100); do
    grep -qa sandbox-node-ns "/proc/$holder/cmdline" 2>/dev/null && break
    kill -0 "$holder" 2>/dev/null || { cat "$DIR/logs/node-ns.log" >&2; die "the node's namespaces could not be made"; }
    sleep 0.05
  done
  echo "$holder" >"$DIR/node-ns.pid"
  IN_NODE=(nsenter --target "$holder" --net --mount --)
  NODE_NETNS="/proc/$holder/ns/net"
}

node_certificates() {
  openssl_quiet req -newkey rsa:2048 -nodes -subj "/O=system:nodes/CN=system:node:$NODE_NAME" \
    -keyout "$PKI/kubelet.key" -out "$PKI/kubelet.csr"
  openssl_quiet x509 -req -in "$PKI/kubelet.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 3650 -out "$PKI/kubelet.crt"
  # The API server's client certificate for the kubelet's own API (logs, exec, port-forward).
  openssl_quiet req -newkey rsa:2048 -nodes -subj "/O=system:masters/CN=kube-apiserver-kubelet-client" \
    -keyout "$PKI/apiserver-kubelet.key" -out "$PKI/apiserver-kubelet.csr"
  openssl_quiet x509 -req -in "$PKI/apiserver-kubelet.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 3650 -out "$PKI/apiserver-kubelet.crt"
  chmod 600 "$PKI"/*.key
}

# A kubeconfig for a component inside the node's namespace: the API server at its in-node address.
node_kubeconfig() { # FILE USER CREDENTIALS-YAML
  cat >"$1" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: sandbox
  cluster: {server: "https://$NODE_IP:$API_PORT", certificate-authority: "$PKI/ca.crt"}
users:
- name: $2
  user: $3
contexts:
- name: sandbox
  context: {cluster: sandbox, user: $2}
current-context: sandbox
KUBECONFIG
  chmod 600 "$1"
}

start_containerd() {
  cat >"$NODE/containerd.toml" <<TOML
version = 2
root = "$NODE/containerd/root"
state = "/run/containerd"
[grpc]
  address = "$NODE/containerd.sock"
[plugins."io.containerd.internal.v1.opt"]
  path = "$NODE/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "sandbox.modelops.dev/pause:1"
  # Root here may not lower oom_score_adj: without this every pod sandbox fails to start.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$NODE/cni"
TOML
  cat >"$NODE/cni/10-sandbox.conflist" <<JSON
{"cniVersion": "0.4.0", "name": "sandbox", "plugins": [
  {"type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": false, "hairpinMode": true,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "$POD_CIDR"}]], "routes": [{"dst": "0.0.0.0/0"}]}},
  {"type": "portmap", "capabilities": {"portMappings": true}}]}
JSON
  start containerd "${IN_NODE[@]}" containerd --config "$NODE/containerd.toml"
  local deadline=$((SECONDS + 30))
  until ctr --address "$NODE/containerd.sock" version >/dev/null 2>&1; do
    ((SECONDS < deadline)) || { tail -n 20 "$DIR/logs/containerd.log" >&2; die "containerd did not start"; }
    sleep 0.2
  done
  say "containerd is up"
}

# load_image PATH: imports an OCI layout directory or archive into the node's containerd.
load_image() {
  local src="$1" out
  if [[ -d "$src" ]]; then
    out="$(tar -C "$src" -cf - . | ctr --address "$NODE/containerd.sock" -n k8s.io images import --no-unpack - 2>&1)" ||
      die "importing the image in $src failed: $out"
  else
    out="$(ctr --address "$NODE/containerd.sock" -n k8s.io images import --no-unpack "$src" 2>&1)" ||
      die "importing the image $src failed: $out"
  fi
  say "image loaded: $(grep -o '"io.containerd.image.name": *"[^"]*"' "$src/index.json" 2>/dev/null | cut -d'"' -f4 || echo "$src")"
}

start_kubelet() {
  node_kubeconfig "$NODE/kubelet.kubeconfig" "system:node:$NODE_NAME" \
    "{client-certificate: \"$PKI/kubelet.crt\", client-key: \"$PKI/kubelet.key\"}"
  # The pods' resolv.conf gets the cluster DNS and search domains, and nothing of this machine's.
  : >"$NODE/resolv.conf"
  # Pod cgroups of this cluster live under a root of their own, so two clusters never share one;
  # its name is kept for stop.sh (and tests) to find.
  CGROUP_ROOT="modelops-sandbox-$(printf '%s' "$DIR" | sha256sum | cut -c1-10)"
  echo "$CGROUP_ROOT" >"$NODE/cgroup-root"
  for sub in /sys/fs/cgroup/*/; do
    [[ "$sub" == */unified/ ]] && continue
    mkdir -p "$sub$CGROUP_ROOT"
    [[ -f "$sub/cpuset.cpus" ]] && cat "$sub/cpuset.cpus" >"$sub$CGROUP_ROOT/cpuset.cpus" &&
      cat "$sub/cpuset.mems" >"$sub$CGROUP_ROOT/cpuset.mems"
  done
  cat >"$NODE/kubelet.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: "$PKI/ca.crt"}
authorization: {mode: Webhook}
cgroupDriver: cgroupfs
cgroupRoot: /$CGROUP_ROOT
clusterDNS: [$CLUSTER_DNS]
clusterDomain: cluster.local
containerRuntimeEndpoint: unix://$NODE/containerd.sock
failSwapOn: false
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
resolvConf: "$NODE/resolv.conf"
serializeImagePulls: false
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
# This machine's disk and memory are shared with everything else on it: evict only when nearly full.
evictionHard: {memory.available: 200Mi, nodefs.available: 2%, imagefs.available: 2%}
nodeStatusUpdateFrequency: 4s
syncFrequency: 10s
YAML
  local taint=()
  $REAL_NODE_TAINT && taint=(--register-with-taints nvidia.com/gpu=present:NoSchedule)
  start kubelet "${IN_NODE[@]}" "$BIN/kubelet" --config "$NODE/kubelet.yaml" "${taint[@]}" \
    --kubeconfig "$NODE/kubelet.kubeconfig" --hostname-override "$NODE_NAME" --node-ip "$NODE_IP" \
    --node-labels "sandbox.modelops.dev/real=true,nvidia.com/gpu.present=true,nvidia.com/gpu.product=$GPU_PRODUCT,nvidia.com/gpu.count=$REAL_NODE_GPUS"
  # The plugin serves its socket in the kubelet's device-plugin directory; the kubelet empties the
  # directory when it starts and the plugin then registers again.
  mkdir -p "$NODE/kubelet/device-plugins"
  start sandbox-gpu-plugin "${IN_NODE[@]}" "$BIN/sandbox-gpu-plugin" --count "$REAL_NODE_GPUS"
  node_kubeconfig "$NODE/kube-proxy.kubeconfig" sandbox-admin "{token: \"$TOKEN\"}"
  # masquerade-all: a pod that reaches a Service backed by a pod on the same bridge gets the
  # answer back through the node, where the connection is un-NATed.
  start kube-proxy "${IN_NODE[@]}" "$BIN/kube-proxy" --kubeconfig "$NODE/kube-proxy.kubeconfig" \
    --hostname-override "$NODE_NAME" --proxy-mode iptables --cluster-cidr "$POD_CIDR" --masquerade-all \
    --conntrack-max-per-core 0 --conntrack-tcp-timeout-established 0 --conntrack-tcp-timeout-close-wait 0 \
    --metrics-bind-address 127.0.0.1:10249 --healthz-bind-address 127.0.0.1:10256
}

# The add-ons every real cluster has and the sandbox needs: cluster DNS and a model file server.
apply_addons() {
  sed -e "s|@CLUSTER_DNS@|$CLUSTER_DNS|g" -e "s|@MODELS_DIR@|$DIR/models|g" "$SANDBOX_DIR/addons.yaml" |
    "$BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" apply -f - >&2
}

start_real_node() {
  mkdir -p "$DIR/models"
  cp "$SANDBOX_DIR"/../../runtime-image/src/test/resources/models/*.onnx "$DIR/models/"
  start_containerd
  local images
  images="$("$SANDBOX_DIR/build.sh" --images)"
  for image in "$images"/*/ "${LOAD_IMAGES[@]}"; do load_image "$image"; done
  start_kubelet
  kubectl_() { "$BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"; }
  local deadline=$((SECONDS + 60))
  until kubectl_ get node "$NODE_NAME" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || { tail -n 30 "$DIR/logs/kubelet.log" >&2; die "the kubelet did not register $NODE_NAME (its log tail above)"; }
    sleep 0.3
  done
  kubectl_ wait --for=condition=Ready "node/$NODE_NAME" --timeout=60s >&2 ||
    { tail -n 30 "$DIR/logs/kubelet.log" >&2; die "$NODE_NAME did not become Ready (the kubelet's log tail above)"; }
  apply_addons
  kubectl_ -n kube-system rollout status deployment/coredns --timeout=90s >&2 ||
    { kubectl_ -n kube-system describe pods -l k8s-app=kube-dns >&2; die "CoreDNS did not become ready"; }
  kubectl_ -n modelops-sandbox rollout status deployment/model-files --timeout=90s >&2 ||
    { kubectl_ -n modelops-sandbox describe pods >&2; die "the model file server did not become ready"; }
  deadline=$((SECONDS + 30))
  until [[ "$(kubectl_ get node "$NODE_NAME" -o jsonpath='{.status.allocatable.nvidia\.com/gpu}')" == "$REAL_NODE_GPUS" ]]; do
    ((SECONDS < deadline)) || { tail -n 20 "$DIR/logs/sandbox-gpu-plugin.log" >&2; die "$NODE_NAME does not show its $REAL_NODE_GPUS simulated GPUs"; }
    sleep 0.3
  done
  say "real node $NODE_NAME is Ready with $REAL_NODE_GPUS simulated nvidia.com/gpu; models served at http://models.modelops-sandbox.svc/"
}

# Ends every pod process and containerd shim of this cluster and removes its pod cgroups; stop.sh
# calls it once the kubelet and containerd stopped, before the API server and the namespaces.
stop_real_node() { # DIR
  local dir="$1" root sub
  pkill -KILL -f "containerd-shim-runc-v2 .*-address $dir/node/containerd.sock" 2>/dev/null || true
  root="$(cat "$dir/node/cgroup-root" 2>/dev/null || true)"
  [[ -n "$root" ]] || return 0
  for _ in 1 2 3; do
    for sub in /sys/fs/cgroup/*/"$root"; do
      [[ -d "$sub" ]] || continue
      find "$sub" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
    done
    sleep 0.2
  done
  for sub in /sys/fs/cgroup/*/"$root"; do
    [[ -d "$sub" ]] && find "$sub" -depth -type d -exec rmdir {} + 2>/dev/null
  done
  return 0
}
