/**
 * What one (region, type) scope of a crawl works with and reports: shared by the scope runner
 * (scope.ts), its workers (workers.ts) and its paging (paging.ts).
 */
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { Caller } from './caller.js';
import type { CrawlTuning, Scope } from './descriptor.js';
import type { GraphEmitter } from './emitter.js';

/** The outcome of one (region, type) scope. A failed scope is reported as failed, never as empty. */
export interface ScopeResult {
  region: string;
  type: string;
  status: 'completed' | 'failed';
  /** `search`: Search fast path reconciled with List; `list`: List + Describe. */
  mode: 'search' | 'list';
  /** Resources emitted by this scope. */
  resources: number;
  /** Listed resources that were gone by the time they were described. */
  skipped: number;
  error?: { operation: string; code: string; kind: string; message: string };
  /** Resources left out because their response was malformed (first few). */
  warnings?: string[];
}

/** What a scope shares with the rest of its region's crawl. */
export interface RegionState {
  /** Set once Search was refused in this region, so later scopes go straight to List. */
  searchDenied: boolean;
  /** Enrichments AWS refused in this region (access denied): not tried again, named in each scope's warnings. */
  deniedEnrichments: Set<string>;
}

/** A fresh region state. */
export const newRegionState = (): RegionState => ({ searchDenied: false, deniedEnrichments: new Set() });

export interface ScopeContext {
  scope: Scope;
  client: SageMakerClient;
  caller: Caller;
  emitter: GraphEmitter;
  region: RegionState;
  useSearch: boolean;
  tuning: CrawlTuning;
  /** Describe workers per scope (the adaptive limiter bounds what is actually in flight). */
  workers: number;
  pageSize: number;
  /** Aborted when the whole crawl must stop (fatal credentials error, cancel). */
  signal: AbortSignal;
}
