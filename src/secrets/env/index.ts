/**
 * `type: env` — secrets from the agent's environment variables: the reference's name is the
 * variable's name. For the simplest deployments (a Kubernetes Secret mapped to env vars).
 */
import { Type } from '@sinclair/typebox';
import { SecretStoreError } from '../errors.js';
import type { SecretStoreProvider } from '../types.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,255}$/;

export const envStoreProvider: SecretStoreProvider<Record<string, never>> = {
  type: 'env',
  description: "the agent's environment variables; the secret name is the variable name",
  schema: Type.Object({}, { additionalProperties: false }),
  checkRef: (ref) => {
    if (!ENV_NAME.test(ref.name)) return 'an env store secret name is an environment variable name (letters, digits, "_")';
    if (ref.version) return 'environment variables have no versions';
    return undefined;
  },
  create: (name, _config, deps) => ({
    name,
    type: 'env',
    async fetch(variable) {
      const value = deps.env[variable];
      if (value === undefined || value === '')
        throw new SecretStoreError('not_found', name, variable, `environment variable ${variable} is not set`, {
          storeType: 'env',
          hint: `Set ${variable} in the agent's environment (e.g. from a Kubernetes Secret).`,
        });
      return { value: value.trim() };
    },
    async health() {},
    async close() {},
  }),
};
