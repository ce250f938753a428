# Scene: the operator installed with Helm, exactly as a user installs it; its pod runs on the real
# node from the image build_image.py built offline (loaded into the node's containerd).
banner "installing the operator with Helm"
run helm upgrade --install modelops-operator helm/modelops-operator \
  --namespace modelops-system --create-namespace --wait --timeout 3m
run kubectl -n modelops-system get deployment,pods,serviceaccount,service -o wide -l app.kubernetes.io/instance=modelops-operator
run kubectl -n modelops-system wait --for=condition=Ready pod -l app.kubernetes.io/instance=modelops-operator --timeout=2m
# The operator's metrics, reached from this machine the way a user reaches a Service: port-forward.
OPERATOR_PORT="$(free_port)"
kubectl -n modelops-system port-forward service/modelops-operator-metrics "$OPERATOR_PORT:http-metrics" >"$DEMO_DIR/operator-port-forward.log" 2>&1 &
OPERATOR_FORWARD_PID=$!
on_exit "kill $OPERATOR_FORWARD_PID 2>/dev/null; wait $OPERATOR_FORWARD_PID 2>/dev/null"
await_ready "operator's port-forward" "$OPERATOR_FORWARD_PID" "localhost:$OPERATOR_PORT/q/health/ready" "$DEMO_DIR/operator-port-forward.log"
step "operator ready: logs with kubectl -n modelops-system logs deploy/modelops-operator, metrics http://localhost:$OPERATOR_PORT/q/metrics"
