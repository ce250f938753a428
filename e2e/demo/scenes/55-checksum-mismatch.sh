# Scene: a model whose sha256 does not match what the ModelDeployment says: the real init container
# refuses it, and its termination message becomes the ModelDeployment's reason.
banner "a model that does not match its sha256"
cat >"$DEMO_DIR/tampered.yaml" <<'YAML'
apiVersion: modelops.dev/v1alpha1
kind: ModelDeployment
metadata:
  name: tampered
spec:
  model:
    version: "1"
    uri: http://models.modelops-sandbox.svc/mlp.onnx
    sha256: "0000000000000000000000000000000000000000000000000000000000000000"
  runtime:
    replicas: 1
    resources: {requests: {cpu: 100m}}
YAML
run kubectl apply -f "$DEMO_DIR/tampered.yaml"
run kubectl wait --for=jsonpath='{.status.conditions[?(@.type=="Degraded")].reason}'=ChecksumMismatch mdep/tampered --timeout=3m
run kubectl get mdep tampered -o jsonpath='{range .status.conditions[*]}{.type}={.status} ({.reason}): {.message}{"\n"}{end}'
run kubectl delete mdep tampered --wait=false
