/**
 * The keys of a `type: azure-key-vault` store: which vault, as which Entra ID identity (a client
 * secret, the VM's or pod's managed identity, or AKS workload identity), which authority and how
 * long a call may take.
 */
import { Closed } from '../../schema-kit.js';
import { Type, type Static } from '@sinclair/typebox';
import { StoreTimeoutSchema } from '../schema.js';

const EnvName = Type.String({
  pattern: '^[A-Za-z_][A-Za-z0-9_]{0,127}$',
  'x-expected': 'must be an environment variable name (letters, digits, _)',
});
const FilePath = Type.String({ minLength: 1, maxLength: 4096 });
/** A tenant is a GUID or one of its verified domain names (contoso.onmicrosoft.com). */
const TenantId = Type.String({
  pattern: '^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[A-Za-z0-9][A-Za-z0-9.-]{0,252})$',
  'x-expected': "must be a tenant ID (a GUID) or the tenant's domain name",
});
/** An application (client) ID: always a GUID. */
const ClientId = Type.String({
  pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
  'x-expected': 'must be an application (client) ID, a GUID',
});
const HttpsUrl = (what: string) =>
  Type.String({ pattern: '^https://\\S+$', maxLength: 2048, 'x-expected': `must be an https:// URL (${what})` });

/** A service principal with a client secret, read from a variable or a file (never inline). */
export const ClientSecretAuthSchema = Closed({
  method: Type.Literal('clientSecret'),
  tenantId: TenantId,
  clientId: ClientId,
  /** The variable holding the client secret; exactly one of this and `clientSecretFile`. */
  clientSecretEnv: Type.Optional(EnvName),
  /** A file holding the client secret (a mounted Kubernetes secret); re-read when it changes. */
  clientSecretFile: Type.Optional(FilePath),
});

/** The Azure VM's, App Service's or Arc machine's managed identity; `clientId` picks a user-assigned one. */
export const ManagedIdentityAuthSchema = Closed({
  method: Type.Literal('managedIdentity'),
  clientId: Type.Optional(ClientId),
});

/**
 * AKS workload identity: a federated service-account token exchanged for an Entra token. The
 * defaults are the variables the workload identity webhook injects into the pod.
 */
export const WorkloadIdentityAuthSchema = Closed({
  method: Type.Literal('workloadIdentity'),
  /** Default: `AZURE_TENANT_ID`. */
  tenantId: Type.Optional(TenantId),
  /** Default: `AZURE_CLIENT_ID`. */
  clientId: Type.Optional(ClientId),
  /** Default: `AZURE_FEDERATED_TOKEN_FILE`. */
  tokenFile: Type.Optional(FilePath),
});

const AuthSchema = Type.Unsafe<
  Static<typeof ClientSecretAuthSchema> | Static<typeof ManagedIdentityAuthSchema> | Static<typeof WorkloadIdentityAuthSchema>
>({
  type: 'object',
  discriminator: { propertyName: 'method' },
  oneOf: [ClientSecretAuthSchema, ManagedIdentityAuthSchema, WorkloadIdentityAuthSchema],
});

export const AzureKeyVaultSchema = Type.Object(
  {
    /** The vault, e.g. https://sdr-prod.vault.azure.net/ (the "Vault URI" of the portal). */
    vaultUrl: HttpsUrl('the vault URI, like https://<vault-name>.vault.azure.net/'),
    auth: AuthSchema,
    /** Entra ID authority for clientSecret and workloadIdentity (sovereign clouds); default https://login.microsoftonline.com. */
    authorityHost: Type.Optional(HttpsUrl('the Entra ID authority, like https://login.microsoftonline.us')),
    /**
     * The SDK checks that the vault's 401 challenge names a resource the vault's host belongs to
     * (`<name>.vault.azure.net` under `vault.azure.net`), so that a spoofed host cannot collect a
     * token. Turn it off only for a vault reached by an IP address (a local simulator): an IP
     * address is under no domain, so the check can never pass there. check() refuses `true` for
     * any other host.
     */
    disableChallengeResourceVerification: Type.Boolean({ default: false }),
    /** Deadline of one fetch, token acquisition and retries included. */
    timeout: StoreTimeoutSchema(),
  },
  { additionalProperties: false },
);

export type AzureKeyVaultConfig = Static<typeof AzureKeyVaultSchema>;
export type AzureAuth = AzureKeyVaultConfig['auth'];
