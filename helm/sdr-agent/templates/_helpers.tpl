{{/* Names, labels and the values derived once for every template. */}}

{{- define "sdr-agent.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "sdr-agent.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "sdr-agent.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sdr-agent.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "sdr-agent.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "sdr-agent.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: agent
{{- end -}}

{{- define "sdr-agent.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "sdr-agent.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "sdr-agent.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}
{{- end -}}

{{- define "sdr-agent.configMapName" -}}
{{- default (printf "%s-config" (include "sdr-agent.fullname" .)) .Values.existingConfigMap -}}
{{- end -}}

{{- define "sdr-agent.tokenSecretName" -}}
{{- default (printf "%s-token" (include "sdr-agent.fullname" .)) .Values.agentToken.existingSecret -}}
{{- end -}}

{{- define "sdr-agent.multi" -}}
{{- if gt (int .Values.replicaCount) 1 -}}true{{- end -}}
{{- end -}}

{{/*
A duration of the agent's config ("30s", "5m", "1.5h", "1d", or milliseconds as a number) in whole
seconds, rounded up; the same grammar as src/config/duration.ts.
*/}}
{{- define "sdr-agent.durationSeconds" -}}
{{- $v := . -}}
{{- if or (kindIs "float64" $v) (kindIs "int" $v) (kindIs "int64" $v) -}}
{{- $v = int64 $v | toString -}}
{{- end -}}
{{- $v = toString $v -}}
{{- if regexMatch "^[0-9]+$" $v -}}
{{- divf (float64 $v) 1000.0 | ceil | int64 -}}
{{- else if regexMatch "^[0-9]+(\\.[0-9]+)?(ms|s|m|h|d)$" $v -}}
{{- $num := regexFind "^[0-9]+(\\.[0-9]+)?" $v -}}
{{- $unit := trimPrefix $num $v -}}
{{- $per := dict "ms" 0.001 "s" 1.0 "m" 60.0 "h" 3600.0 "d" 86400.0 -}}
{{- mulf (float64 $num) (get $per $unit) | ceil | int64 -}}
{{- else -}}
{{- fail (printf "config.limits.drainGracePeriod %q is not a duration like \"30s\", \"5m\", \"6h\" or a number of milliseconds" $v) -}}
{{- end -}}
{{- end -}}

{{- define "sdr-agent.terminationGracePeriodSeconds" -}}
{{- $drain := dig "limits" "drainGracePeriod" "5m" .Values.config -}}
{{- add (include "sdr-agent.durationSeconds" $drain | int64) (int64 .Values.terminationGraceMarginSeconds) -}}
{{- end -}}

{{/* The agent ids this release runs, one per replica. */}}
{{- define "sdr-agent.agentIds" -}}
{{- $ids := list -}}
{{- if include "sdr-agent.multi" . -}}
{{- range $i := until (int .Values.replicaCount) -}}
{{- $ids = append $ids (printf "%s-%d" $.Values.config.agent.id $i) -}}
{{- end -}}
{{- else -}}
{{- $ids = list .Values.config.agent.id -}}
{{- end -}}
{{- join "," $ids -}}
{{- end -}}

{{- define "sdr-agent.caPath" -}}
{{- printf "/var/run/secrets/sdr-agent/ca/%s" .Values.caBundle.key -}}
{{- end -}}

{{- define "sdr-agent.hasCa" -}}
{{- if or .Values.caBundle.secretName .Values.caBundle.configMapName -}}true{{- end -}}
{{- end -}}
