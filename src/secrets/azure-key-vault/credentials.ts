/**
 * The store's Entra ID credential, from `@azure/identity`, sending through the store's HTTP client
 * (the agent network). Built on first use, not at config load: a missing variable or an
 * unreadable file is then reported by the fetch that needed it, typed, by name and never by value.
 * A client secret from a file or variable is re-read on every token request and a new credential
 * made when it changed, so a rotated secret is picked up without a restart.
 */
import { readFileSync } from 'node:fs';
import type { TokenCredential } from '@azure/core-auth';
import type { HttpClient } from '@azure/core-rest-pipeline';
import {
  ClientSecretCredential,
  ManagedIdentityCredential,
  WorkloadIdentityCredential,
  type TokenCredentialOptions,
} from '@azure/identity';
import { RETRY_OPTIONS } from './client.js';
import type { AzureAuth } from './schema.js';

/** The store's credential settings could not be read (a variable unset, a file unreadable). */
export class CredentialSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialSetupError';
  }
}

export interface StoreCredential {
  credential: TokenCredential;
  /** Which identity and how (names, IDs, variable and file names; never a secret), for messages. */
  source: string;
}

export interface CredentialDeps {
  env: NodeJS.ProcessEnv;
  httpClient: HttpClient;
  /** Entra ID authority; undefined: the public cloud's. */
  authorityHost?: string;
  /** Attempts after the first, for token requests. */
  maxRetries: number;
}

/** Workload identity settings after the webhook-injected variables filled what the config left out. */
export function workloadIdentitySettings(auth: Extract<AzureAuth, { method: 'workloadIdentity' }>, env: NodeJS.ProcessEnv) {
  return {
    tenantId: auth.tenantId ?? env.AZURE_TENANT_ID?.trim(),
    clientId: auth.clientId ?? env.AZURE_CLIENT_ID?.trim(),
    tokenFile: auth.tokenFile ?? env.AZURE_FEDERATED_TOKEN_FILE?.trim(),
  };
}

/** The store's TokenCredential for `auth`, made lazily; its failures are typed (CredentialSetupError) or @azure/identity's. */
export function storeCredential(auth: AzureAuth, deps: CredentialDeps): StoreCredential {
  const options: TokenCredentialOptions & { disableInstanceDiscovery?: boolean } = {
    httpClient: deps.httpClient,
    retryOptions: { ...RETRY_OPTIONS, maxRetries: deps.maxRetries },
    // A configured authority (a sovereign cloud, Azure Stack, a simulator) is trusted as given:
    // instance discovery would ask the public cloud to vouch for it.
    ...(deps.authorityHost ? { authorityHost: deps.authorityHost, disableInstanceDiscovery: true } : {}),
  };
  switch (auth.method) {
    case 'clientSecret': {
      const where = auth.clientSecretEnv ? `environment variable ${auth.clientSecretEnv}` : `file ${auth.clientSecretFile}`;
      let current: { secret: string; credential: ClientSecretCredential } | undefined;
      const read = (): string => {
        let secret: string | undefined;
        if (auth.clientSecretEnv) secret = deps.env[auth.clientSecretEnv];
        else {
          try {
            secret = readFileSync(auth.clientSecretFile!, 'utf8');
          } catch (err) {
            throw new CredentialSetupError(
              `cannot read the client secret file ${auth.clientSecretFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
            );
          }
        }
        secret = secret?.trim();
        if (!secret) throw new CredentialSetupError(`the client secret ${where} is ${auth.clientSecretEnv ? 'not set' : 'empty'}`);
        return secret;
      };
      return {
        source: `service principal ${auth.clientId} in tenant ${auth.tenantId} with the client secret from ${where}`,
        credential: {
          getToken(scopes, tokenOptions) {
            const secret = read();
            if (current?.secret !== secret)
              current = { secret, credential: new ClientSecretCredential(auth.tenantId, auth.clientId, secret, options) };
            return current.credential.getToken(scopes, tokenOptions);
          },
        },
      };
    }
    case 'managedIdentity': {
      let credential: ManagedIdentityCredential | undefined;
      return {
        source: auth.clientId ? `the user-assigned managed identity ${auth.clientId}` : 'the system-assigned managed identity',
        credential: {
          getToken(scopes, tokenOptions) {
            credential ??= auth.clientId
              ? new ManagedIdentityCredential({ ...options, clientId: auth.clientId })
              : new ManagedIdentityCredential(options);
            return credential.getToken(scopes, tokenOptions);
          },
        },
      };
    }
    case 'workloadIdentity': {
      const s = workloadIdentitySettings(auth, deps.env);
      let credential: WorkloadIdentityCredential | undefined;
      return {
        source: `workload identity ${s.clientId ?? '(no client ID)'} in tenant ${s.tenantId ?? '(no tenant ID)'} with the federated token file ${s.tokenFile ?? '(none)'}`,
        credential: {
          getToken(scopes, tokenOptions) {
            if (!s.tenantId || !s.clientId || !s.tokenFile) {
              const missing = [
                !s.tenantId && 'tenantId (or AZURE_TENANT_ID)',
                !s.clientId && 'clientId (or AZURE_CLIENT_ID)',
                !s.tokenFile && 'tokenFile (or AZURE_FEDERATED_TOKEN_FILE)',
              ].filter(Boolean);
              throw new CredentialSetupError(`workload identity needs ${missing.join(', ')}`);
            }
            try {
              readFileSync(s.tokenFile, 'utf8');
            } catch (err) {
              throw new CredentialSetupError(
                `cannot read the federated token file ${s.tokenFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
              );
            }
            credential ??= new WorkloadIdentityCredential({
              ...options,
              tenantId: s.tenantId,
              clientId: s.clientId,
              tokenFilePath: s.tokenFile,
            });
            return credential.getToken(scopes, tokenOptions);
          },
        },
      };
    }
  }
}
