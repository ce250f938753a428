# Scene: asking for more GPUs than the cluster has is reported, with the scheduler's own words.
banner "asking for 6 GPUs on a node with 4, 2 of them taken by fraud-scorer"
cat >"$DEMO_DIR/too-big.yaml" <<'YAML'
apiVersion: modelops.dev/v1alpha1
kind: ModelDeployment
metadata:
  name: too-big
spec:
  model:
    uri: file:///models/iris.onnx
  runtime:
    replicas: 6
    gpu: {count: 1}
YAML
run cat "$DEMO_DIR/too-big.yaml"
run kubectl apply -f "$DEMO_DIR/too-big.yaml"
run kubectl wait --for=jsonpath='{.status.conditions[?(@.type=="Degraded")].reason}'=InsufficientGPU mdep/too-big --timeout=2m
run kubectl get mdep too-big -o jsonpath='{range .status.conditions[*]}{.type}={.status} ({.reason}): {.message}{"\n"}{end}'
run kubectl get mdep
