import type { Decision, Effect, Requirement } from '../schemas/index.js';
import { type ConditionInput, type ConditionVariables, conditionVariables, evaluateCondition } from './cel.js';
import { type CompiledRule, candidateRules, type Policy } from './load.js';

/** What the decision engine needs to know about an action: the submission and the agent that sent it. */
export type DecisionInput = ConditionInput;

/**
 * Decides what policy says about an action.
 *
 * Combining: any matching `deny` wins; else every matching `require_approval` rule adds its requirement; else any
 * matching `allow` allows; else `defaults.decision`. A `when` condition that raises an error while evaluating
 * (a missing `params` key, a type mismatch on dynamic data) fails closed: the rule counts as matched when it
 * would deny or require approval, and as not matched when it would allow.
 *
 * Only the rules indexed for the action verb are looked at, and conditions are evaluated lazily (allow rules only
 * when nothing stricter matched), so a decision costs a few microseconds even with hundreds of rules.
 *
 * @example
 * const decision = decide(policy, { action: 'data.export', resource: { type: 'dataset', id: 'c', labels: ['pii'] },
 *   environment: 'production', agent: { id: 'etl', owner: 'dave@example.com' } });
 * decision.effect // 'require_approval'
 */
export function decide(policy: Policy, input: DecisionInput, now: Date = new Date()): Decision {
  const candidates = candidateRules(policy, input.action);
  const denies: CompiledRule[] = [];
  const requires: CompiledRule[] = [];
  const allows: CompiledRule[] = [];
  for (const rule of candidates) {
    if (!matchesStatically(rule, input)) continue;
    if (rule.effect === 'deny') denies.push(rule);
    else if (rule.effect === 'require_approval') requires.push(rule);
    else allows.push(rule);
  }
  let variables: ConditionVariables | undefined;
  const holds = (rule: CompiledRule): boolean => {
    if (!rule.condition) return true;
    variables ??= conditionVariables(input, now);
    const result = evaluateCondition(rule.condition, variables);
    return result.error === undefined ? result.value : rule.effect !== 'allow';
  };
  const denied = denies.filter(holds);
  if (denied.length > 0) return combine(policy, 'deny', denied);
  const required = requires.filter(holds);
  if (required.length > 0) return combine(policy, 'require_approval', required);
  const allowed = allows.filter(holds);
  if (allowed.length > 0) return combine(policy, 'allow', allowed);
  return defaultDecision(policy);
}

/** How one rule fared against an action, for `policy explain`. */
export interface RuleExplanation {
  rule: string;
  effect: Effect;
  matched: boolean;
  /** Why it matched or not, in words: the first failing match clause, or the condition's result or error. */
  why: string;
  /** The condition's error, when it raised one (and so failed closed). */
  error?: string;
}

export interface Explanation {
  decision: Decision;
  /** Every rule in policy order, matched or not and why. */
  considered: RuleExplanation[];
}

/**
 * Like {@link decide}, but looks at every rule and says why each matched or not. Slower; for people and scripts
 * (`countersign policy explain`), not the request path. Always agrees with `decide`.
 */
export function explain(policy: Policy, input: DecisionInput, now: Date = new Date()): Explanation {
  const variables = conditionVariables(input, now);
  const considered = policy.rules.map((rule): RuleExplanation => {
    const mismatch = staticMismatch(rule, input);
    if (mismatch) return { rule: rule.id, effect: rule.effect, matched: false, why: mismatch };
    if (!rule.condition)
      return { rule: rule.id, effect: rule.effect, matched: true, why: 'match clauses hold; no condition' };
    const result = evaluateCondition(rule.condition, variables);
    if (result.error !== undefined) {
      const matched = rule.effect !== 'allow';
      return {
        rule: rule.id,
        effect: rule.effect,
        matched,
        why: `when \`${rule.when}\` raised an error, so it fails closed: ${matched ? 'counted as matched' : 'not matched'} (a ${rule.effect} rule)`,
        error: result.error,
      };
    }
    return {
      rule: rule.id,
      effect: rule.effect,
      matched: result.value,
      why: `when \`${rule.when}\` is ${result.value}`,
    };
  });
  const matchedOf = (effect: Effect) =>
    policy.rules.filter((rule, i) => rule.effect === effect && considered[i]?.matched === true);
  const denied = matchedOf('deny');
  const required = matchedOf('require_approval');
  const allowed = matchedOf('allow');
  const decision = denied.length
    ? combine(policy, 'deny', denied)
    : required.length
      ? combine(policy, 'require_approval', required)
      : allowed.length
        ? combine(policy, 'allow', allowed)
        : defaultDecision(policy);
  return { decision, considered };
}

