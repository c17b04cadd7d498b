{{/*
The agent's pod template, shared by the Deployment (one replica) and the StatefulSet (several).
Restricted Pod Security: numeric non-root uid, seccomp RuntimeDefault, no privilege escalation,
all capabilities dropped, read-only root with an emptyDir for /tmp, no automounted API token.
*/}}
{{- define "sdr-agent.podTemplate" -}}
{{- $multi := include "sdr-agent.multi" . -}}
{{- $tokenDir := "/var/run/secrets/sdr-agent/token" -}}
metadata:
  labels:
    {{- include "sdr-agent.selectorLabels" . | nindent 4 }}
    app.kubernetes.io/component: agent
    {{- if .Values.identity.azure.clientId }}
    azure.workload.identity/use: "true"
    {{- end }}
    {{- with .Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    {{- if not .Values.existingConfigMap }}
    checksum/config: {{ include (print $.Template.BasePath "/configmap.yaml") . | sha256sum }}
    {{- end }}
    {{- if .Values.metrics.podAnnotations }}
    prometheus.io/scrape: "true"
    prometheus.io/port: {{ .Values.ops.port | quote }}
    prometheus.io/path: /metrics
    {{- end }}
    {{- with .Values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "sdr-agent.serviceAccountName" . }}
  # The agent never calls the Kubernetes API. Vault's Kubernetes auth gets a projected token
  # (volume "vault-token"); the EKS, AKS and GKE identity webhooks project their own.
  automountServiceAccountToken: false
  enableServiceLinks: false
  # Longer than config.limits.drainGracePeriod: SIGTERM drains running jobs first.
  terminationGracePeriodSeconds: {{ include "sdr-agent.terminationGracePeriodSeconds" . }}
  {{- with .Values.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  {{- with .Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    runAsNonRoot: true
    runAsUser: {{ .Values.securityContext.runAsUser }}
    runAsGroup: {{ .Values.securityContext.runAsGroup }}
    fsGroup: {{ .Values.securityContext.fsGroup }}
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: agent
      image: {{ include "sdr-agent.image" . | quote }}
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      # The image's entrypoint is `node /app/dist/src/cli/main.js`.
      args: ["run", "--config", "/etc/sdr-agent/agent.yaml"]
      securityContext:
        runAsNonRoot: true
        runAsUser: {{ .Values.securityContext.runAsUser }}
        runAsGroup: {{ .Values.securityContext.runAsGroup }}
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        privileged: false
        capabilities:
          drop: ["ALL"]
        seccompProfile:
          type: RuntimeDefault
      ports:
        - name: ops
          containerPort: {{ .Values.ops.port }}
          protocol: TCP
      env:
        # The ops server: the probes' target (see values.yaml ops.address for the wildcard bind).
        # On whatever the config file says (an existingConfigMap included): the probes need it.
        - name: SDR_OPS_ENABLED
          value: "true"
        - name: SDR_OPS_ADDRESS
          value: {{ .Values.ops.address | quote }}
        - name: SDR_OPS_PORT
          value: {{ .Values.ops.port | quote }}
        {{- if $multi }}
        # One agent per pod: the id gets the StatefulSet ordinal, the token is the Secret's key of that id.
        - name: SDR_POD_INDEX
          valueFrom:
            fieldRef:
              fieldPath: metadata.labels['apps.kubernetes.io/pod-index']
        - name: SDR_AGENT_ID
          value: {{ printf "%s-$(SDR_POD_INDEX)" .Values.config.agent.id | quote }}
        - name: SDR_AGENT_TOKEN_FILE
          value: {{ printf "%s/$(SDR_AGENT_ID)" $tokenDir | quote }}
        {{- else }}
        - name: SDR_AGENT_TOKEN_FILE
          value: {{ printf "%s/%s" $tokenDir .Values.agentToken.key | quote }}
        {{- end }}
        {{- if include "sdr-agent.hasCa" . }}
        {{- if .Values.caBundle.controlPlane }}
        - name: SDR_CA_FILE
          value: {{ include "sdr-agent.caPath" . | quote }}
        {{- end }}
        {{- if .Values.caBundle.nodeExtraCaCerts }}
        - name: NODE_EXTRA_CA_CERTS
          value: {{ include "sdr-agent.caPath" . | quote }}
        {{- end }}
        {{- end }}
        {{- if .Values.clientCertificate.existingSecret }}
        - name: SDR_CLIENT_CERT_FILE
          value: /var/run/secrets/sdr-agent/client/tls.crt
        - name: SDR_CLIENT_KEY_FILE
          value: /var/run/secrets/sdr-agent/client/tls.key
        {{- end }}
        {{- $proxied := or .Values.proxy.httpsProxy .Values.proxy.httpProxy .Values.proxy.existingSecret }}
        {{- if .Values.proxy.existingSecret }}
        - name: HTTPS_PROXY
          valueFrom:
            secretKeyRef:
              name: {{ .Values.proxy.existingSecret }}
              key: {{ .Values.proxy.existingSecretKey }}
        {{- else if .Values.proxy.httpsProxy }}
        - name: HTTPS_PROXY
          value: {{ .Values.proxy.httpsProxy | quote }}
        {{- end }}
        {{- if .Values.proxy.httpProxy }}
        - name: HTTP_PROXY
          value: {{ .Values.proxy.httpProxy | quote }}
        {{- end }}
        {{- if and $proxied .Values.proxy.noProxy }}
        - name: NO_PROXY
          value: {{ join "," .Values.proxy.noProxy | quote }}
        {{- end }}
        {{- with .Values.extraEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- with .Values.extraEnvFrom }}
      envFrom:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      livenessProbe:
        httpGet:
          path: /healthz
          port: ops
        {{- toYaml .Values.probes.liveness | nindent 8 }}
      readinessProbe:
        httpGet:
          path: /readyz
          port: ops
        {{- toYaml .Values.probes.readiness | nindent 8 }}
      {{- with .Values.resources }}
      resources:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      volumeMounts:
        - name: config
          mountPath: /etc/sdr-agent
          readOnly: true
        - name: token
          mountPath: {{ $tokenDir }}
          readOnly: true
        - name: tmp
          mountPath: /tmp
        {{- if include "sdr-agent.hasCa" . }}
        - name: ca
          mountPath: /var/run/secrets/sdr-agent/ca
          readOnly: true
        {{- end }}
        {{- if .Values.clientCertificate.existingSecret }}
        - name: client-tls
          mountPath: /var/run/secrets/sdr-agent/client
          readOnly: true
        {{- end }}
        {{- if .Values.vaultKubernetesAuth.enabled }}
        # The file the vault store reads by default (auth.jwtFile).
        - name: vault-token
          mountPath: /var/run/secrets/kubernetes.io/serviceaccount
          readOnly: true
        {{- end }}
        {{- with .Values.extraVolumeMounts }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
  volumes:
    - name: config
      configMap:
        name: {{ include "sdr-agent.configMapName" . }}
        items:
          - key: agent.yaml
            path: agent.yaml
    - name: token
      secret:
        secretName: {{ include "sdr-agent.tokenSecretName" . }}
        defaultMode: 0440
    - name: tmp
      emptyDir:
        sizeLimit: {{ .Values.tmp.sizeLimit }}
    {{- if .Values.caBundle.secretName }}
    - name: ca
      secret:
        secretName: {{ .Values.caBundle.secretName }}
        defaultMode: 0444
        items:
          - key: {{ .Values.caBundle.key }}
            path: {{ .Values.caBundle.key }}
    {{- else if .Values.caBundle.configMapName }}
    - name: ca
      configMap:
        name: {{ .Values.caBundle.configMapName }}
        defaultMode: 0444
        items:
          - key: {{ .Values.caBundle.key }}
            path: {{ .Values.caBundle.key }}
    {{- end }}
    {{- if .Values.clientCertificate.existingSecret }}
    - name: client-tls
      secret:
        secretName: {{ .Values.clientCertificate.existingSecret }}
        defaultMode: 0440
        items:
          - key: tls.crt
            path: tls.crt
          - key: tls.key
            path: tls.key
    {{- end }}
    {{- if .Values.vaultKubernetesAuth.enabled }}
    - name: vault-token
      projected:
        defaultMode: 0440
        sources:
          - serviceAccountToken:
              path: token
              expirationSeconds: {{ .Values.vaultKubernetesAuth.expirationSeconds }}
              {{- with .Values.vaultKubernetesAuth.audience }}
              audience: {{ . | quote }}
              {{- end }}
    {{- end }}
    {{- with .Values.extraVolumes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.topologySpreadConstraints }}
  topologySpreadConstraints:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- if .Values.affinity }}
  affinity:
    {{- toYaml .Values.affinity | nindent 4 }}
  {{- else if $multi }}
  affinity:
    podAntiAffinity:
      {{- if eq .Values.podAntiAffinity "hard" }}
      requiredDuringSchedulingIgnoredDuringExecution:
        - topologyKey: kubernetes.io/hostname
          labelSelector:
            matchLabels:
              {{- include "sdr-agent.selectorLabels" . | nindent 14 }}
      {{- else }}
      preferredDuringSchedulingIgnoredDuringExecution:
        - weight: 100
          podAffinityTerm:
            topologyKey: kubernetes.io/hostname
            labelSelector:
              matchLabels:
                {{- include "sdr-agent.selectorLabels" . | nindent 16 }}
      {{- end }}
  {{- end }}
{{- end -}}
