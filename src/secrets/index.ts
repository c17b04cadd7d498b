export { classifyStoreFailure, OUTAGE_KINDS, SecretStoreError, secretLabel, type SecretErrorKind } from './errors.js';
export {
  defineStore,
  STORE_RETRY,
  type DefinedStoreProvider,
  type Failure,
  type StoreCall,
  type StoreDefinition,
  type StoreParts,
  type StoreSession,
} from './pipeline.js';
export { formatSecretRef, parseSecretRef, STORE_NAME_PATTERN, type RefInput } from './ref.js';
export { defaultRegistry, StoreRegistry } from './registry.js';
export { SecretResolver, type ResolutionObserver, type ResolutionOutcome, type ResolveOptions, type ResolverStore } from './resolver.js';
export type {
  FetchedSecret,
  SecretRef,
  SecretStore,
  SecretStoreProvider,
  StoreCallOptions,
  StoreConfigProblem,
  StoreDeps,
} from './types.js';