function matchesStatically(rule: CompiledRule, input: DecisionInput): boolean {
  const { match } = rule;
  return (
    (match.action === undefined || match.action.matches(input.action)) &&
    (match.environment === undefined || match.environment.matches(input.environment)) &&
    (match.resourceType === undefined || match.resourceType.matches(input.resource.type)) &&
    (match.resourceId === undefined || match.resourceId.matches(input.resource.id))
  );
}

function staticMismatch(rule: CompiledRule, input: DecisionInput): string | undefined {
  const clauses = [
    ['action', rule.match.action, input.action],
    ['environment', rule.match.environment, input.environment],
    ['resource.type', rule.match.resourceType, input.resource.type],
    ['resource.id', rule.match.resourceId, input.resource.id],
  ] as const;
  for (const [name, patterns, value] of clauses) {
    if (patterns && !patterns.matches(value)) {
      return `${name} "${value}" does not match ${patterns.patterns.map((p) => `"${p}"`).join(', ')}`;
    }
  }
  return undefined;
}

function combine(policy: Policy, effect: Effect, rules: readonly CompiledRule[]): Decision {
  const requirements: Requirement[] = [];
  const notify: string[] = [];
  let timeoutMs = Number.POSITIVE_INFINITY;
  let grantTtlMs = Number.POSITIVE_INFINITY;
  let requireJustification = false;
  for (const rule of rules) {
    if (rule.requirement) requirements.push(rule.requirement);
    for (const target of rule.notify) if (!notify.includes(target)) notify.push(target);
    timeoutMs = Math.min(timeoutMs, rule.timeoutMs);
    grantTtlMs = Math.min(grantTtlMs, rule.grantTtlMs);
    requireJustification ||= rule.requireJustification;
  }
  return {
    effect,
    rules: rules.map((rule) => rule.id),
    reason: reasonFor(effect, rules),
    policyVersion: policy.version,
    requirements,
    timeoutMs,
    grantTtlMs,
    requireJustification: effect === 'deny' ? false : requireJustification,
    notify: effect === 'deny' ? [] : notify,
  };
}

function defaultDecision(policy: Policy): Decision {
  const { defaults } = policy;
  return {
    effect: defaults.effect,
    rules: [],
    reason: `no rule matched; the default decision (${defaults.effect}) applies`,
    policyVersion: policy.version,
    requirements: defaults.requirement ? [defaults.requirement] : [],
    timeoutMs: defaults.timeoutMs,
    grantTtlMs: defaults.grantTtlMs,
    requireJustification: defaults.effect === 'deny' ? false : defaults.requireJustification,
    notify: defaults.effect === 'deny' ? [] : [...defaults.notify],
  };
}

const verbs: Record<Effect, string> = {
  deny: 'denied by',
  require_approval: 'approval required by',
  allow: 'allowed by',
};

function reasonFor(effect: Effect, rules: readonly CompiledRule[]): string {
  const given = rules.map((rule) => rule.reason).filter((reason): reason is string => Boolean(reason));
  if (given.length > 0) return [...new Set(given)].join('; ');
  return `${verbs[effect]} rule${rules.length > 1 ? 's' : ''} ${rules.map((rule) => rule.id).join(', ')}`;
}
