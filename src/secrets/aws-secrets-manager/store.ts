/**
 * The transport of an `aws-secrets-manager` store: `GetSecretValue` for each fetch, through one
 * guarded client made when the pipeline (../pipeline.ts) opens the session.
 */
import { GetSecretValueCommand, type GetSecretValueCommandOutput } from '@aws-sdk/client-secrets-manager';
import type { SecretStoreError } from '../errors.js';
import type { StoreCall, StoreParts } from '../pipeline.js';
import type { FetchedSecret, StoreDeps } from '../types.js';
import { createSecretsManagerClient } from './client.js';
import { envVariables, storeCredentials } from './credentials.js';
import { classify } from './errors.js';
import { arnRegion, versionSelector } from './reference.js';
import type { AwsSecretsManagerConfig } from './schema.js';

/**
 * The secret `health()` asks for. It is not expected to exist: `ResourceNotFoundException` (or
 * `AccessDeniedException`, under a least-privilege policy) proves the endpoint answered and accepted
 * the store's credentials, without reading any real secret.
 */
export const HEALTH_PROBE_SECRET = 'sdr-agent/health-probe';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function awsSecretsManagerParts(s: {
  name: string;
  config: AwsSecretsManagerConfig;
  deps: StoreDeps;
  timeoutMs: number;
}): StoreParts {
  const { name, config, deps, timeoutMs } = s;
  const credentials = storeCredentials(name, config, { network: deps.network, env: deps.env, timeoutMs });
  const endpoint = config.endpoint ?? `https://secretsmanager.${config.region}.amazonaws.com`;
  const vars = envVariables(config.credentials);
  const context = {
    store: name,
    region: config.region,
    endpoint,
    ...(config.stsEndpoint ? { stsEndpoint: config.stsEndpoint } : {}),
    credentialSource: credentials.source,
    ...(vars ? { envVariables: [vars.accessKeyIdEnv, vars.secretAccessKeyEnv] } : {}),
    stepOf: credentials.stepOf,
  };
  return {
    open() {
      const client = createSecretsManagerClient({
        region: config.region,
        network: deps.network,
        timeoutMs,
        ...(config.endpoint ? { endpoint: config.endpoint } : {}),
        ...(credentials.provider ? { credentials: credentials.provider } : {}),
      });
      const get = (SecretId: string, version: string | undefined, call: StoreCall) =>
        client.send(new GetSecretValueCommand({ SecretId, ...versionSelector(version) }), { abortSignal: call.signal });
      return {
        async read(secretName, version, call) {
          return decode(await get(secretName, version, call), (detail) =>
            call.fail('malformed', detail, 'Store the secret as text (SecretString), or as UTF-8 bytes in SecretBinary.'),
          );
        },
        async probe(call) {
          await get(HEALTH_PROBE_SECRET, undefined, call);
        },
        close: () => client.destroy(),
      };
    },
    classify: (err) => classify(err, context),
    noAnswer: () => endpoint,
    refuse(secretName) {
      const region = arnRegion(secretName);
      if (region && region !== config.region)
        return { detail: `the ARN is in ${region} but this store reads ${config.region}; configure a store for ${region}` };
      return undefined;
    },
    close: () => credentials.destroy(),
  };
}

/** The secret's text: `SecretString` as is, `SecretBinary` decoded as UTF-8. */
function decode(out: GetSecretValueCommandOutput, malformed: (detail: string) => SecretStoreError): FetchedSecret {
  const version = out.VersionId ? { version: out.VersionId } : {};
  if (typeof out.SecretString === 'string') return { value: out.SecretString, ...version };
  if (out.SecretBinary) {
    try {
      return { value: utf8.decode(out.SecretBinary), ...version };
    } catch {
      throw malformed(`the secret is binary (SecretBinary, ${out.SecretBinary.byteLength} bytes) and not UTF-8 text`);
    }
  }
  throw malformed('the secret version has neither SecretString nor SecretBinary');
}
