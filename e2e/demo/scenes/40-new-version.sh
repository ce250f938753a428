# Scene: a new model version is a new revision; the old one is kept in the history.
banner "rolling out model version 8 of fraud-scorer"
run kubectl patch mdep fraud-scorer --type=merge -p \
  '{"spec":{"model":{"version":"8","uri":"https://models.example.com/fraud/8/model.onnx","sha256":"9c1e2f0d8b7a6c5e4d3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c10"}}}'
for _ in $(seq 120); do
  [[ "$(kubectl get mdep fraud-scorer -o jsonpath='{.status.stableRevision}')" == 2 ]] && break
  sleep 0.5
done
run kubectl wait --for=condition=Available mdep/fraud-scorer --timeout=2m
run kubectl get mdep fraud-scorer -o jsonpath='{range .status.revisions[*]}revision {.number}: version {.modelVersion}, {.phase}{"\n"}{end}'
run kubectl get controllerrevisions -l modelops.dev/deployment=fraud-scorer
run kubectl get events --field-selector involvedObject.kind=ModelDeployment,involvedObject.name=fraud-scorer --sort-by=.lastTimestamp
