import type { Effect } from '../../packages/core/src/index.js';
import { SeededRandom } from '../seeded-random.js';
import { type ComparisonOperator, type Condition, conditionToCel } from './condition.js';
import {
  agentLabels,
  allVerbs,
  approverGroups,
  environmentGlobs,
  environments,
  isNumericParam,
  isStringParam,
  numericParams,
  resourceIdGlobs,
  resourceIdPrefixes,
  resourceLabels,
  sensitivities,
  stringParams,
  type VerbFamily,
  verbFamilies,
} from './vocabulary.js';

/** One generated rule: what the YAML says, with its condition kept as a tree for the Cedar translation. */
export interface GeneratedRule {
  readonly id: string;
  readonly effect: Effect;
  /** Countersign match globs; an absent clause matches everything. */
  readonly match: {
    readonly action?: readonly string[];
    readonly environment?: readonly string[];
    readonly resourceType?: readonly string[];
    readonly resourceId?: readonly string[];
  };
  readonly condition: Condition | undefined;
  readonly reason: string | undefined;
  /** Approval settings as YAML flow-mapping entries; they shape the decision's terms, not its effect. */
  readonly approval: readonly string[] | undefined;
}

export interface GeneratedPolicy {
  readonly seed: number;
  readonly rules: readonly GeneratedRule[];
  /** What applies when no rule matches: require_approval, as Countersign's fail-closed default. */
  readonly defaultEffect: Effect;
  /** The policy file Countersign loads. */
  readonly yaml: string;
}

export interface PolicyShape {
  rules: number;
  withCondition: number;
  effects: Record<Effect, number>;
  /** Distinct verbs rules name exactly (wildcard rules reach more). */
  verbsNamed: number;
  wildcardActionRules: number;
}

/**
 * Generates a realistic policy of `ruleCount` rules over the benchmark vocabulary: mostly rules for one verb,
 * some for a verb family (`data.*`), a verb suffix (`*.delete`) or every action; environment lists and globs
 * (`prod*`); resource types and id globs; and, for most rules, a CEL condition of one to three tests.
 */
export function generatePolicy({ seed, ruleCount = 200 }: { seed: number; ruleCount?: number }): GeneratedPolicy {
  const random = new SeededRandom(seed);
  const rules = Array.from({ length: ruleCount }, (_, index) => generateRule(random, index));
  const defaultEffect: Effect = 'require_approval';
  return { seed, rules, defaultEffect, yaml: renderPolicyYaml(seed, rules, defaultEffect) };
}

export function describePolicy(policy: GeneratedPolicy): PolicyShape {
  const effects: Record<Effect, number> = { allow: 0, deny: 0, require_approval: 0 };
  for (const rule of policy.rules) effects[rule.effect]++;
  const exactVerbs = policy.rules.flatMap((rule) => rule.match.action?.filter((p) => !p.includes('*')) ?? []);
  return {
    rules: policy.rules.length,
    withCondition: policy.rules.filter((rule) => rule.condition !== undefined).length,
    effects,
    verbsNamed: new Set(exactVerbs).size,
    wildcardActionRules: policy.rules.filter(
      (rule) => !rule.match.action || rule.match.action.some((p) => p.includes('*')),
    ).length,
  };
}

/** Verb endings several families share (`delete`, `deploy`, `scale`): a `*.delete` rule spans families. */
const sharedVerbEndings = (() => {
  const counts = new Map<string, number>();
  for (const verb of allVerbs) {
    const ending = verb.slice(verb.indexOf('.') + 1);
    counts.set(ending, (counts.get(ending) ?? 0) + 1);
  }
  return [...counts].filter(([, count]) => count > 1).map(([ending]) => ending);
})();

