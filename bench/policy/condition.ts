import type { FlagParamKey, NumericParamKey, StringParamKey } from './vocabulary.js';

/**
 * A rule's `when` condition as a small tree, rendered both as CEL (for Countersign's YAML) and as a Cedar
 * expression. Rendering both from one tree, rather than parsing the CEL back out, keeps the translator small; the
 * equivalence check over every benchmark input is what shows the two renderings mean the same thing.
 *
 * Every `params` test is guarded by a presence test (`has(params.rows) && …` / `context.params has rows && …`):
 * `params` is an open map in CEL and an open record in Cedar, and an absent key would otherwise be an evaluation
 * error, which the two engines treat differently (Countersign fails closed, Cedar skips the policy).
 */
export type Condition =
  | { kind: 'resourceLabel'; label: string }
  | { kind: 'agentLabel'; label: string }
  | { kind: 'sensitivityIs'; value: string }
  | { kind: 'environmentIs'; value: string }
  | { kind: 'resourceIdStartsWith'; prefix: string }
  | { kind: 'justified' }
  | { kind: 'paramCompare'; key: NumericParamKey; op: ComparisonOperator; value: number }
  | { kind: 'paramEquals'; key: StringParamKey; value: string }
  | { kind: 'paramIn'; key: StringParamKey; values: readonly string[] }
  | { kind: 'paramStartsWith'; key: StringParamKey; prefix: string }
  | { kind: 'paramFlag'; key: FlagParamKey }
  | { kind: 'not'; operand: Condition }
  | { kind: 'all'; operands: readonly Condition[] }
  | { kind: 'any'; operands: readonly Condition[] };

export type ComparisonOperator = '>' | '>=' | '<' | '<=';

/** The condition as a CEL `when` expression over Countersign's variables. */
export function conditionToCel(condition: Condition): string {
  return ungroup(condition, celOf);
}

function celOf(condition: Condition): string {
  switch (condition.kind) {
    case 'resourceLabel':
      return `${quote(condition.label)} in resource.labels`;
    case 'agentLabel':
      return `${quote(condition.label)} in agent.labels`;
    case 'sensitivityIs':
      return `resource.sensitivity == ${quote(condition.value)}`;
    case 'environmentIs':
      return `environment == ${quote(condition.value)}`;
    case 'resourceIdStartsWith':
      return `resource.id.startsWith(${quote(condition.prefix)})`;
    case 'justified':
      return 'justification != ""';
    case 'paramCompare':
      return `(has(params.${condition.key}) && params.${condition.key} ${condition.op} ${condition.value})`;
    case 'paramEquals':
      return `(has(params.${condition.key}) && params.${condition.key} == ${quote(condition.value)})`;
    case 'paramIn':
      return `(has(params.${condition.key}) && params.${condition.key} in [${condition.values.map(quote).join(', ')}])`;
    case 'paramStartsWith':
      return `(has(params.${condition.key}) && params.${condition.key}.startsWith(${quote(condition.prefix)}))`;
    case 'paramFlag':
      return `(has(params.${condition.key}) && params.${condition.key} == true)`;
    case 'not':
      return `!(${celOf(condition.operand)})`;
    case 'all':
      return group(condition.operands.map(celOf), ' && ');
    case 'any':
      return group(condition.operands.map(celOf), ' || ');
  }
}

/**
 * The condition as a Cedar expression over the request context built by `cedarContext`, which mirrors CEL's view
 * (absent labels are `[]`, absent sensitivity and justification are `""`). Cedar has no `startsWith`; a `like`
 * pattern with a trailing wildcard says the same.
 */
export function conditionToCedar(condition: Condition): string {
  return ungroup(condition, cedarOf);
}

function cedarOf(condition: Condition): string {
  switch (condition.kind) {
    case 'resourceLabel':
      return `context.resource.labels.contains(${quote(condition.label)})`;
    case 'agentLabel':
      return `context.agent.labels.contains(${quote(condition.label)})`;
    case 'sensitivityIs':
      return `context.resource.sensitivity == ${quote(condition.value)}`;
    case 'environmentIs':
      return `context.environment == ${quote(condition.value)}`;
    case 'resourceIdStartsWith':
      return `context.resource.id like ${startsWithPattern(condition.prefix)}`;
    case 'justified':
      return 'context.justification != ""';
    case 'paramCompare':
      return `(context.params has ${condition.key} && context.params.${condition.key} ${condition.op} ${condition.value})`;
    case 'paramEquals':
      return `(context.params has ${condition.key} && context.params.${condition.key} == ${quote(condition.value)})`;
    case 'paramIn':
      return `(context.params has ${condition.key} && [${condition.values.map(quote).join(', ')}].contains(context.params.${condition.key}))`;
    case 'paramStartsWith':
      return `(context.params has ${condition.key} && context.params.${condition.key} like ${startsWithPattern(condition.prefix)})`;
    case 'paramFlag':
      return `(context.params has ${condition.key} && context.params.${condition.key} == true)`;
    case 'not':
      return `!(${cedarOf(condition.operand)})`;
    case 'all':
      return group(condition.operands.map(cedarOf), ' && ');
    case 'any':
      return group(condition.operands.map(cedarOf), ' || ');
  }
}

/** A Cedar `like` pattern for strings that start with `prefix` (a `*` in the prefix itself is escaped). */
function startsWithPattern(prefix: string): string {
  return `"${escapeString(prefix).replaceAll('*', '\\*')}*"`;
}

/**
 * A Countersign match glob as a Cedar `like` pattern. Both use `*` for any run of characters (dots included) and
 * take everything else literally, so the glob carries over character for character.
 */
export function globToLike(glob: string): string {
  return `"${escapeString(glob)}"`;
}

/** A string literal valid in both CEL and Cedar (the vocabulary is plain ASCII: only `\` and `"` need escaping). */
export function quote(text: string): string {
  return `"${escapeString(text)}"`;
}

function escapeString(text: string): string {
  if (/[^\x20-\x7e]/.test(text)) throw new Error(`benchmark strings are printable ASCII, not ${JSON.stringify(text)}`);
  return text.replaceAll('\\', '\\\\').replaceAll('"', '\\"');
}

/** The outermost `&&` / `||` needs no parentheses. */
function ungroup(condition: Condition, render: (condition: Condition) => string): string {
  if (condition.kind === 'all') return condition.operands.map(render).join(' && ');
  if (condition.kind === 'any') return condition.operands.map(render).join(' || ');
  return render(condition);
}

function group(parts: readonly string[], operator: string): string {
  return parts.length === 1 ? (parts[0] ?? '') : `(${parts.join(operator)})`;
}
