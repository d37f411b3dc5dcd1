import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { parseDuration } from '../duration/index.js';
import type { Effect, Requirement } from '../schemas/index.js';
import { type CompiledCondition, compileCondition } from './cel.js';
import { compilePatterns, type PatternSet } from './glob.js';
import { type ApprovalSettings, type PolicyFile, type PolicyTest, policyFileSchema } from './schema.js';
import { PolicyError, type PolicyIssue, type PolicyPath, PolicySource } from './source.js';

/** Built-in fallbacks when neither a rule nor `defaults.approval` says. */
const fallback = { quorum: 1, timeoutMs: 3_600_000, grantTtlMs: 300_000 } as const;

/** What a deciding rule contributes beyond its effect. */
export interface RuleTerms {
  timeoutMs: number;
  grantTtlMs: number;
  requireJustification: boolean;
  notify: readonly string[];
}

/** One rule, ready to evaluate. */
export interface CompiledRule extends RuleTerms {
  /** Position in the file (policy order). */
  readonly index: number;
  readonly id: string;
  readonly effect: Effect;
  readonly description: string | undefined;
  readonly reason: string | undefined;
  readonly match: {
    readonly action: PatternSet | undefined;
    readonly environment: PatternSet | undefined;
    readonly resourceType: PatternSet | undefined;
    readonly resourceId: PatternSet | undefined;
  };
  readonly when: string | undefined;
  readonly condition: CompiledCondition | undefined;
  /** For `require_approval` rules: who must approve and how many. */
  readonly requirement: Requirement | undefined;
}

/** A loaded policy. Immutable; the server swaps a whole new one in on reload. */
export interface Policy {
  /** `sha256:` of the policy text, recorded in every decision. */
  readonly version: string;
  readonly file: string;
  readonly defaults: RuleTerms & { readonly effect: Effect; readonly requirement: Requirement | undefined };
  /** Static group members from the file (identity-provider groups merge in at the server). */
  readonly groups: ReadonlyMap<string, readonly string[]>;
  readonly rules: readonly CompiledRule[];
  readonly tests: readonly LocatedPolicyTest[];
  readonly warnings: readonly PolicyIssue[];
  /** The rules that can match an action verb, in policy order (see {@link candidateRules}). */
  readonly byAction: ReadonlyMap<string, readonly CompiledRule[]>;
  readonly anyAction: readonly CompiledRule[];
}