function generateRule(random: SeededRandom, index: number): GeneratedRule {
  const family = random.pick(verbFamilies);
  const number = String(index + 1).padStart(3, '0');
  const { action, stem } = generateActionMatch(random, family);
  const environment = generateEnvironmentMatch(random);
  const resourceType = random.chance(0.25)
    ? random.sample(family.resourceTypes, random.int(1, Math.min(2, family.resourceTypes.length)))
    : undefined;
  const resourceId = random.chance(0.06) ? [random.pick(resourceIdGlobs)] : undefined;
  const effect = random.weighted<Effect>([
    ['deny', 20],
    ['require_approval', 45],
    ['allow', 35],
  ]);
  const condition = random.chance(0.88) ? generateCondition(random, family) : undefined;
  const id = `${stem}-${number}`;
  return {
    id,
    effect,
    match: {
      ...(action && { action }),
      ...(environment && { environment }),
      ...(resourceType && { resourceType }),
      ...(resourceId && { resourceId }),
    },
    condition,
    reason: effect === 'deny' ? `Rule ${id} blocks this for automation` : undefined,
    approval: generateApproval(random, effect),
  };
}

function generateActionMatch(random: SeededRandom, family: VerbFamily): { action?: string[]; stem: string } {
  const shape = random.weighted([
    ['verb', 66],
    ['verbs', 12],
    ['family', 14],
    ['ending', 5],
    ['any', 3],
  ] as const);
  switch (shape) {
    case 'verb': {
      const verb = random.pick(family.verbs);
      return { action: [verb], stem: slug(verb) };
    }
    case 'verbs': {
      const verbs = random.sample(family.verbs, 2);
      return { action: verbs, stem: `${slug(verbs[0] ?? family.name)}-and-more` };
    }
    case 'family':
      return { action: [`${family.name}.*`], stem: `${family.name}-any` };
    case 'ending': {
      const ending = random.pick(sharedVerbEndings);
      return { action: [`*.${ending}`], stem: `any-${slug(ending)}` };
    }
    case 'any':
      return { stem: 'every-action' };
  }
}

function generateEnvironmentMatch(random: SeededRandom): string[] | undefined {
  const shape = random.weighted([
    ['none', 40],
    ['list', 30],
    ['glob', 20],
    ['production', 10],
  ] as const);
  switch (shape) {
    case 'none':
      return undefined;
    case 'list':
      return random.sample(environments, random.int(1, 3));
    case 'glob':
      return random.chance(0.5)
        ? [random.pick(environmentGlobs)]
        : [random.pick(environmentGlobs), random.pick(environments)];
    case 'production':
      return ['production'];
  }
}

function generateCondition(random: SeededRandom, family: VerbFamily): Condition {
  const test = () => generateTest(random, family);
  const shape = random.weighted([
    ['one', 45],
    ['and', 25],
    ['or', 15],
    ['and-or', 10],
    ['and-not', 5],
  ] as const);
  switch (shape) {
    case 'one':
      return test();
    case 'and':
      return { kind: 'all', operands: [test(), test()] };
    case 'or':
      return { kind: 'any', operands: [test(), test()] };
    case 'and-or':
      return { kind: 'all', operands: [test(), { kind: 'any', operands: [test(), test()] }] };
    case 'and-not':
      return { kind: 'all', operands: [test(), { kind: 'not', operand: test() }] };
  }
}

/** One leaf test: mostly over the family's parameters, otherwise over the resource, agent or environment. */
function generateTest(random: SeededRandom, family: VerbFamily): Condition {
  const kind = random.weighted([
    ['param', 55],
    ['resourceLabel', 15],
    ['sensitivityIs', 8],
    ['agentLabel', 7],
    ['environmentIs', 6],
    ['justified', 5],
    ['resourceIdStartsWith', 4],
  ] as const);
  switch (kind) {
    case 'resourceLabel':
      return { kind, label: random.pick(resourceLabels) };
    case 'sensitivityIs':
      return { kind, value: random.pick(sensitivities) };
    case 'agentLabel':
      return { kind, label: random.pick(agentLabels) };
    case 'environmentIs':
      return { kind, value: random.weighted([...environments.map((e) => [e, 1] as const), ['production', 4]]) };
    case 'justified':
      return { kind };
    case 'resourceIdStartsWith':
      return { kind, prefix: random.pick(resourceIdPrefixes) };
    case 'param':
      return generateParamTest(random, family);
  }
}

