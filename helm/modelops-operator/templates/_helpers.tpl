{{/* The release's full name, used for every object of the chart. */}}
{{- define "modelops.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "modelops.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "modelops.labels" -}}
{{ include "modelops.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: modelops
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "modelops.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "modelops.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name must name an existing ServiceAccount when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The runtime image of ModelDeployments that name none. */}}
{{- define "modelops.runtimeImage" -}}
{{- .Values.operator.runtimeImage | default (printf "modelops/runtime:%s" .Chart.AppVersion) -}}
{{- end -}}

{{- define "modelops.leaderElection" -}}
{{- if gt (int .Values.replicas) 1 -}}true{{- end -}}
{{- end -}}

{{/*
The rules of the operator's role: exactly the calls it makes, as the API server's audit log shows
them (docs/install.md). ModelDeployments are read and their status patched; the
modelops.dev/promote and rollback-to annotations are removed with a patch once acted on. What it owns is
written with server-side apply (patch, and create: an apply that creates is authorized as
create too); Deployments of revisions no longer
served, ControllerRevisions beyond the history limit and a retired revision's Service (Gateway API
traffic) are deleted; the main Service, the HTTPRoute and the PodDisruptionBudget go with their
ModelDeployment, by garbage collection (an HTTPRoute is also deleted when the traffic mode changes). Pods are only
watched. Events are created. modeldeployments/finalizers update is what clusters with the
OwnerReferencesPermissionEnforcement admission plugin ask before an owner reference with
blockOwnerDeletion is set.
*/}}
{{- define "modelops.rules" -}}
- apiGroups: [modelops.dev]
  resources: [modeldeployments]
  verbs: [get, list, watch, patch]
- apiGroups: [modelops.dev]
  resources: [modeldeployments/status]
  verbs: [patch]
- apiGroups: [modelops.dev]
  resources: [modeldeployments/finalizers]
  verbs: [update]
- apiGroups: [gateway.networking.k8s.io]
  resources: [httproutes]
  verbs: [get, list, watch, create, patch, delete]
- apiGroups: [apps]
  resources: [deployments, controllerrevisions]
  verbs: [get, list, watch, create, patch, delete]
- apiGroups: [""]
  resources: [services]
  verbs: [get, list, watch, create, patch, delete]
- apiGroups: [policy]
  resources: [poddisruptionbudgets]
  verbs: [get, list, watch, create, patch]
# The runtime pods' NetworkPolicy; deleted when a ModelDeployment turns it off.
- apiGroups: [networking.k8s.io]
  resources: [networkpolicies]
  verbs: [get, list, watch, create, patch, delete]
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list, watch]
# Retraining Jobs: started, watched, never changed or deleted (garbage collection removes them
# with their ModelDeployment).
- apiGroups: [batch]
  resources: [jobs]
  verbs: [get, list, watch, create]
- apiGroups: [""]
  resources: [events]
  verbs: [create]
{{- end -}}