export interface LocatedPolicyTest extends PolicyTest {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/**
 * Loads a policy from its YAML text: parses, validates, type-checks every CEL condition and indexes the rules.
 * Throws {@link PolicyError} (code `policy_invalid`) listing every problem at file:line:column; nothing partial
 * is ever returned, so a caller keeps its last good policy.
 *
 * @example
 * const policy = loadPolicy(await readFile('policy.yaml', 'utf8'), { file: 'policy.yaml' });
 */
export function loadPolicy(text: string, options: { file?: string } = {}): Policy {
  const source = new PolicySource(text, options.file ?? '<policy>');
  if (source.hasErrors) throw new PolicyError(source.issues);

  const raw: unknown = source.document.toJS() ?? {};
  const parsed = policyFileSchema.safeParse(raw);
  if (!parsed.success) {
    reportSchemaIssues(source, parsed.error.issues);
    checkConditionsOf(source, raw);
    throw new PolicyError(sortIssues(source.issues));
  }
  const policy = compile(source, parsed.data);
  if (source.hasErrors) throw new PolicyError(sortIssues(source.issues));
  return policy;
}

/** The rules that may match `action`: exact-verb rules from the index plus every wildcard rule, in policy order. */
export function candidateRules(policy: Policy, action: string): readonly CompiledRule[] {
  return policy.byAction.get(action) ?? policy.anyAction;
}

function compile(source: PolicySource, file: PolicyFile): Policy {
  const groups = new Map(Object.entries(file.groups));
  const defaultsPath = ['defaults', 'approval'];
  const defaultApproval = file.defaults.approval;
  const defaultTerms = terms(source, defaultsPath, defaultApproval, undefined);
  checkGroups(source, groups, defaultsPath, defaultApproval);

  let defaultRequirement: Requirement | undefined;
  if (file.defaults.decision === 'require_approval') {
    if (!defaultApproval.approvers) {
      source.report(
        'error',
        ['defaults'],
        'the default decision is require_approval, so defaults.approval.approvers must name who approves',
      );
    } else {
      defaultRequirement = requirement('default', defaultApproval, undefined, defaultTerms.timeoutMs);
      checkEscalation(source, defaultsPath, defaultRequirement, defaultTerms.timeoutMs);
    }
  }

  const seen = new Map<string, number>();
  const rules: CompiledRule[] = [];
  file.rules.forEach((rule, index) => {
    const path = ['rules', index];
    const earlier = seen.get(rule.id);
    if (earlier !== undefined) {
      source.report('error', [...path, 'id'], `rule id "${rule.id}" is already used by rule ${earlier + 1}`);
    }
    seen.set(rule.id, index);

    const approval = rule.approval;
    if (approval && rule.decision === 'deny') {
      source.report('error', [...path, 'approval'], 'a deny rule takes no approval settings');
    }
    if (approval && rule.decision === 'allow') {
      for (const key of Object.keys(approval)) {
        if (key !== 'grantTtl') {
          source.report('error', [...path, 'approval', key], `an allow rule takes only approval.grantTtl, not ${key}`);
        }
      }
    }
    const ruleTerms = terms(source, [...path, 'approval'], approval, defaultApproval);
    let ruleRequirement: Requirement | undefined;
    if (rule.decision === 'require_approval') {
      if (!(approval?.approvers ?? defaultApproval.approvers)) {
        source.report(
          'error',
          path,
          `rule ${rule.id} requires approval but names no approvers and defaults.approval.approvers is not set`,
        );
      } else {
        ruleRequirement = requirement(rule.id, approval ?? {}, defaultApproval, ruleTerms.timeoutMs);
        checkEscalation(source, [...path, 'approval'], ruleRequirement, ruleTerms.timeoutMs);
      }
      checkGroups(source, groups, [...path, 'approval'], approval ?? {});
      if (ruleRequirement) checkQuorum(source, groups, [...path, 'approval'], ruleRequirement);
    }

    const condition = rule.when === undefined ? undefined : compileWhen(source, index, rule.when);

    rules.push({
      index,
      id: rule.id,
      effect: rule.decision,
      description: rule.description,
      reason: rule.reason,
      match: {
        action: rule.match.action === undefined ? undefined : compilePatterns(rule.match.action),
        environment: rule.match.environment === undefined ? undefined : compilePatterns(rule.match.environment),
        resourceType: rule.match.resource?.type === undefined ? undefined : compilePatterns(rule.match.resource.type),
        resourceId: rule.match.resource?.id === undefined ? undefined : compilePatterns(rule.match.resource.id),
      },
      when: rule.when,
      condition,
      requirement: ruleRequirement,
      ...ruleTerms,
    });
  });

  const tests = file.tests.map((test, index): LocatedPolicyTest => {
    for (const [i, id] of (test.expect.rules ?? []).entries()) {
      if (!seen.has(id)) source.report('error', ['tests', index, 'expect', 'rules', i], `no rule has id "${id}"`);
    }
    return { ...test, file: source.file, ...source.positionOf(['tests', index]) };
  });

  const { byAction, anyAction } = indexRules(rules);
  return {
    version: `sha256:${createHash('sha256').update(source.text, 'utf8').digest('hex')}`,
    file: source.file,
    defaults: { effect: file.defaults.decision, requirement: defaultRequirement, ...defaultTerms },
    groups,
    rules,
    tests,
    warnings: source.issues.filter((issue) => issue.severity === 'warning'),
    byAction,
    anyAction,
  };
}

function terms(
  source: PolicySource,
  path: PolicyPath,
  own: ApprovalSettings | undefined,
  defaults: ApprovalSettings | undefined,
): RuleTerms {
  const duration = (key: 'timeout' | 'grantTtl', fallbackMs: number): number => {
    const text = own?.[key] ?? defaults?.[key];
    return text === undefined ? fallbackMs : parseDurationAt(source, [...path, key], text, fallbackMs);
  };
  return {
    timeoutMs: duration('timeout', fallback.timeoutMs),
    grantTtlMs: duration('grantTtl', fallback.grantTtlMs),
    requireJustification: own?.requireJustification ?? defaults?.requireJustification ?? false,
    notify: own?.notify ?? defaults?.notify ?? [],
  };
}

function requirement(
  rule: string,
  own: ApprovalSettings,
  defaults: ApprovalSettings | undefined,
  timeoutMs: number,
): Requirement {
  const escalate = own.escalate ?? defaults?.escalate;
  const escalateAfter = escalate ? parseDuration(escalate.after) : undefined;
  return {
    rule,
    groups: own.approvers ?? defaults?.approvers ?? [],
    quorum: own.quorum ?? defaults?.quorum ?? fallback.quorum,
    ...(escalate &&
      escalateAfter !== undefined &&
      escalateAfter < timeoutMs && { escalate: { afterMs: escalateAfter, to: escalate.to } }),
  };
}

function checkEscalation(source: PolicySource, path: PolicyPath, req: Requirement, timeoutMs: number): void {
  const node = source.document.getIn([...path, 'escalate', 'after']);
  if (typeof node === 'string' && !req.escalate && parseDuration(node) >= timeoutMs) {
    source.report(
      'error',
      [...path, 'escalate', 'after'],
      `escalation after ${node} would never happen: the request times out first`,
    );
  }
}

function checkGroups(
  source: PolicySource,
  groups: ReadonlyMap<string, readonly string[]>,
  path: PolicyPath,
  approval: ApprovalSettings,
): void {
  for (const [key, names] of [
    ['approvers', approval.approvers],
    ['escalate', approval.escalate?.to],
  ] as const) {
    for (const [i, group] of (names ?? []).entries()) {
      if (!groups.has(group)) {
        const at = key === 'approvers' ? [...path, 'approvers', i] : [...path, 'escalate', 'to', i];
        source.report(
          'warning',
          at,
          `group "${group}" has no static members in this file; it must come from the identity provider`,
        );
      }
    }
  }
}

function checkQuorum(
  source: PolicySource,
  groups: ReadonlyMap<string, readonly string[]>,
  path: PolicyPath,
  req: Requirement,
): void {
  if (!req.groups.every((group) => groups.has(group))) return;
  const members = new Set(req.groups.flatMap((group) => groups.get(group) ?? []));
  if (members.size < req.quorum) {
    source.report(
      'warning',
      [...path, 'quorum'],
      `quorum ${req.quorum} but groups ${req.groups.join(', ')} list only ${members.size} distinct member(s) here`,
    );
  }
}

function parseDurationAt(source: PolicySource, path: PolicyPath, text: string, fallbackMs: number): number {
  try {
    return parseDuration(text);
  } catch (error) {
    source.report('error', path, error instanceof Error ? error.message : String(error));
    return fallbackMs;
  }
}

function indexRules(rules: readonly CompiledRule[]): {
  byAction: Map<string, CompiledRule[]>;
  anyAction: CompiledRule[];
} {
  const anyAction = rules.filter(
    (rule) => !rule.match.action || rule.match.action.exact.length < rule.match.action.patterns.length,
  );
  const byAction = new Map<string, CompiledRule[]>();
  for (const rule of rules) {
    for (const verb of rule.match.action?.exact ?? []) {
      if (!byAction.has(verb)) byAction.set(verb, []);
      byAction.get(verb)?.push(rule);
    }
  }
  for (const [verb, exact] of byAction) {
    // Only the wildcard rules that can match this verb join its list; a verb no rule names exactly falls back to
    // every wildcard rule (see candidateRules).
    const wildcards = anyAction.filter((rule) => !rule.match.action || rule.match.action.matches(verb));
    byAction.set(
      verb,
      [...new Set([...exact, ...wildcards])].sort((a, b) => a.index - b.index),
    );
  }
  return { byAction, anyAction };
}

/** When the file fails validation, still type-check every condition, so one run shows every problem. */
function checkConditionsOf(source: PolicySource, raw: unknown): void {
  const rules = (raw as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(rules)) return;
  rules.forEach((rule: unknown, index) => {
    const when = (rule as { when?: unknown } | null)?.when;
    if (typeof when === 'string' && when !== '') compileWhen(source, index, when);
  });
}

/** Compiles rule `index`'s condition, reporting any CEL error at the character it is about. */
function compileWhen(source: PolicySource, index: number, when: string): CompiledCondition | undefined {
  const compiled = compileCondition(when);
  if (compiled.ok) return compiled.evaluate;
  source.reportInScalar('error', ['rules', index, 'when'], compiled.offset, compiled.message);
  return undefined;
}

function reportSchemaIssues(source: PolicySource, issues: readonly z.core.$ZodIssue[]): void {
  for (const issue of issues) {
    const path = issue.path.filter((key): key is string | number => typeof key !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) source.reportKey('error', [...path, key], `unknown key "${key}"`);
    } else if (issue.code === 'invalid_union') {
      source.report('error', path, `${label(path)}: ${unionMessage(issue)}`);
    } else {
      source.report('error', path, `${label(path)}: ${issue.message}`);
    }
  }
}

function unionMessage(issue: z.core.$ZodIssueInvalidUnion): string {
  const messages = issue.errors.flat().map((inner) => inner.message);
  return [...new Set(messages)].join('; or ') || issue.message;
}

function label(path: PolicyPath): string {
  return path.length === 0 ? 'policy' : path.join('.');
}

function sortIssues(issues: PolicyIssue[]): PolicyIssue[] {
  return [...issues].sort((a, b) => a.line - b.line || a.column - b.column);
}
