# Scene: a GPU model becomes Available: one H100 per pod, on GPU nodes only.
banner "serving a GPU model: examples/gpu-model.yaml"
run kubectl apply -f examples/gpu-model.yaml
run kubectl wait --for=condition=Available mdep/fraud-scorer --timeout=2m
run kubectl get mdep fraud-scorer
run kubectl get pods -o wide -l modelops.dev/deployment=fraud-scorer
run kubectl get mdep fraud-scorer -o jsonpath='{range .status.conditions[*]}{.type}={.status} ({.reason}): {.message}{"\n"}{end}'
