/** Pieces of agent config files (YAML) that tests write. */

/**
 * The `connections:` block of one connection named `sim` crawling `endpoint` in us-east-1, with
 * static keys from the SIM_KEY_ID and SIM_SECRET variables, optionally assuming `assumeRole`.
 */
export function simConnectionYaml(endpoint: string, assumeRole?: string): string {
  return `connections:
  sim:
    regions: [us-east-1]
    endpoint: ${endpoint}
    credentials:
      source: env
      accessKeyIdEnv: SIM_KEY_ID
      secretAccessKeyEnv: SIM_SECRET
${assumeRole ? `    assumeRole:\n      roleArn: ${assumeRole}\n      sessionName: sdr-test\n` : ''}`;
}
