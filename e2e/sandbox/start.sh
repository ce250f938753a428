#!/usr/bin/env bash
# Starts a sandbox Kubernetes cluster: etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
# one real node (kubelet, containerd, runc, CNI, kube-proxy, CoreDNS, simulated GPUs; real-node.sh)
# and kwok with fake CPU and GPU nodes. With the real node, the whole cluster lives in network and
# mount namespaces of its own; the host reaches the API server on a loopback port.
# Prints the kubeconfig's path on stdout when the cluster is ready; everything else goes to stderr.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat >&2 <<USAGE
usage: $0 [options]
  --dir DIR              where the cluster keeps its state, logs and kubeconfig
                         (default: $MODELOPS_CACHE/clusters/default)
  --cpu-nodes N          fake CPU nodes (default 2)
  --gpu-nodes N          fake GPU nodes (default 2)
  --gpus-per-node N      nvidia.com/gpu capacity of each GPU node (default 2)
  --gpu-product NAME     nvidia.com/gpu.product label (default NVIDIA-H100-80GB-HBM3)
  --api-port PORT        kube-apiserver's port (default: a free one)
  --control-plane-only   etcd and kube-apiserver only: fast, for API tests (CRDs, CEL, SSA)
  --owner-pid PID        stop the cluster when this process exits (tests pass their own pid)
  --kwok-only            no real node: every node is a kwok node, no root needed (fast)
  --real-node-gpus N     simulated nvidia.com/gpu devices of the real node (default 2)
  --real-node-taint      taint the real node nvidia.com/gpu=present:NoSchedule as GPU nodes are
                         (then only pods that tolerate it run there: GPU pods, the sandbox's add-ons)
  --gateway-api          install the Gateway API CRDs (standard channel, from the Go module)
  --prometheus           run Prometheus (Debian's package) on the real node, scraping the runtime pods,
                         at http://prometheus.modelops-sandbox.svc:9090 (canary analysis source prometheus)
  --load-image PATH      an OCI image (layout directory or archive) to load into the real node's
                         containerd; repeatable (the demo and tests load the runtime and the operator)
environment:
  MODELOPS_CACHE             where built binaries and default clusters live (default ~/.cache/modelops)
  KUBE_APISERVER_EXTRA_ARGS  more flags for kube-apiserver, for example --feature-gates=...
  KUBE_CONTROLLER_MANAGER_EXTRA_ARGS, KUBE_SCHEDULER_EXTRA_ARGS
                             more flags for those, for example --kube-api-qps=100
USAGE
  exit 2
}

DIR="$MODELOPS_CACHE/clusters/default"
CPU_NODES=2 GPU_NODES=2 GPUS_PER_NODE=2 GPU_PRODUCT=NVIDIA-H100-80GB-HBM3
GATEWAY_API=false API_PORT="" CONTROL_PLANE_ONLY=false OWNER_PID="" REAL_NODE=true REAL_NODE_GPUS=2 REAL_NODE_TAINT=false LOAD_IMAGES=() PROMETHEUS=false
while (($#)); do
  case "$1" in
    --dir) DIR="$2"; shift 2 ;;
    --cpu-nodes) CPU_NODES="$2"; shift 2 ;;
    --gpu-nodes) GPU_NODES="$2"; shift 2 ;;
    --gpus-per-node) GPUS_PER_NODE="$2"; shift 2 ;;
    --gpu-product) GPU_PRODUCT="$2"; shift 2 ;;
    --api-port) API_PORT="$2"; shift 2 ;;
    --control-plane-only) CONTROL_PLANE_ONLY=true; shift ;;
    --owner-pid) OWNER_PID="$2"; shift 2 ;;
    --kwok-only) REAL_NODE=false; shift ;;
    --real-node-gpus) REAL_NODE_GPUS="$2"; shift 2 ;;
    --real-node-taint) REAL_NODE_TAINT=true; shift ;;
    --gateway-api) GATEWAY_API=true; shift ;;
    --prometheus) PROMETHEUS=true; shift ;;
    --load-image) LOAD_IMAGES+=("$2"); shift 2 ;;
    -h | --help) usage ;;
    *) say "unknown option: $1"; usage ;;
  esac
done
$CONTROL_PLANE_ONLY && REAL_NODE=false
if $PROMETHEUS; then
  $REAL_NODE || die "--prometheus needs the real node: it runs there, as a pod"
  LOAD_IMAGES+=("$("$SANDBOX_DIR/prometheus.sh")")
