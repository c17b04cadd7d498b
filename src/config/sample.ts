/**
 * A complete, commented config file: docs/configuration.md shows it and a test loads it, so the
 * example cannot drift from the schema.
 */
export const sampleConfig = `# sdr-agent run --config /etc/sdr-agent/agent.yaml
controlPlane:
  url: wss://sdr.example.com/agent          # ws:// only to 127.0.0.1, ::1 or localhost
  # caFile: /etc/sdr-agent/ca.pem            # extra CA bundle, added to the default roots
  # clientCertFile: /etc/sdr-agent/agent.crt # mTLS: both or neither
  # clientKeyFile: /etc/sdr-agent/agent.key

agent:
  id: prod-eu-1
  # The token comes from exactly one place: SDR_AGENT_TOKEN (default), the variable named by
  # tokenEnv, or a file such as a mounted secret:
  # tokenFile: /run/secrets/sdr-token

limits:
  maxConcurrentJobs: 2
  drainGracePeriod: 5m
  maxConnectionLifetime: 6h
  batchRecords: 1000
  batchFlushInterval: 500ms

# proxy:                                    # default: HTTPS_PROXY, HTTP_PROXY, NO_PROXY
#   httpsProxy: http://proxy.internal:3128
#   noProxy: .internal,169.254.169.254

log:
  level: info

connections:
  prod:
    regions: [eu-west-1, us-east-1]
    types: [training-job, model, endpoint, endpoint-config]
    credentials:
      source: default                       # the AWS SDK chain: env, profile, web identity, instance role
    assumeRole:
      roleArn: arn:aws:iam::123456789012:role/sdr-reader
      externalId: sdr-prod-eu-1
      sessionName: sdr-agent
      durationSeconds: 3600
  sandbox:
    regions: [us-west-2]
    credentials:
      source: env
      accessKeyIdEnv: SANDBOX_AWS_ACCESS_KEY_ID
      secretAccessKeyEnv: SANDBOX_AWS_SECRET_ACCESS_KEY
    useSearch: false
    maxConcurrency: 8
`;
