# Scene: a real inference request. The sandbox's pods are simulated, so the runtime that they would
# run serves the example model (examples/cpu-model.yaml's iris) here, on this machine.
banner "serving the example model: examples/cpu-model.yaml"
run kubectl apply -f examples/cpu-model.yaml
run kubectl wait --for=condition=Available mdep/iris --timeout=2m
run kubectl get mdep iris -o jsonpath='endpoint: {.status.endpoint}{"\n"}'

banner "a real inference request, answered by the modelops runtime on ONNX Runtime"
RUNTIME_PORT="$(free_port)"
MODELOPS_MODEL_NAME=iris MODELOPS_MODEL_PATH=runtime-image/src/test/resources/models/mlp.onnx \
  QUARKUS_HTTP_PORT="$RUNTIME_PORT" java -Xmx256m --add-opens java.base/java.lang=ALL-UNNAMED \
  --enable-native-access=ALL-UNNAMED -jar runtime-image/target/quarkus-app/quarkus-run.jar \
  >"$DEMO_DIR/runtime.log" 2>&1 &
RUNTIME_PID=$!
on_exit "kill $RUNTIME_PID 2>/dev/null; wait $RUNTIME_PID 2>/dev/null"
await_ready runtime "$RUNTIME_PID" "localhost:$RUNTIME_PORT/v2/health/ready" "$DEMO_DIR/runtime.log"
run curl -s "localhost:$RUNTIME_PORT/v2/models/iris"
echo
run curl -s "localhost:$RUNTIME_PORT/v2/models/iris/infer" -H 'Content-Type: application/json' \
  -d '{"id":"demo-1","inputs":[{"name":"input","shape":[2,4],"datatype":"FP32","data":[[5.1,3.5,1.4,0.2],[6.7,3.0,5.2,2.3]]}]}'
echo
step "the runtime keeps serving on http://localhost:$RUNTIME_PORT/v2 until the demo stops"
