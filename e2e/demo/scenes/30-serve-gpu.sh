# Scene: a GPU model becomes Available: one simulated H100 per pod, allocated by the real kubelet.
# The init container downloads the model from the sandbox's file server and checks its sha256.
banner "serving a GPU model: examples/gpu-model.yaml"
run kubectl apply -f examples/gpu-model.yaml
run kubectl wait --for=condition=Available mdep/fraud-scorer --timeout=4m
run kubectl get mdep fraud-scorer
run kubectl get pods -o wide -l modelops.dev/deployment=fraud-scorer
run kubectl get mdep fraud-scorer -o jsonpath='{range .status.conditions[*]}{.type}={.status} ({.reason}): {.message}{"\n"}{end}'
POD="$(kubectl get pods -l modelops.dev/deployment=fraud-scorer -o jsonpath='{.items[0].metadata.name}')"
step "what the pod's containers said (kubectl logs):"
run kubectl logs "$POD" -c fetch-model
kubectl logs "$POD" -c runtime | grep -iE 'execution provider|cuda|ready' | head -5
# Each ready pod's execution provider, as its runtime reports it (the image has no CUDA; the
# example allows the CPU fallback, so status and a Warning Event CpuFallback say it is used).
run kubectl wait --for=jsonpath='{.status.executionProviders.cpu}'=2 mdep/fraud-scorer --timeout=2m
step "execution providers: $(kubectl get mdep fraud-scorer -o jsonpath='{.status.executionProviders}')"
run kubectl get events --field-selector involvedObject.name=fraud-scorer,reason=CpuFallback -o custom-columns=TYPE:.type,REASON:.reason,MESSAGE:.message
