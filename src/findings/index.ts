/**
 * Findings: SageMaker's known misconfigurations, judged from the crawl's own records.
 *
 * ```ts
 * const findings = new FindingsEvaluator();          // defaultRules()
 * for (const record of records) findings.observe(record);
 * const result = findings.finish({ completedScopes: completedScopesOf(crawlResult) });
 * for (const r of findingRecords(result)) sink.write(r);
 * ```
 */
export { FindingsEvaluator, evaluate, findingRecords, type EvaluatorStats, type FinishOptions } from './evaluator.js';
export { findingId } from './ids.js';
export { RuleRegistry, defaultRules } from './registry.js';
export { completedScopesOf } from './scopes.js';
export * from './types.js';
