/** What resolving the config shares: where problems go and how a path is located, and small readers of untyped values. */
import type { StoreRegistry } from '../secrets/registry.js';
import type { Locate } from './validate.js';

export interface ResolveContext {
  file: string;
  env: NodeJS.ProcessEnv;
  locate: Locate;
  /** Pointers whose value came from the environment. */
  sources: Map<string, string>;
  problems: string[];
  registry: StoreRegistry;
}

export function obj(v: unknown): Record<string, any> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, any>) : undefined;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