fi
for n in "$CPU_NODES" "$GPU_NODES" "$GPUS_PER_NODE" "$REAL_NODE_GPUS"; do
  [[ "$n" =~ ^[0-9]+$ ]] || die "node and GPU counts must be whole numbers, got '$n'"
done
command -v openssl >/dev/null || die "openssl is needed to make the cluster's certificates (apt-get install openssl)"
command -v curl >/dev/null || die "curl is needed to probe the cluster's health endpoints (apt-get install curl)"
# Processes read /dev/null as empty input (containerd's shims among them): when a program has
# replaced it with a file, they read what others wrote there and fail in ways far from the cause.
[[ -c /dev/null ]] || die "/dev/null is not a device (a program replaced it with a file); restore it as root: rm /dev/null && mknod -m 666 /dev/null c 1 3"

BIN="$("$SANDBOX_DIR/build.sh")"
for image in "${LOAD_IMAGES[@]}"; do [[ -e "$image" ]] || die "--load-image $image: no such file or directory"; done
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
# After DIR is absolute: the node's paths are made from it.
# shellcheck source=real-node.sh
source "$SANDBOX_DIR/real-node.sh"
$REAL_NODE && need_node_tools
if [[ -f "$DIR/pids" ]] && "$SANDBOX_DIR/stop.sh" --check "$DIR" 2>/dev/null; then
  die "a cluster already runs in $DIR; stop it first: $SANDBOX_DIR/stop.sh $DIR"
fi
rm -rf "${DIR:?}/pki" "$DIR/logs" "$DIR/etcd" "$DIR/pids" "$DIR/kubeconfig"
mkdir -p "$DIR/pki" "$DIR/logs" "$DIR/etcd"
: >"$DIR/pids"

# On any failure before the cluster is ready, take down what was started.
started=false
cleanup_on_failure() { $started || "$SANDBOX_DIR/stop.sh" --keep-logs "$DIR" >/dev/null 2>&1 || true; }
trap cleanup_on_failure EXIT
# Stopped while starting (Ctrl-C, a test run that is killed): the EXIT trap takes down what started.
trap 'exit 143' INT TERM

