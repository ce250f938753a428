#!/usr/bin/env bash
# Builds etcd, the Kubernetes control plane, kubectl, the real node (kubelet, kube-proxy, CoreDNS,
# pause, a GPU device plugin, a file server, a port forwarder, a pod lister for Prometheus), kwok and helm from the Go module proxy, once.
# Prints the directory that holds the binaries (with --images, the one that holds the sandbox's own
# images, as OCI layouts). A second run finds them in the cache and returns at once.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_go

BIN="$(sandbox_bin_dir)"
PRINT="$BIN"
[[ "${1:-}" == "--images" ]] && PRINT="$(dirname "$BIN")/images"
TOOLS=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok helm)
# The real node's parts, and the sandbox's own small programs (static, so they also run in images).
NODE_TOOLS=(kubelet kube-proxy pause sandbox-gpu-plugin sandbox-files sandbox-forward sandbox-pod-sd)
TOOLS+=("${NODE_TOOLS[@]}" coredns)
if [[ -f "$BIN/.complete" ]]; then
  echo "$PRINT"
  exit 0
fi

# One build at a time: tests that start clusters in parallel wait here for the first one's build.
mkdir -p "$BIN"
exec 9>"$MODELOPS_CACHE/sandbox/build.lock"
if ! flock -n 9; then
  say "another build is running; waiting for it"
  flock 9
fi
if [[ -f "$BIN/.complete" ]]; then
  echo "$PRINT"
  exit 0
fi
# Go's own caches live outside the repo too, so a rebuild after a version bump reuses compiled packages.
export GOFLAGS="${GOFLAGS:--buildvcs=false}" CGO_ENABLED=0
LOG="$MODELOPS_CACHE/sandbox/build.log"
: >"$LOG"
say "building the sandbox cluster (Kubernetes $KUBERNETES_VERSION, etcd $ETCD_VERSION, kwok $KWOK_VERSION, helm $HELM_VERSION)"
say "first build takes 15-30 minutes on 2 cores; later runs use $BIN; log: $LOG"

minor="${KUBERNETES_VERSION#v1.}"
minor="${minor%%.*}"
K8S_LDFLAGS="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  K8S_LDFLAGS+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  K8S_LDFLAGS+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done

# Runs one go build or install, printing a progress line every 25 packages compiled.
run_go() {
  local name="$1" start=$SECONDS n=0 line
  shift
  say "[$name] building..."
  if ! ("$@" 2>&1 | while IFS= read -r line; do
    echo "$line" >>"$LOG"
    n=$((n + 1))
    ((n % 100 == 0)) && say "[$name] $n packages compiled ($((SECONDS - start))s)"
  done; exit "${PIPESTATUS[0]}"); then
    tail -n 30 "$LOG" >&2
    die "building $name failed (last lines above, whole log in $LOG)"
  fi
  say "[$name] done in $((SECONDS - start))s"
}

cd "$SANDBOX_DIR/gobuild"
for cmd in etcd kube-apiserver kube-controller-manager kube-scheduler kubectl "${NODE_TOOLS[@]}"; do
  run_go "$cmd" go build -v -trimpath -ldflags "$K8S_LDFLAGS" -o "$BIN/$cmd" "./cmd/$cmd"
done
# CoreDNS with only the plugins the sandbox uses, in a module of its own (it pins other k8s.io versions).
cd "$SANDBOX_DIR/dnsbuild"
run_go coredns go build -v -trimpath -ldflags "-s -w" -o "$BIN/coredns" .
# kwok and helm have no replace directives, so go install works at a tag, outside our module.
cd "$BIN"
run_go kwok env GOBIN="$BIN" go install -v -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
run_go helm env GOBIN="$BIN" go install -v -trimpath \
  -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"

for t in "${TOOLS[@]}"; do [[ -x "$BIN/$t" ]] || die "$t missing from $BIN after the build"; done
"$BIN/kube-apiserver" --version >&2
python3 "$SANDBOX_DIR/images.py" --bin "$BIN" --out "$(dirname "$BIN")/images" || die "building the sandbox's images failed"
touch "$BIN/.complete"
echo "$PRINT"
