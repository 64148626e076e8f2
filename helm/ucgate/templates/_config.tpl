{{/*
ucgate's config.yaml, the one place where values become ucgate's
configuration keys (README.md "Configuration"). The ConfigMap renders it and
the Deployment's checksum/config annotation hashes it, so pods roll when it
changes.
*/}}
{{- define "ucgate.config" -}}
{{- $config := deepCopy .Values.config }}
{{- $_ := set $config "listen" (printf "%s:%d" .Values.listenAddress (int .Values.containerPorts.grpc)) }}
{{- if .Values.admin.enabled }}
{{- $_ := set $config "admin_listen" (printf "%s:%d" .Values.listenAddress (int .Values.containerPorts.admin)) }}
{{- end }}
{{- if .Values.tls.enabled }}
{{- $tls := dict "cert_file" (printf "%s/tls.crt" .Values.tls.mountPath) "key_file" (printf "%s/tls.key" .Values.tls.mountPath) }}
{{- if .Values.tls.clientAuth }}
{{- $_ := set $tls "client_ca_file" (printf "%s/ca.crt" .Values.tls.mountPath) }}
{{- end }}
{{- $_ := set $config "tls" $tls }}
{{- end }}
{{- $_ := set $config "allow_unauthenticated" .Values.auth.allowUnauthenticated }}
{{- if .Values.auth.callers }}
{{- $_ := set $config "callers" .Values.auth.callers }}
{{- end }}
{{- if and .Values.auth.authorizationMode (ne .Values.auth.authorizationMode "enforce") }}
{{- $_ := set $config "authorization_mode" .Values.auth.authorizationMode }}
{{- end }}
{{- if and .Values.auth.pageTokenKeys .Values.auth.pageTokenKeys.existingSecret }}
{{- $_ := set $config "page_token_keys_file" (printf "%s/keys" .Values.auth.pageTokenKeys.mountPath) }}
{{- end }}
{{- $projects := list }}
{{- range .Values.projects }}
{{- $project := dict "name" .name "public_key" .publicKey "secret_key_file" (printf "%s/%s" $.Values.uploadcareSecret.mountPath (default .name .secretKey)) "auth_scheme" (default "signed" .authScheme) "api_version" (default "0.7" .apiVersion) }}
{{- if .baseUrl }}
{{- $_ := set $project "base_url" .baseUrl }}
{{- end }}
{{- $projects = append $projects $project }}
{{- end }}
{{- $_ := set $config "projects" $projects }}
{{- toYaml $config }}
{{- end }}
