# Scene: a new model version is a new revision; the old one is kept in the history.
banner "rolling out model version 8 of fraud-scorer"
run kubectl patch mdep fraud-scorer --type=merge -p '{"spec":{"model":{"version":"8"}}}'
for _ in $(seq 240); do
  [[ "$(kubectl get mdep fraud-scorer -o jsonpath='{.status.stableRevision}')" == 2 ]] && break
  sleep 0.5
done
run kubectl wait --for=condition=Available mdep/fraud-scorer --timeout=4m
run kubectl get mdep fraud-scorer -o jsonpath='{range .status.revisions[*]}revision {.number}: version {.modelVersion}, {.phase}{"\n"}{end}'
run kubectl get controllerrevisions -l modelops.dev/deployment=fraud-scorer
run kubectl get events --field-selector involvedObject.kind=ModelDeployment,involvedObject.name=fraud-scorer --sort-by=.lastTimestamp
