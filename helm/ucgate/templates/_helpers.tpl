{{/* Names, labels and the image reference shared by every template. */}}

{{- define "ucgate.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "ucgate.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "ucgate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ucgate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "ucgate.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "ucgate.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: gateway
app.kubernetes.io/part-of: ucgate
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "ucgate.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "ucgate.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "ucgate.image" -}}
{{- $repository := .Values.image.repository }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" $repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" $repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* The Secret holding the projects' secret keys. */}}
{{- define "ucgate.uploadcareSecretName" -}}
{{- default (printf "%s-uploadcare" (include "ucgate.fullname" .)) .Values.uploadcareSecret.existingSecret }}
{{- end }}

{{/* The Secret whose ca.crt the `helm test` pod trusts. */}}
{{- define "ucgate.testCaSecretName" -}}
{{- default .Values.tls.secretName .Values.tests.caSecretName }}
{{- end }}

{{- define "ucgate.configMountPath" -}}/etc/ucgate/config{{- end }}

{{- define "ucgate.terminationGracePeriodSeconds" -}}
{{- add .Values.drain.preStopSleepSeconds .Values.drain.delaySeconds .Values.drain.gatewayGraceSeconds .Values.drain.marginSeconds }}
{{- end }}

{{/*
Combinations of values that would install a gateway that cannot start or
cannot be probed: refused at render time with the fix.
*/}}
{{- define "ucgate.validate" -}}
{{- if not .Values.projects }}
{{- fail "ucgate: set at least one project in `projects` (name and publicKey), with its secret key in uploadcareSecret.existingSecret" }}
{{- end }}
{{- $names := dict }}
{{- range .Values.projects }}
{{- if hasKey $names .name }}
{{- fail (printf "ucgate: project %q is listed twice in `projects`" .name) }}
{{- end }}
{{- $_ := set $names .name true }}
{{- if and (not $.Values.uploadcareSecret.existingSecret) (not (hasKey $.Values.uploadcareSecret.secretKeys (default .name .secretKey))) }}
{{- fail (printf "ucgate: project %q has no secret key: set uploadcareSecret.existingSecret (preferred), or uploadcareSecret.secretKeys.%s" .name (default .name .secretKey)) }}
{{- end }}
{{- end }}
{{- if and (not .Values.auth.callers) (not .Values.auth.allowUnauthenticated) }}
{{- fail "ucgate: nobody may call: list callers in auth.callers, or set auth.allowUnauthenticated=true to serve any pod the NetworkPolicy admits" }}
{{- end }}
{{- if and .Values.tls.enabled (not .Values.tls.secretName) }}
{{- fail "ucgate: tls.enabled needs tls.secretName (a kubernetes.io/tls Secret, e.g. a cert-manager Certificate's)" }}
{{- end }}
{{- if and .Values.tls.clientAuth (not .Values.tls.enabled) }}
{{- fail "ucgate: tls.clientAuth needs tls.enabled" }}
{{- end }}
{{- if and .Values.tls.enabled (eq .Values.probes.mode "grpc") }}
{{- fail "ucgate: the kubelet's gRPC probes speak plaintext only: with tls.enabled set probes.mode=http (the admin port's /readyz and /healthz)" }}
{{- end }}
{{- if and (eq .Values.probes.mode "http") (not .Values.admin.enabled) }}
{{- fail "ucgate: probes.mode=http needs admin.enabled (the probes call /readyz and /healthz on the admin port)" }}
{{- end }}
{{- if and .Values.metrics.serviceMonitor.enabled (not .Values.admin.enabled) }}
{{- fail "ucgate: metrics.serviceMonitor.enabled needs admin.enabled (metrics are served on the admin port)" }}
{{- end }}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) }}
{{- fail "ucgate: autoscaling.minReplicas is above autoscaling.maxReplicas" }}
{{- end }}
{{- if and .Values.tls.clientAuth (not .Values.tests.clientCertSecretName) }}
{{- fail "ucgate: with tls.clientAuth the `helm test` pod needs a client certificate: set tests.clientCertSecretName" }}
{{- end }}
{{- end }}