function generateParamTest(random: SeededRandom, family: VerbFamily): Condition {
  const key = random.pick(family.params);
  if (isNumericParam(key)) {
    const op = random.weighted<ComparisonOperator>([
      ['>', 5],
      ['>=', 2],
      ['<', 2],
      ['<=', 1],
    ]);
    return { kind: 'paramCompare', key, op, value: random.pick(numericParams[key].thresholds) };
  }
  if (isStringParam(key)) {
    const { values, prefixes } = stringParams[key];
    const shape = random.weighted([
      ['equals', 50],
      ['in', 30],
      ['startsWith', prefixes.length > 0 ? 20 : 0],
    ] as const);
    if (shape === 'equals') return { kind: 'paramEquals', key, value: random.pick(values) };
    if (shape === 'in') return { kind: 'paramIn', key, values: random.sample(values, random.int(2, 3)) };
    return { kind: 'paramStartsWith', key, prefix: random.pick<string>(prefixes) };
  }
  return { kind: 'paramFlag', key };
}

function generateApproval(random: SeededRandom, effect: Effect): string[] | undefined {
  if (effect === 'require_approval' && random.chance(0.5)) {
    const groups = random.sample(Object.keys(approverGroups), random.int(1, 2));
    const settings = [
      `approvers: [${groups.map((group) => JSON.stringify(group)).join(', ')}]`,
      `quorum: ${random.int(1, 2)}`,
      `timeout: ${random.pick(['15m', '30m', '1h', '2h'])}`,
    ];
    if (random.chance(0.3)) settings.push(`notify: ["slack:#${groups[0] ?? 'approvals'}"]`);
    return settings;
  }
  if (effect === 'allow' && random.chance(0.15)) return [`grantTtl: ${random.pick(['2m', '15m'])}`];
  return undefined;
}

function slug(text: string): string {
  return text.replaceAll(/[._]/g, '-');
}

function renderPolicyYaml(seed: number, rules: readonly GeneratedRule[], defaultEffect: Effect): string {
  const lines = [
    `# Generated by bench/policy (seed ${seed}): a ${rules.length}-rule policy for the decision benchmark.`,
    'version: 1',
    `description: ${JSON.stringify(`Benchmark policy, seed ${seed}`)}`,
    'defaults:',
    `  decision: ${defaultEffect}`,
    '  approval: { approvers: ["platform-oncall"], quorum: 1, timeout: 1h, grantTtl: 5m }',
    'groups:',
    ...Object.entries(approverGroups).map(
      ([group, members]) => `  ${JSON.stringify(group)}: [${members.map((m) => JSON.stringify(m)).join(', ')}]`,
    ),
    'rules:',
  ];
  for (const rule of rules) {
    lines.push(`  - id: ${rule.id}`);
    const match = renderMatch(rule.match);
    if (match) lines.push(`    match: ${match}`);
    // Single-quoted YAML keeps CEL's double-quoted strings readable; a single quote would be doubled.
    if (rule.condition) lines.push(`    when: '${conditionToCel(rule.condition).replaceAll("'", "''")}'`);
    lines.push(`    decision: ${rule.effect}`);
    if (rule.reason) lines.push(`    reason: ${JSON.stringify(rule.reason)}`);
    if (rule.approval) lines.push(`    approval: { ${rule.approval.join(', ')} }`);
  }
  return `${lines.join('\n')}\n`;
}

function renderMatch(match: GeneratedRule['match']): string | undefined {
  // Patterns are always quoted: a leading `*` would otherwise read as a YAML alias.
  const patterns = (list: readonly string[]) =>
    list.length === 1 ? JSON.stringify(list[0]) : `[${list.map((p) => JSON.stringify(p)).join(', ')}]`;
  const entries: string[] = [];
  if (match.action) entries.push(`action: ${patterns(match.action)}`);
  if (match.environment) entries.push(`environment: ${patterns(match.environment)}`);
  const resource: string[] = [];
  if (match.resourceType) resource.push(`type: ${patterns(match.resourceType)}`);
  if (match.resourceId) resource.push(`id: ${patterns(match.resourceId)}`);
  if (resource.length > 0) entries.push(`resource: { ${resource.join(', ')} }`);
  return entries.length > 0 ? `{ ${entries.join(', ')} }` : undefined;
}
