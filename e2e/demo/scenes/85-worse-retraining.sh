# Scene: a retrained model that is worse is rolled back by the analysis. The retrained classifier
# measures drift against the data its model learnt, so drift clears; then the world moves again
# (x2 by 3 standard deviations), and a new release of the trainer has a bug: it exports the weights
# it fitted to standardised features as if they were for the raw ones (train.py --fault
# train-serve-skew). Its model loads and answers fast and without errors, but says class 2 for most
# rows; the canary's predictions are compared with the labels its trainer learnt (its baseline's
# outputs), and it is rolled back. Uses the retraining scene's classifier, load and condition().
banner "revision 2 measures drift against the data its model learnt: drift clears"
run kubectl wait --for=jsonpath='{.status.conditions[?(@.type=="DriftDetected")].reason}'=NoDrift mdep/classifier --timeout=3m
step "DriftDetected=$(condition classifier DriftDetected)"

banner "the world moves again (x2 by 3 standard deviations), and the trainer's new release has a bug"
python3 e2e/demo/drift_data.py labelled "$VOLUME/recent.csv" 2000 3
python3 e2e/demo/drift_data.py bodies "$DEMO_DIR/bodies/further" 20 3
chown -R 10001:10001 "$VOLUME"
run kubectl patch mdep classifier --type=json -p '[
  {"op": "add", "path": "/spec/retraining/jobTemplate/spec/template/spec/containers/0/args/-", "value": "--fault"},
  {"op": "add", "path": "/spec/retraining/jobTemplate/spec/template/spec/containers/0/args/-", "value": "train-serve-skew"},
  {"op": "replace", "path": "/spec/retraining/cooldown", "value": "1s"}]'
step "(the cooldown is 1 s for the demo, so the next Job starts as soon as drift is seen)"
echo further >"$DEMO_DIR/bodies/now"
run kubectl wait --for=condition=DriftDetected mdep/classifier --timeout=3m
step "DriftDetected=$(condition classifier DriftDetected)"
run kubectl wait --for=create job/classifier-retrain-2 --timeout=2m
run kubectl patch mdep classifier --type=merge -p '{"spec":{"retraining":{"cooldown":"1h"}}}'
if ! kubectl wait --for=condition=Complete job/classifier-retrain-2 --timeout=5m; then
  kubectl logs job/classifier-retrain-2 >&2 || true
  kubectl describe job/classifier-retrain-2 >&2 || true
  echo "[demo] the second retraining Job did not complete" >&2
  exit 1
fi
run kubectl logs job/classifier-retrain-2

banner "the retrained model as a canary: fast, no errors, but its predictions are not its labels"
run kubectl wait --for=jsonpath='{.status.revisions[?(@.number==3)].phase}'=Failed mdep/classifier --timeout=5m
run kubectl get mdep classifier -o jsonpath='Degraded: {.status.conditions[?(@.type=="Degraded")].reason}: {.status.conditions[?(@.type=="Degraded")].message}{"\n"}'
run kubectl get mdep classifier -o jsonpath='{range .status.revisions[*]}revision {.number}: version {.modelVersion}, {.source}, {.phase}{"\n"}{end}'
step "stable revision: $(kubectl get mdep classifier -o jsonpath='{.status.stableRevision}')"
run kubectl wait --for=jsonpath='{.status.conditions[?(@.type=="Retraining")].reason}'=RevisionFailed mdep/classifier --timeout=1m
step "Retraining=$(condition classifier Retraining)"
step "answers: $(answers "$DRIFT_LOG")"
