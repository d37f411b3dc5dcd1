import type { AuthorizationAnswer, Context, StatefulAuthorizationCall } from '@cedar-policy/cedar-wasm/nodejs';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type { DecisionInput, Effect } from '../../packages/core/src/index.js';
import { conditionToCedar, globToLike, quote } from './condition.js';
import type { GeneratedPolicy, GeneratedRule } from './policy-generator.js';

/**
 * The generated Countersign policy as a Cedar policy set.
 *
 * Encoding: a `deny` rule is a `forbid`; `allow` and `require_approval` rules are `permit`s. Each policy's id is
 * its rule id (also given as `@id`), so Cedar's determining policies name Countersign rules. Everything a rule
 * looks at travels in the request `context`; principal, action and resource are the same fixed entities in every request. Match globs
 * become `like` patterns, CEL conditions their Cedar equivalents.
 *
 * Cedar's answer maps back onto Countersign's combining rule: any satisfied forbid denies (Cedar agrees); failing
 * that, satisfied `require_approval` permits require approval and satisfied `allow` permits allow; with nothing
 * satisfied Cedar denies without reasons, which here means the policy's default.
 */
export interface CedarPolicySet {
  /** Policy text by policy id (= rule id). */
  readonly policies: Readonly<Record<string, string>>;
  readonly effects: ReadonlyMap<string, Effect>;
  readonly defaultEffect: Effect;
}

export function translateToCedar(policy: GeneratedPolicy): CedarPolicySet {
  return {
    policies: Object.fromEntries(policy.rules.map((rule) => [rule.id, ruleToCedar(rule)])),
    effects: new Map(policy.rules.map((rule) => [rule.id, rule.effect])),
    defaultEffect: policy.defaultEffect,
  };
}

/** The whole set as one Cedar file, for reading. */
export function cedarPolicyText(set: CedarPolicySet): string {
  return `${Object.values(set.policies).join('\n\n')}\n`;
}

function ruleToCedar(rule: GeneratedRule): string {
  const clauses = [
    patternClause('context.action', rule.match.action),
    patternClause('context.environment', rule.match.environment),
    patternClause('context.resource.type', rule.match.resourceType),
    patternClause('context.resource.id', rule.match.resourceId),
    rule.condition && `(${conditionToCedar(rule.condition)})`,
  ].filter((clause): clause is string => clause !== undefined);
  const effect = rule.effect === 'deny' ? 'forbid' : 'permit';
  const when = clauses.length > 0 ? `\nwhen { ${clauses.join(' && ')} }` : '';
  return `@id(${quote(rule.id)})\n${effect} (principal, action, resource)${when};`;
}

function patternClause(subject: string, patterns: readonly string[] | undefined): string | undefined {
  if (!patterns) return undefined;
  const tests = patterns.map((pattern) =>
    pattern.includes('*') ? `${subject} like ${globToLike(pattern)}` : `${subject} == ${quote(pattern)}`,
  );
  return tests.length === 1 ? tests[0] : `(${tests.join(' || ')})`;
}

/**
 * The Cedar request context for an action: what CEL sees, in Cedar's JSON form. Absent labels become `[]` and
 * absent sensitivity and justification `""`, exactly as Countersign's CEL variables default them.
 */
export function cedarContext(input: DecisionInput): Context {
  return {
    action: input.action,
    environment: input.environment,
    resource: {
      type: input.resource.type,
      id: input.resource.id,
      labels: [...(input.resource.labels ?? [])],
      sensitivity: input.resource.sensitivity ?? '',
    },
    params: input.params ?? {},
    justification: input.justification ?? '',
    agent: {
      id: input.agent?.id ?? '',
      owner: input.agent?.owner ?? '',
      labels: [...(input.agent?.labels ?? [])],
    },
  };
}

const principal = { type: 'Agent', id: 'agent' };
const action = { type: 'Action', id: 'decide' };
const resource = { type: 'Resource', id: 'resource' };

/** Countersign's view of a decision, for comparing engines: the effect and the rules that decided it. */
export interface PolicyOutcome {
  readonly effect: Effect;
  /** Deciding rule ids, sorted; empty when the default applied. */
  readonly rules: readonly string[];
}

export interface CedarOutcome extends PolicyOutcome {
  /** Policies that raised an evaluation error (Cedar skips them); the benchmark inputs must raise none. */
  readonly errors: readonly string[];
}

/** A Cedar policy set parsed once into cedar-wasm's cache, then asked per request: Cedar's fastest path. */
export class CedarEngine {
  readonly policySetId: string;
  readonly policySet: CedarPolicySet;

  constructor(policySet: CedarPolicySet, policySetId: string) {
    const parsed = cedar.preparsePolicySet(policySetId, { staticPolicies: { ...policySet.policies } });
    if (parsed.type === 'failure') {
      throw new Error(`Cedar refused the translated policy set: ${parsed.errors.map((e) => e.message).join('; ')}`);
    }
    this.policySetId = policySetId;
    this.policySet = policySet;
  }

  /** The request for an input; built ahead of timing, so Cedar is timed on authorization alone. */
  request(input: DecisionInput): StatefulAuthorizationCall {
    return {
      principal,
      action,
      resource,
      context: cedarContext(input),
      preparsedPolicySetId: this.policySetId,
      entities: [],
    };
  }

  authorize(request: StatefulAuthorizationCall): AuthorizationAnswer {
    return cedar.statefulIsAuthorized(request);
  }

  outcome(answer: AuthorizationAnswer): CedarOutcome {
    if (answer.type === 'failure') {
      throw new Error(`Cedar refused the request: ${answer.errors.map((e) => e.message).join('; ')}`);
    }
    const { decision, diagnostics } = answer.response;
    const errors = diagnostics.errors.map((e) => `${e.policyId}: ${e.error.message}`);
    const satisfied = [...diagnostics.reason].sort();
    if (decision === 'deny') {
      // Reasons on a deny are the satisfied forbids; no reasons means no permit held either.
      return satisfied.length > 0
        ? { effect: 'deny', rules: satisfied, errors }
        : { effect: this.policySet.defaultEffect, rules: [], errors };
    }
    const requiring = satisfied.filter((id) => this.policySet.effects.get(id) === 'require_approval');
    return requiring.length > 0
      ? { effect: 'require_approval', rules: requiring, errors }
      : { effect: 'allow', rules: satisfied, errors };
  }
}

export function cedarVersion(): string {
  return cedar.getCedarVersion();
}
