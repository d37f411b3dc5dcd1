import { Environment } from '@marcbachmann/cel-js';
import type { Agent, JsonObject, Resource } from '../schemas/index.js';

/**
 * The CEL environment policy conditions are checked and evaluated in. Every variable is declared with its type,
 * so a condition naming an unknown variable or field, or one that does not yield a bool, is refused when the
 * policy loads rather than misbehaving on some later request.
 *
 * | variable | CEL type |
 * | --- | --- |
 * | `action`, `environment`, `justification`, `onBehalfOf` | string (absent → `""`) |
 * | `resource` | `{type, id: string, labels: list<string>, sensitivity: string}` |
 * | `params`, `context` | `map<string, dyn>` (JSON numbers are doubles; a missing key is an evaluation error) |
 * | `agent` | `{id, owner: string, labels: list<string>}` |
 * | `now` | timestamp |
 */

/** `resource` as CEL sees it: a declared type, so `resource.typo` fails at load. */
class CelResource {
  readonly type: string;
  readonly id: string;
  readonly labels: readonly string[];
  readonly sensitivity: string;
  constructor(resource: Resource) {
    this.type = resource.type;
    this.id = resource.id;
    this.labels = resource.labels ?? [];
    this.sensitivity = resource.sensitivity ?? '';
  }
}

/** `agent` as CEL sees it. */
class CelAgent {
  readonly id: string;
  readonly owner: string;
  readonly labels: readonly string[];
  constructor(agent: Pick<Agent, 'id' | 'owner'> & { labels?: readonly string[] | undefined }) {
    this.id = agent.id;
    this.owner = agent.owner;
    this.labels = agent.labels ?? [];
  }
}

const environment = new Environment({ homogeneousAggregateLiterals: false })
  .registerType('countersign.Resource', {
    ctor: CelResource,
    fields: { type: 'string', id: 'string', labels: 'list<string>', sensitivity: 'string' },
  })
  .registerType('countersign.Agent', {
    ctor: CelAgent,
    fields: { id: 'string', owner: 'string', labels: 'list<string>' },
  })
  .registerVariable('action', 'string')
  .registerVariable('resource', 'countersign.Resource')
  .registerVariable('environment', 'string')
  .registerVariable('params', 'map<string, dyn>')
  .registerVariable('justification', 'string')
  .registerVariable('context', 'map<string, dyn>')
  .registerVariable('agent', 'countersign.Agent')
  .registerVariable('onBehalfOf', 'string')
  .registerVariable('now', 'google.protobuf.Timestamp');

/** The variables a condition is evaluated against; built once per decision and shared by every rule. */
export type ConditionVariables = Readonly<Record<string, unknown>> & { readonly __brand: 'ConditionVariables' };

/** What a condition can see of an action. */
export interface ConditionInput {
  action: string;
  resource: Resource;
  environment: string;
  params?: JsonObject | undefined;
  justification?: string | undefined;
  context?: JsonObject | undefined;
  onBehalfOf?: string | undefined;
  agent?: (Pick<Agent, 'id' | 'owner'> & { labels?: readonly string[] | undefined }) | undefined;
}

export function conditionVariables(input: ConditionInput, now: Date): ConditionVariables {
  return {
    action: input.action,
    resource: new CelResource(input.resource),
    environment: input.environment,
    params: input.params ?? {},
    justification: input.justification ?? '',
    context: input.context ?? {},
    agent: new CelAgent(input.agent ?? { id: '', owner: '' }),
    onBehalfOf: input.onBehalfOf ?? '',
    now,
  } as unknown as ConditionVariables;
}

export type CompiledCondition = (variables: ConditionVariables) => unknown;

export type ConditionCompilation =
  | { ok: true; evaluate: CompiledCondition }
  | { ok: false; offset: number; message: string };

/** Parses and type-checks a `when` condition: it must be well-formed, use only declared names and yield a bool. */
export function compileCondition(expression: string): ConditionCompilation {
  const checked = environment.check(expression);
  if (!checked.valid) {
    const error = checked.error as { message?: string; range?: { start?: number } } | undefined;
    return {
      ok: false,
      offset: error?.range?.start ?? 0,
      message: `CEL: ${firstLine(error?.message ?? 'invalid expression')}`,
    };
  }
  if (checked.type !== 'bool') {
    return {
      ok: false,
      offset: 0,
      message: `CEL: a when condition must be a bool, but this one is ${checked.type}${
        checked.type === 'dyn' ? ' (compare it, for example `params.flag == true`)' : ''
      }`,
    };
  }
  const parsed = environment.parse(expression);
  return { ok: true, evaluate: (variables) => parsed(variables) };
}

/** Outcome of evaluating a condition: the bool, or the error it raised (which callers must treat fail-closed). */
export type ConditionResult = { value: boolean; error?: undefined } | { value?: undefined; error: string };

export function evaluateCondition(condition: CompiledCondition, variables: ConditionVariables): ConditionResult {
  try {
    const value = condition(variables);
    if (typeof value !== 'boolean') return { error: `condition yielded ${typeof value}, not a bool` };
    return { value };
  } catch (error) {
    return { error: firstLine(error instanceof Error ? error.message : String(error)) };
  }
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? text).trim();
}
