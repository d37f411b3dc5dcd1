import { type JsonValue, type SubmittedActionInput, submittedActionSchema } from '@countersign/core';
import { type Command, Option } from 'commander';
import { CliError } from '../io.js';

/** The flags that describe an action, as commander hands them over. */
export interface ActionFlags {
  action: string;
  resource: string;
  label?: string[];
  sensitivity?: string;
  env: string;
  param?: string[];
  justification?: string;
  context?: string[];
  onBehalfOf?: string;
  idempotencyKey?: string;
}

/** Collects a repeatable option (no default, so help does not print `(default: [])`). */
const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Adds the flags that describe an action (`--action`, `--resource`, `--env`, `--param`, …) to a command. */
export function withActionOptions(command: Command): Command {
  return command
    .addOption(new Option('--action <verb>', 'what to do, a dotted name: data.export').makeOptionMandatory())
    .addOption(
      new Option(
        '--resource <type:id>',
        'what it is done to; split at the first colon: dataset:customers',
      ).makeOptionMandatory(),
    )
    .addOption(new Option('--env <environment>', 'where: production, staging, …').makeOptionMandatory())
    .option('--label <label>', 'a resource label (repeatable): --label pii', collect)
    .option('--sensitivity <level>', 'the resource sensitivity, as policy sees it')
    .option(
      '--param <key=value>',
      'a parameter (repeatable); the value is JSON if it parses, else a string',
      collect,
      [],
    )
    .option('--justification <text>', 'why; shown to reviewers (some rules require it)')
    .option('--context <key=value>', 'context for reviewers (repeatable), parsed like --param', collect)
    .option('--on-behalf-of <id>', 'the human this is done for (they cannot approve it)')
    .option('--idempotency-key <key>', 'resubmitting with the same key returns the same request instead of a new one');
}

/** The submitted action the flags describe, validated before anything is sent. */
export function submittedActionFrom(flags: ActionFlags): SubmittedActionInput {
  const input = {
    action: flags.action,
    resource: {
      ...resourceFrom(flags.resource),
      labels: flags.label ?? [],
      ...(flags.sensitivity === undefined ? {} : { sensitivity: flags.sensitivity }),
    },
    environment: flags.env,
    params: keyValues(flags.param ?? [], '--param'),
    ...(flags.justification === undefined ? {} : { justification: flags.justification }),
    context: keyValues(flags.context ?? [], '--context'),
    ...(flags.onBehalfOf === undefined ? {} : { onBehalfOf: flags.onBehalfOf }),
  };
  const checked = submittedActionSchema.safeParse(input);
  if (!checked.success) {
    const problems = checked.error.issues.map((issue) => `  ${issue.path.join('.') || '(action)'}: ${issue.message}`);
    throw new CliError(`the action is not valid:\n${problems.join('\n')}`);
  }
  return input;
}

/** `dataset:customers` → `{type: 'dataset', id: 'customers'}`; ids may contain colons (`s3:bucket:key`). */
export function resourceFrom(text: string): { type: string; id: string } {
  const colon = text.indexOf(':');
  const type = colon < 0 ? '' : text.slice(0, colon);
  const id = colon < 0 ? '' : text.slice(colon + 1);
  if (type === '' || id === '')
    throw new CliError(`--resource "${text}" must be TYPE:ID, for example dataset:customers`);
  return { type, id };
}

/**
 * `rows=250000` → `['rows', 250000]`. The value is JSON when it parses as JSON (numbers, booleans, null, arrays,
 * objects), otherwise the text itself; integers too large to keep exactly stay text.
 */
export function keyValue(text: string, flag: string): [string, JsonValue] {
  const equals = text.indexOf('=');
  if (equals <= 0) throw new CliError(`${flag} "${text}" must be key=value, for example ${flag} rows=250000`);
  const key = text.slice(0, equals);
  const raw = text.slice(equals + 1);
  let value: JsonValue = raw;
  try {
    const parsed = JSON.parse(raw) as JsonValue;
    if (!(typeof parsed === 'number' && Number.isInteger(parsed) && !Number.isSafeInteger(parsed))) value = parsed;
  } catch {
    // Not JSON: the value is the text.
  }
  return [key, value];
}

function keyValues(texts: readonly string[], flag: string): Record<string, JsonValue> {
  const values = new Map<string, JsonValue>();
  for (const text of texts) {
    const [key, value] = keyValue(text, flag);
    if (values.has(key)) throw new CliError(`${flag} ${key} is given twice`);
    values.set(key, value);
  }
  // fromEntries defines own properties, so a key such as __proto__ stays a plain key.
  return Object.fromEntries(values);
}
