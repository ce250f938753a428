# Scene: under live traffic, a new version walks its canary step and is promoted; a broken one is
# rolled back by the analysis with its numbers; then an earlier revision is served again by hand.
# The traffic goes through the Service's ClusterIP, which the node's kube-proxy balances per
# connection over the ready pods of both revisions (kubectl port-forward would pin one pod).
banner "making room on the 2-core node: too-big goes (two of its pods hold a GPU and half a CPU each)"
run kubectl delete mdep too-big --wait=false

banner "live traffic to service/iris: a request every 50 ms, each on its own connection"
forward_service iris
LOAD_PORT="$FORWARD_PORT"
LOAD_LOG="$DEMO_DIR/load.log"
IRIS_BODY='{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[5.1,3.5,1.4,0.2]}]}'
(while :; do
  curl -s -o /dev/null -w '%{http_code}\n' --max-time 10 -H 'Content-Type: application/json' \
    -d "$IRIS_BODY" "localhost:$LOAD_PORT/v2/models/iris/infer" || true
  sleep 0.05
done >"$LOAD_LOG") &
LOAD_PID=$!
on_exit "kill $LOAD_PID 2>/dev/null; wait $LOAD_PID 2>/dev/null"
# The answers in a load log (LOG, by default this scene's) counted by HTTP status.
answers() { sort "${1:-$LOAD_LOG}" | uniq -c | awk '{printf "%s HTTP %s  ", $1, $2} END {print ""}'; }

# Prints the rollout each time it changes, until revision $2 is stable with nothing in progress.
follow_rollout() { # NAME REVISION
  local last="" line
  for _ in $(seq 300); do
    line="$(kubectl get mdep "$1" -o jsonpath='stable={.status.stableRevision} canary={.status.canary.revision} step={.status.canary.step} weight={.status.canary.weight}% | {.status.conditions[?(@.type=="Progressing")].message} | {.status.canary.analysis}')"
    [[ "$line" != "$last" ]] && step "$line" && last="$line"
    [[ "$line" == "stable=$2 canary= "* ]] && return 0
    sleep 1
  done
  kubectl describe mdep "$1" >&2
  # What the pods say, for a failure's report: which one is not ready, and why.
  kubectl get pods -o wide >&2
  kubectl describe pods -l "modelops.dev/deployment=$1" | grep -E '^(Name|Node|Status):|Ready|Reason|Message|Warning|Started|Finished' >&2
  echo "[demo] revision $2 of $1 did not become stable within 5 minutes" >&2
  exit 1
}

banner "version 2 as a canary: examples/canary-model.yaml (50% of the pods for 30 s, checked every 10 s)"
run kubectl apply -f examples/canary-model.yaml
follow_rollout iris 2
run kubectl get mdep iris
run kubectl get events --field-selector involvedObject.kind=ModelDeployment,involvedObject.name=iris --sort-by=.lastTimestamp
step "answers so far: $(answers)"

banner "version 3 is broken (every answer an error): the analysis rolls it back"
FAILING_SHA="$(sha256sum "$DEMO_DIR/models/failing.onnx" | cut -d' ' -f1)"
run kubectl patch mdep iris --type=merge -p "{\"spec\":{\"model\":{\"version\":\"3\",\"uri\":\"http://models.modelops-sandbox.svc/failing.onnx\",\"sha256\":\"$FAILING_SHA\"}}}"
run kubectl wait --for=condition=Degraded mdep/iris --timeout=5m
run kubectl get mdep iris -o jsonpath='Degraded: {.status.conditions[?(@.type=="Degraded")].reason}: {.status.conditions[?(@.type=="Degraded")].message}{"\n"}'
run kubectl get mdep iris -o jsonpath='{range .status.revisions[*]}revision {.number}: version {.modelVersion}, {.phase}{"\n"}{end}'
step "answers so far: $(answers)(the 500s are the canary's, before it was rolled back)"

banner "serving revision 1 again, by hand: kubectl annotate mdep iris modelops.dev/rollback-to=1"
run kubectl annotate mdep iris modelops.dev/rollback-to=1
follow_rollout iris 4
run kubectl get mdep iris -o jsonpath='{range .status.revisions[*]}revision {.number}: version {.modelVersion}, {.source}, {.phase}{"\n"}{end}'
run kubectl get mdep iris -o jsonpath='{.status.lastAction.request}: {.status.lastAction.result}, {.status.lastAction.message}{"\n"}'
step "answers: $(answers)"
# The scenes after this one send traffic of their own: this load stops here.
kill "$LOAD_PID" 2>/dev/null; wait "$LOAD_PID" 2>/dev/null || true
