# Scene: the loop closes on the real node. Live inputs drift (x2 moves by 1.5 standard deviations),
# the runtime measures it against the training data's baseline, DriftDetected turns True, the
# operator starts a retraining Job of the example trainer, which fits a new model to labelled recent
# data on a volume, and the model it reports goes out as a canary under the same live traffic and
# is promoted. Uses follow_rollout from the canary scene.
banner "the sandbox's part: the classifier's baseline on the model server, and a volume with labelled recent data"
cp runtime-image/src/test/resources/drift/mlp-baseline.json "$DEMO_DIR/models/"
VOLUME="$DEMO_DIR/volumes/classifier-data"
mkdir -p "$VOLUME"
python3 e2e/demo/drift_data.py labelled "$VOLUME/recent.csv" 2000 1.5
chown -R 10001:10001 "$VOLUME"
step "$VOLUME/recent.csv: $(($(wc -l <"$VOLUME/recent.csv") - 1)) labelled rows, as a trainer would find them"
kubectl apply -f - <<YAML
apiVersion: v1
kind: PersistentVolume
metadata:
  name: classifier-data
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  storageClassName: ""
  persistentVolumeReclaimPolicy: Retain
  hostPath: {path: "$VOLUME", type: Directory}
  claimRef: {namespace: default, name: classifier-data}
YAML

banner "a classifier that watches its inputs and retrains itself: examples/retraining-model.yaml"
run kubectl apply -f examples/retraining-model.yaml
run kubectl wait --for=condition=Available mdep/classifier --timeout=5m

banner "live traffic to service/classifier, 20 rows a request, at first as the training data was"
forward_service classifier
DRIFT_PORT="$FORWARD_PORT"
python3 e2e/demo/drift_data.py bodies "$DEMO_DIR/bodies/before" 20 0
python3 e2e/demo/drift_data.py bodies "$DEMO_DIR/bodies/after" 20 1.5
echo before >"$DEMO_DIR/bodies/now"
DRIFT_LOG="$DEMO_DIR/drift-load.log"
(i=0; while :; do
  curl -s -o /dev/null -w '%{http_code}\n' --max-time 10 -H 'Content-Type: application/json' \
    -d "@$DEMO_DIR/bodies/$(cat "$DEMO_DIR/bodies/now")/$((i % 20)).json" \
    "localhost:$DRIFT_PORT/v2/models/classifier/infer" || true
  i=$((i + 1))
  sleep 0.1
done >"$DRIFT_LOG") &
DRIFT_LOAD_PID=$!
on_exit "kill $DRIFT_LOAD_PID 2>/dev/null; wait $DRIFT_LOAD_PID 2>/dev/null"
condition() { # NAME TYPE
  kubectl get mdep "$1" -o jsonpath="{.status.conditions[?(@.type==\"$2\")].status} ({.status.conditions[?(@.type==\"$2\")].reason}): {.status.conditions[?(@.type==\"$2\")].message}"
}
run kubectl wait --for=jsonpath='{.status.conditions[?(@.type=="DriftDetected")].reason}'=NoDrift mdep/classifier --timeout=3m
step "DriftDetected=$(condition classifier DriftDetected)"

banner "the world changes: x2 moves by 1.5 standard deviations"
echo after >"$DEMO_DIR/bodies/now"
run kubectl wait --for=condition=DriftDetected mdep/classifier --timeout=3m
step "DriftDetected=$(condition classifier DriftDetected)"

banner "the operator starts the retraining Job; the trainer fits a model to the labelled recent data"
run kubectl wait --for=create job/classifier-retrain-1 --timeout=2m
run kubectl wait --for=condition=Complete job/classifier-retrain-1 --timeout=5m
run kubectl logs job/classifier-retrain-1

banner "the retrained model as a canary under the same live traffic"
follow_rollout classifier 2
run kubectl get mdep classifier -o jsonpath='{range .status.revisions[*]}revision {.number}: version {.modelVersion}, {.source}, {.phase}, {.uri}{"\n"}{end}'
run kubectl get events --field-selector involvedObject.kind=ModelDeployment,involvedObject.name=classifier --sort-by=.lastTimestamp
step "Retraining=$(condition classifier Retraining)"
step "answers: $(answers "$DRIFT_LOG")"
