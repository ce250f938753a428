# Scene: a real inference request, through the ModelDeployment's Service to the pods the operator
# created on the real node (kubectl port-forward, as a user reaches a Service from a laptop).
banner "serving the example model: examples/cpu-model.yaml"
run kubectl apply -f examples/cpu-model.yaml
run kubectl wait --for=condition=Available mdep/iris --timeout=4m
run kubectl get mdep iris -o jsonpath='endpoint: {.status.endpoint}{"\n"}'
run kubectl get endpointslices -l kubernetes.io/service-name=iris -o wide

banner "a real inference request, answered by the modelops runtime in a pod on ONNX Runtime"
RUNTIME_PORT="$(free_port)"
kubectl port-forward service/iris "$RUNTIME_PORT:8080" >"$DEMO_DIR/iris-port-forward.log" 2>&1 &
RUNTIME_FORWARD_PID=$!
on_exit "kill $RUNTIME_FORWARD_PID 2>/dev/null; wait $RUNTIME_FORWARD_PID 2>/dev/null"
await_ready "port-forward to service/iris" "$RUNTIME_FORWARD_PID" "localhost:$RUNTIME_PORT/v2/health/ready" "$DEMO_DIR/iris-port-forward.log"
run curl -s "localhost:$RUNTIME_PORT/v2/models/iris"
echo
run curl -s "localhost:$RUNTIME_PORT/v2/models/iris/infer" -H 'Content-Type: application/json' \
  -d '{"id":"demo-1","inputs":[{"name":"input","shape":[2,4],"datatype":"FP32","data":[[5.1,3.5,1.4,0.2],[6.7,3.0,5.2,2.3]]}]}'
echo
step "service/iris stays reachable on http://localhost:$RUNTIME_PORT/v2 until the demo stops"
