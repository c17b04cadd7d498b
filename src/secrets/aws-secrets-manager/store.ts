/**
 * A live `aws-secrets-manager` store: `GetSecretValue` for each fetch, through one guarded client
 * made on first use. Every call runs under the store's deadline and the caller's signal.
 */
import { GetSecretValueCommand, type GetSecretValueCommandOutput, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseDuration } from '../../config/duration.js';
import { SecretStoreError, secretLabel } from '../errors.js';
import type { FetchedSecret, SecretStore, StoreCallOptions, StoreDeps } from '../types.js';
import { createSecretsManagerClient } from './client.js';
import { envVariables, storeCredentials } from './credentials.js';
import { withDeadline } from '../deadline.js';
import { awsErrorCode, storeFailure, STORE_TYPE, type FailureContext } from './errors.js';
import { arnRegion, referenceProblem, versionSelector } from './reference.js';
import type { AwsSecretsManagerConfig } from './schema.js';

/**
 * The secret `health()` asks for. It is not expected to exist: `ResourceNotFoundException` (or
 * `AccessDeniedException`, under a least-privilege policy) proves the endpoint answered and accepted
 * the store's credentials, without reading any real secret.
 */
export const HEALTH_PROBE_SECRET = 'sdr-agent/health-probe';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function createAwsSecretsManagerStore(name: string, config: AwsSecretsManagerConfig, deps: StoreDeps): SecretStore {
  const timeoutMs = parseDuration(config.timeout) ?? 10_000;
  const credentials = storeCredentials(name, config, { network: deps.network, env: deps.env, timeoutMs });
  const endpoint = config.endpoint ?? `https://secretsmanager.${config.region}.amazonaws.com`;
  const vars = envVariables(config.credentials);
  let client: SecretsManagerClient | undefined;
  let closed = false;

  const context = (secret: string): FailureContext => ({
    store: name,
    secret,
    region: config.region,
    endpoint,
    ...(config.stsEndpoint ? { stsEndpoint: config.stsEndpoint } : {}),
    timeoutMs,
    credentialSource: credentials.source,
    ...(vars ? { envVariables: [vars.accessKeyIdEnv, vars.secretAccessKeyEnv] } : {}),
    stepOf: credentials.stepOf,
  });

  const getSecretValue = async (
    input: { SecretId: string; VersionId?: string; VersionStage?: string },
    label: string,
    options: StoreCallOptions,
  ): Promise<GetSecretValueCommandOutput> => {
    if (closed)
      throw new SecretStoreError('unreachable', name, label, 'the store is closed (the agent is stopping)', {
        storeType: STORE_TYPE,
        hint: 'Nothing to do: a closed store is not used again.',
      });
    client ??= createSecretsManagerClient({
      region: config.region,
      network: deps.network,
      timeoutMs,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      ...(credentials.provider ? { credentials: credentials.provider } : {}),
    });
    const c = client;
    try {
      return await withDeadline(timeoutMs, options.signal, (abortSignal) => c.send(new GetSecretValueCommand(input), { abortSignal }));
    } catch (err) {
      throw storeFailure(err, context(label));
    }
  };

  return {
    name,
    type: STORE_TYPE,
    async fetch(secretName: string, version: string | undefined, options: StoreCallOptions = {}): Promise<FetchedSecret> {
      const label = secretLabel(secretName, version);
      const invalid = (detail: string) => new SecretStoreError('invalid_reference', name, label, detail, { storeType: STORE_TYPE });
      const problem = referenceProblem(secretName, version);
      if (problem) throw invalid(problem);
      const region = arnRegion(secretName);
      if (region && region !== config.region)
        throw invalid(`the ARN is in ${region} but this store reads ${config.region}; configure a store for ${region}`);
      const started = Date.now();
      const out = await getSecretValue({ SecretId: secretName, ...versionSelector(version) }, label, options);
      const fetched = decode(
        out,
        (detail) =>
          new SecretStoreError('malformed', name, label, detail, {
            storeType: STORE_TYPE,
            hint: 'Store the secret as text (SecretString), or as UTF-8 bytes in SecretBinary.',
          }),
      );
      deps.logger.debug(
        { store: name, secretName, version: fetched.version, ms: Date.now() - started },
        'read a secret from AWS Secrets Manager',
      );
      return fetched;
    },
    async health(options: StoreCallOptions = {}): Promise<void> {
      try {
        await getSecretValue({ SecretId: HEALTH_PROBE_SECRET }, '(health check)', options);
      } catch (err) {
        // Either answer means AWS authenticated the request: the store works, whatever the probe's fate.
        if (err instanceof SecretStoreError && ['ResourceNotFoundException', 'AccessDeniedException'].includes(awsErrorCode(err.cause)))
          return;
        throw err;
      }
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      client?.destroy();
      client = undefined;
      credentials.destroy();
    },
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
