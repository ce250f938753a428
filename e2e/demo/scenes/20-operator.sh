# Scene: the operator installed with Helm, then run as the chart's ServiceAccount.
# There is no container engine here, so the chart's operator pod runs on a kwok node as a stand-in;
# the real operator runs on this machine with that pod's identity: a token of the chart's
# ServiceAccount (TokenRequest API), so it has exactly the chart's RBAC and nothing more.
banner "installing the operator with Helm"
run helm upgrade --install modelops-operator helm/modelops-operator \
  --namespace modelops-system --create-namespace --wait --timeout 2m
run kubectl -n modelops-system get deployment,serviceaccount,service -l app.kubernetes.io/instance=modelops-operator

banner "running the operator as the chart's ServiceAccount"
OPERATOR_KUBECONFIG="$DEMO_DIR/operator.kubeconfig"
TOKEN="$(kubectl -n modelops-system create token modelops-operator --duration=12h)"
sed -e "s/token: .*/token: $TOKEN/" -e 's/sandbox-admin/modelops-operator/' "$KUBECONFIG" >"$OPERATOR_KUBECONFIG"
OPERATOR_PORT="$(free_port)"
KUBECONFIG="$OPERATOR_KUBECONFIG" QUARKUS_HTTP_PORT="$OPERATOR_PORT" \
  java -Xmx256m --add-opens java.base/java.lang=ALL-UNNAMED \
  -jar operator/target/quarkus-app/quarkus-run.jar >"$DEMO_DIR/operator.log" 2>&1 &
OPERATOR_PID=$!
on_exit "kill $OPERATOR_PID 2>/dev/null; wait $OPERATOR_PID 2>/dev/null"
await_ready operator "$OPERATOR_PID" "localhost:$OPERATOR_PORT/q/health/ready" "$DEMO_DIR/operator.log"
step "operator ready: log $DEMO_DIR/operator.log, metrics http://localhost:$OPERATOR_PORT/q/metrics"
