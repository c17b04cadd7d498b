/**
 * What a reference means to Key Vault: the name is a secret name (1-127 letters, digits and
 * dashes, as Key Vault allows), the version one of its 32-hex-digit version IDs.
 */

const NAME = /^[0-9A-Za-z-]{1,127}$/;
const VERSION = /^[0-9a-fA-F]{32}$/;

/** What the reference says, or undefined when its syntax is fine for Key Vault. */
export function referenceProblem(name: string, version: string | undefined): string | undefined {
  if (!NAME.test(name)) return 'a Key Vault secret name is 1-127 characters of A-Z a-z 0-9 and "-" (just the name, not the secret\'s URL)';
  if (version !== undefined && !VERSION.test(version))
    return 'the version must be a Key Vault secret version ID: 32 hexadecimal digits, as in the secret identifier https://<vault>.vault.azure.net/secrets/<name>/<version>';
  return undefined;
}
