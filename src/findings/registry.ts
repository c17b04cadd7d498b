/**
 * The explicit registry of findings rules. Adding a rule is one entry in its group's file under
 * `rules/`; adding a group is one file and one line in {@link defaultRules}.
 */
import { accountRules } from './rules/account.js';
import { hostingRules } from './rules/hosting.js';
import { modelRules } from './rules/models.js';
import { monitoringRules } from './rules/monitoring.js';
import { notebookRules } from './rules/notebooks.js';
import { processingRules } from './rules/processing.js';
import { studioRules } from './rules/studio.js';
import { trainingRules } from './rules/training.js';
import { SEVERITIES, type Rule } from './types.js';

const RULE_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export class RuleRegistry {
  private readonly rules = new Map<string, Rule>();

  /** Add a rule; a second rule with the same id, or a malformed one, is a programming error. */
  register(rule: Rule): this {
    if (this.rules.has(rule.id)) throw new Error(`findings rule "${rule.id}" is registered twice`);
    if (!RULE_ID.test(rule.id)) throw new Error(`findings rule id "${rule.id}" is not kebab-case`);
    if (!SEVERITIES.includes(rule.severity)) throw new Error(`findings rule "${rule.id}" has unknown severity "${rule.severity}"`);
    if (rule.kind === 'resource') {
      const names = (rule.edgeFacts ?? []).map((f) => f.name);
      if (new Set(names).size !== names.length) throw new Error(`findings rule "${rule.id}" names an edge fact twice`);
      for (const f of rule.edgeFacts ?? [])
        if (f.to && f.to.reads.length === 0)
          throw new Error(
            `findings rule "${rule.id}" tests the target of "${f.name}" without reading any property (no record would be evidence)`,
          );
      for (const a of rule.affects ?? [])
        if (!rule.edgeFacts?.some((f) => f.name === a && f.to))
          throw new Error(`findings rule "${rule.id}" affects "${a}", which is not an edge fact with a target`);
    }
    this.rules.set(rule.id, Object.freeze(rule));
    return this;
  }

  /** Add several rules, in order. */
  registerAll(rules: Iterable<Rule>): this {
    for (const r of rules) this.register(r);
    return this;
  }

  get(id: string): Rule | undefined {
    return this.rules.get(id);
  }

  /** Every rule, in registration order. */
  all(): Rule[] {
    return [...this.rules.values()];
  }
}

/** Every rule the agent ships. */
export function defaultRules(): RuleRegistry {
  return new RuleRegistry()
    .registerAll(notebookRules)
    .registerAll(trainingRules)
    .registerAll(processingRules)
    .registerAll(modelRules)
    .registerAll(hostingRules)
    .registerAll(monitoringRules)
    .registerAll(studioRules)
    .registerAll(accountRules);
}