port_in_use() { (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# Random ports below the ephemeral range make two clusters started at once unlikely to collide.
free_port() {
  local p
  for _ in $(seq 100); do
    p=$((20000 + RANDOM % 12000))
    if ! port_in_use "$p" && ! grep -qx "$p" "$DIR/ports" 2>/dev/null; then
      echo "$p" >>"$DIR/ports"
      echo "$p"
      return
    fi
  done
  die "no free loopback port found between 20000 and 32000"
}
: >"$DIR/ports"
if [[ -n "$API_PORT" ]]; then
  port_in_use "$API_PORT" && die "port $API_PORT on 127.0.0.1 is already in use; choose another with --api-port or leave it out"
else
  API_PORT="$(free_port)"
fi
ETCD_PORT="$(free_port)" ETCD_PEER_PORT="$(free_port)" KCM_PORT="$(free_port)" SCHED_PORT="$(free_port)" KWOK_PORT="$(free_port)"

# start NAME ARGS...: runs a component detached from this shell, logging to logs/NAME.log.
# With the real node, control-plane components run inside the node's namespaces (IN_CLUSTER).
IN_CLUSTER=()
start() {
  local name="$1"
  shift
  setsid "$@" >"$DIR/logs/$name.log" 2>&1 </dev/null &
  echo "$name $!" >>"$DIR/pids"
}

# wait_healthy [--from-host] NAME URL [CURL ARGS...]: waits until URL answers 200, or fails with the
# log tail. URL is probed where the components run (IN_CLUSTER), or with --from-host from here.
wait_healthy() {
  local probe=("${IN_CLUSTER[@]}")
  [[ "$1" == --from-host ]] && { probe=(); shift; }
  local name="$1" url="$2" pid deadline=$((SECONDS + 90))
  shift 2
  pid="$(awk -v n="$name" '$1 == n {print $2}' "$DIR/pids")"
  until "${probe[@]}" curl -fsS -o /dev/null --max-time 2 "$@" "$url" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      say "$name exited; last lines of $DIR/logs/$name.log:"
      tail -n 20 "$DIR/logs/$name.log" >&2
      grep -qi 'address already in use' "$DIR/logs/$name.log" &&
        die "$name could not bind its port: another process took it; start again"
      die "$name exited before it became healthy"
    fi
    ((SECONDS < deadline)) || { tail -n 20 "$DIR/logs/$name.log" >&2; die "$name was not healthy after 90s ($url)"; }
    sleep 0.3
  done
  say "$name is up"
}

say "starting a cluster in $DIR"
PKI="$DIR/pki"
openssl_quiet() { openssl "$@" >/dev/null 2>&1 || die "openssl $1 failed"; }
openssl_quiet req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=modelops-sandbox-ca" \
  -keyout "$PKI/ca.key" -out "$PKI/ca.crt"
openssl_quiet req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" -keyout "$PKI/apiserver.key" -out "$PKI/apiserver.csr"
printf 'subjectAltName=IP:127.0.0.1,IP:10.96.0.1,IP:%s,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\n' "$NODE_IP" >"$PKI/san.ext"
openssl_quiet x509 -req -in "$PKI/apiserver.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
  -days 3650 -extfile "$PKI/san.ext" -out "$PKI/apiserver.crt"
openssl_quiet genrsa -out "$PKI/sa.key" 2048
openssl_quiet rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub"
TOKEN="$(openssl rand -hex 24)"
echo "$TOKEN,sandbox-admin,sandbox-admin,system:masters" >"$PKI/tokens.csv"
chmod 600 "$PKI"/*.key "$PKI/tokens.csv"

# The API server listens on loopback, or, with the real node, inside the node's namespace where
# pods reach it too (the kubernetes Service points at the node's address).
APISERVER_NET=(--bind-address 127.0.0.1 --advertise-address 127.0.0.1 --authorization-mode RBAC)
if $REAL_NODE; then
  node_namespaces
  node_certificates
  IN_CLUSTER=("${IN_NODE[@]}")
  APISERVER_NET=(--bind-address 0.0.0.0 --advertise-address "$NODE_IP" --authorization-mode Node,RBAC
    --kubelet-client-certificate "$PKI/apiserver-kubelet.crt" --kubelet-client-key "$PKI/apiserver-kubelet.key"
    --kubelet-preferred-address-types InternalIP)
fi

start etcd "${IN_CLUSTER[@]}" "$BIN/etcd" --name sandbox --data-dir "$DIR/etcd" \
  --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "sandbox=http://127.0.0.1:$ETCD_PEER_PORT" --unsafe-no-fsync --log-level warn
wait_healthy etcd "http://127.0.0.1:$ETCD_PORT/health"

start kube-apiserver "${IN_CLUSTER[@]}" "$BIN/kube-apiserver" --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
  "${APISERVER_NET[@]}" --secure-port "$API_PORT" \
  --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" --client-ca-file "$PKI/ca.crt" \
  --token-auth-file "$PKI/tokens.csv" \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
  --service-cluster-ip-range "$SERVICE_CIDR" --allow-privileged --profiling=false ${KUBE_APISERVER_EXTRA_ARGS:-}
if $REAL_NODE; then
  start sandbox-forward "$BIN/sandbox-forward" --netns "$NODE_NETNS" --listen "127.0.0.1:$API_PORT" --to "127.0.0.1:$API_PORT"
fi
wait_healthy kube-apiserver "https://127.0.0.1:$API_PORT/readyz" --cacert "$PKI/ca.crt" -H "Authorization: Bearer $TOKEN"
if $REAL_NODE; then
  # The same API server from this machine, through the forwarder, as kubectl and the tests reach it.
  wait_healthy --from-host sandbox-forward "https://127.0.0.1:$API_PORT/readyz" --cacert "$PKI/ca.crt" -H "Authorization: Bearer $TOKEN"
fi

KUBECONFIG_FILE="$DIR/kubeconfig"
cat >"$KUBECONFIG_FILE" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: sandbox
  cluster:
    server: https://127.0.0.1:$API_PORT
    certificate-authority-data: $(base64 -w0 "$PKI/ca.crt")
users:
- name: sandbox-admin
  user:
    token: $TOKEN
contexts:
- name: sandbox
  context: {cluster: sandbox, user: sandbox-admin, namespace: default}
current-context: sandbox
KUBECONFIG
chmod 600 "$KUBECONFIG_FILE"

if ! $CONTROL_PLANE_ONLY; then
  KC=(--kubeconfig "$KUBECONFIG_FILE" --authentication-kubeconfig "$KUBECONFIG_FILE" --authorization-kubeconfig "$KUBECONFIG_FILE")
  start kube-controller-manager "${IN_CLUSTER[@]}" "$BIN/kube-controller-manager" "${KC[@]}" \
    --bind-address 127.0.0.1 --secure-port "$KCM_PORT" --leader-elect=false \
    --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
    --use-service-account-credentials --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" \
    ${KUBE_CONTROLLER_MANAGER_EXTRA_ARGS:-}
  start kube-scheduler "${IN_CLUSTER[@]}" "$BIN/kube-scheduler" "${KC[@]}" \
    --bind-address 127.0.0.1 --secure-port "$SCHED_PORT" --leader-elect=false ${KUBE_SCHEDULER_EXTRA_ARGS:-}
  # kwok reads this file instead of ~/.kwok/kwok.yaml, so a user's own kwok setup cannot leak in.
  printf 'apiVersion: config.kwok.x-k8s.io/v1alpha1\nkind: KwokConfiguration\noptions: {}\n' >"$DIR/kwok.yaml"
  # Pod and node IPs come from loopback ranges, so nothing ever sends traffic off this machine.
  start kwok "${IN_CLUSTER[@]}" "$BIN/kwok" --kubeconfig "$KUBECONFIG_FILE" --manage-all-nodes=false \
    --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
    --cidr 127.1.0.1/16 --node-ip 127.0.0.1 --node-lease-duration-seconds 40 \
    --server-address "127.0.0.1:$KWOK_PORT" --config "$DIR/kwok.yaml"
  wait_healthy kube-controller-manager "https://127.0.0.1:$KCM_PORT/healthz" -k
  wait_healthy kube-scheduler "https://127.0.0.1:$SCHED_PORT/healthz" -k
  wait_healthy kwok "http://127.0.0.1:$KWOK_PORT/healthz"

  "$SANDBOX_DIR/nodes.sh" "$CPU_NODES" "$GPU_NODES" "$GPUS_PER_NODE" "$GPU_PRODUCT" >"$DIR/nodes.yaml"
  if ((CPU_NODES + GPU_NODES > 0)); then
    "$BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" apply -f "$DIR/nodes.yaml" >&2
    "$BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" wait --for=condition=Ready node --all --timeout=90s >&2 ||
      { tail -n 20 "$DIR/logs/kwok.log" >&2; die "the fake nodes did not become Ready (kwok's log tail above)"; }
    # The node lifecycle controller lifts the not-ready taint a moment after Ready; pods wait for that.
    deadline=$((SECONDS + 60))
    while "$BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" get nodes -o jsonpath='{.items[*].spec.taints[*].key}' |
      grep -q 'node.kubernetes.io/not-ready'; do
      ((SECONDS < deadline)) || die "the nodes kept their node.kubernetes.io/not-ready taint for 60s (see $DIR/logs/kube-controller-manager.log)"
      sleep 0.3
    done
  fi
  if $GATEWAY_API; then
    "$BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" apply --server-side -f "$("$SANDBOX_DIR/gateway-api.sh")" >&2
    "$BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" wait --for=condition=Established --timeout=60s \
      crd/httproutes.gateway.networking.k8s.io crd/gateways.gateway.networking.k8s.io >&2
  fi
  $REAL_NODE && start_real_node
  if $PROMETHEUS; then
    "$BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" apply -f "$SANDBOX_DIR/prometheus.yaml" >&2
    "$BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" -n modelops-sandbox rollout status deployment/prometheus --timeout=90s >&2 ||
      { "$BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" -n modelops-sandbox describe pods -l app=prometheus >&2
        "$BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" -n modelops-sandbox logs deployment/prometheus --tail 20 >&2 || true
        die "Prometheus did not become ready (its pod and log above)"; }
  fi
fi

if [[ -n "$OWNER_PID" ]]; then
  # Stops the cluster (keeping its logs) if the owner dies without stopping it; ends once stop.sh ran.
  setsid bash -c 'while kill -0 "$1" 2>/dev/null && [[ -f "$3/pids" ]]; do sleep 2; done
    [[ -f "$3/pids" ]] && exec "$2" --keep-logs "$3"' \
    owner-watch "$OWNER_PID" "$SANDBOX_DIR/stop.sh" "$DIR" >/dev/null 2>&1 </dev/null &
  echo $! >"$DIR/owner-watch.pid"
fi

started=true
say "cluster ready: API server https://127.0.0.1:$API_PORT"
say "use it with: export KUBECONFIG=$KUBECONFIG_FILE PATH=$BIN:\$PATH; kubectl get nodes"
say "stop it with: $SANDBOX_DIR/stop.sh $DIR"
echo "$KUBECONFIG_FILE"
