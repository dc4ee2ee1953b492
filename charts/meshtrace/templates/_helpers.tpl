{{/* Names and labels shared by every template. */}}
{{- define "meshtrace.fullname" -}}
{{- if contains "meshtrace" .Release.Name -}}{{ .Release.Name | trunc 50 | trimSuffix "-" }}{{- else -}}{{ printf "%s-meshtrace" .Release.Name | trunc 50 | trimSuffix "-" }}{{- end -}}
{{- end -}}

{{- define "meshtrace.labels" -}}
app.kubernetes.io/name: meshtrace
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "meshtrace.selector" -}}
app.kubernetes.io/name: meshtrace
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "meshtrace.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "meshtrace.authSecret" -}}
{{- if .Values.auth.existingSecret -}}{{ .Values.auth.existingSecret }}{{- else -}}{{ include "meshtrace.fullname" . }}-auth{{- end -}}
{{- end -}}

{{- define "meshtrace.authEnabled" -}}
{{- if or .Values.auth.existingSecret .Values.auth.token .Values.auth.basic -}}true{{- end -}}
{{- end -}}

{{/*
Hardened pod and container security contexts: non-root, read-only root filesystem, no
capabilities, RuntimeDefault seccomp.
*/}}
{{- define "meshtrace.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
fsGroup: 65532
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "meshtrace.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}
