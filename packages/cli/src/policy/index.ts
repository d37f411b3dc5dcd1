import { readFile } from 'node:fs/promises';
import {
  type Decision,
  explain,
  formatDuration,
  formatPolicyIssue,
  loadPolicy,
  type Policy,
  PolicyError,
  type PolicyIssue,
  policyTestSchema,
  runPolicyTests,
} from '@countersign/core';
import { Command, Option } from 'commander';
import { CliError, type CommandContext, exitCodes } from '../io.js';

/** `countersign policy check|test|explain`: local tools for policy authors; no server needed. */
export function policyCommand(context: CommandContext): Command {
  const policy = new Command('policy').description('Check, test and explain a policy file (no server needed).');
  policy
    .command('check')
    .description('Parse, validate and type-check a policy file; report problems at file:line:column.')
    .argument('<file>', 'the policy YAML file')
    .option('--json', 'print a machine-readable result')
    .action(async (file: string, options: { json?: boolean }) => check(context, file, options));
  policy
    .command('test')
    .description("Run the policy's tests: section; exit 1 and show each failing expectation if any fails.")
    .argument('<file>', 'the policy YAML file')
    .option('--json', 'print a machine-readable result')
    .option('--now <time>', 'evaluation time for tests without their own `now` (ISO 8601)')
    .action(async (file: string, options: { json?: boolean; now?: string }) => test(context, file, options));
  policy
    .command('explain')
    .description('Show the decision for one action: every rule considered, matched or not and why, the requirements.')
    .argument('<file>', 'the policy YAML file')
    .addOption(
      new Option('-i, --input <action.json>', 'the action as JSON (`-` for standard input)').makeOptionMandatory(),
    )
    .option('--json', 'print {decision, considered} as JSON')
    .option(
      '--now <time>',
      "evaluation time, the `now` of CEL conditions (ISO 8601; default: the input's now, else the clock)",
    )
    .addHelpText(
      'after',
      `
The input is what an agent submits, plus the agent:
  {"action": "data.export", "resource": {"type": "dataset", "id": "customers", "labels": ["pii"]},
   "environment": "production", "params": {"rows": 250000}, "justification": "…",
   "agent": {"id": "etl", "owner": "dave@example.com"}}`,
    )
    .action(async (file: string, options: { input: string; json?: boolean; now?: string }) =>
      explainCommand(context, file, options),
    );
  return policy;
}

async function check(context: CommandContext, file: string, options: { json?: boolean }): Promise<void> {
  const { io } = context;
  const loaded = await load(file);
  if (!loaded.ok) {
    if (options.json) {
      io.stdout(`${JSON.stringify({ ok: false, file, issues: loaded.issues }, null, 2)}\n`);
    } else {
      for (const issue of loaded.issues) io.stderr(`${formatPolicyIssue(issue)}\n`);
      const errors = loaded.issues.filter((issue) => issue.severity === 'error').length;
      io.stderr(`${file}: ${errors} error${errors === 1 ? '' : 's'}; the policy was not loaded\n`);
    }
    context.exitCode = exitCodes.failed;
    return;
  }
  const { policy } = loaded;
  if (options.json) {
    io.stdout(
      `${JSON.stringify(
        {
          ok: true,
          file,
          version: policy.version,
          rules: policy.rules.length,
          groups: policy.groups.size,
          tests: policy.tests.length,
          issues: policy.warnings,
        },
        null,
        2,
      )}\n`,
    );
    return;
  }
  for (const warning of policy.warnings) io.stderr(`${formatPolicyIssue(warning)}\n`);
  io.stdout(
    `${file}: ok (${count(policy.rules.length, 'rule')}, ${count(policy.groups.size, 'group')}, ${count(policy.tests.length, 'test')}; version ${policy.version})\n`,
  );
  if (policy.tests.length > 0) io.stdout(`next: countersign policy test ${file}\n`);
}

async function test(context: CommandContext, file: string, options: { json?: boolean; now?: string }): Promise<void> {
  const { io } = context;
  const loaded = await load(file);
  if (!loaded.ok) {
    for (const issue of loaded.issues) io.stderr(`${formatPolicyIssue(issue)}\n`);
    io.stderr(`${file}: the policy does not load, so no test ran\n`);
    context.exitCode = exitCodes.failed;
    return;
  }
  const results = runPolicyTests(loaded.policy, parseNow(options.now) ?? new Date());
  const failed = results.filter((result) => !result.passed);
  context.exitCode = failed.length > 0 ? exitCodes.failed : exitCodes.ok;
  if (options.json) {
    io.stdout(
      `${JSON.stringify(
        {
          ok: failed.length === 0,
          file,
          passed: results.length - failed.length,
          failed: failed.length,
          results: results.map(({ name, passed, failures, line, column, decision }) => ({
            name,
            passed,
            failures,
            line,
            column,
            decision: summary(decision),
          })),
        },
        null,
        2,
      )}\n`,
    );
    return;
  }
  if (results.length === 0) {
    io.stdout(`${file}: no tests; add a tests: section (see docs/policy.md)\n`);
    return;
  }
  for (const result of results) {
    if (result.passed) {
      io.stdout(`  ✓ ${result.name}\n`);
      continue;
    }
    io.stdout(`  ✗ ${result.name}\n`);
    for (const failure of result.failures)
      io.stdout(`      ${result.file}:${result.line}:${result.column}: ${failure}\n`);
  }
  io.stdout(`\n${results.length - failed.length} passed, ${failed.length} failed\n`);
}

async function explainCommand(
  context: CommandContext,
  file: string,
  options: { input: string; json?: boolean; now?: string },
): Promise<void> {
  const { io } = context;
  const loaded = await load(file);
  if (!loaded.ok) {
    for (const issue of loaded.issues) io.stderr(`${formatPolicyIssue(issue)}\n`);
    throw new CliError(`${file} does not load; fix it first (countersign policy check ${file})`, exitCodes.failed);
  }
  const raw = await readInput(options.input);
  const parsed = explainInputSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(input)'}: ${issue.message}`);
    throw new CliError(`${options.input} is not a valid action:\n${problems.join('\n')}`);
  }
  const { now: inputNow, ...input } = parsed.data;
  const now = parseNow(options.now) ?? (inputNow ? new Date(inputNow) : new Date());
  const explanation = explain(loaded.policy, input, now);
  if (options.json) {
    io.stdout(`${JSON.stringify(explanation, null, 2)}\n`);
    return;
  }
  const { decision, considered } = explanation;
  io.stdout(`decision: ${decision.effect}\n  reason: ${decision.reason}\n  policy: ${decision.policyVersion}\n`);
  if (decision.requirements.length > 0) {
    io.stdout('requirements:\n');
    for (const requirement of decision.requirements) {
      const escalation = requirement.escalate
        ? `, then also [${requirement.escalate.to.join(', ')}] after ${formatDuration(requirement.escalate.afterMs)}`
        : '';
      io.stdout(`  ${requirement.rule}: ${requirement.quorum} of [${requirement.groups.join(', ')}]${escalation}\n`);
    }
    io.stdout(
      `  times out after ${formatDuration(decision.timeoutMs)}; grant valid ${formatDuration(decision.grantTtlMs)}${
        decision.requireJustification ? '; justification required' : ''
      }${decision.notify.length > 0 ? `; notify ${decision.notify.join(', ')}` : ''}\n`,
    );
  }
  io.stdout('rules considered:\n');
  const width = Math.max(...considered.map((rule) => rule.rule.length), 4);
  for (const rule of considered) {
    const mark = rule.matched ? '✓' : '·';
    io.stdout(`  ${mark} ${rule.rule.padEnd(width)}  ${rule.effect.padEnd(16)}  ${rule.why}\n`);
    if (rule.error) io.stdout(`    ${' '.repeat(width)}  error: ${rule.error}\n`);
  }
}

/** The explain input: a test input, plus an optional evaluation time. */
const explainInputSchema = policyTestSchema.shape.input.extend({ now: policyTestSchema.shape.now });

type Loaded = { ok: true; policy: Policy } | { ok: false; issues: readonly PolicyIssue[] };

async function load(file: string): Promise<Loaded> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${reason(error)}`);
  }
  try {
    return { ok: true, policy: loadPolicy(text, { file }) };
  } catch (error) {
    if (error instanceof PolicyError) return { ok: false, issues: error.issues };
    throw error;
  }
}

async function readInput(path: string): Promise<unknown> {
  let text: string;
  try {
    text = path === '-' ? await readStdin() : await readFile(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${reason(error)}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`${path} is not JSON: ${reason(error)}`);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseNow(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const time = new Date(text);
  if (Number.isNaN(time.getTime()))
    throw new CliError(`--now "${text}" is not a time; use ISO 8601, e.g. 2026-01-31T09:00:00Z`);
  return time;
}

function summary(decision: Decision): Pick<Decision, 'effect' | 'rules' | 'reason' | 'requirements'> {
  return {
    effect: decision.effect,
    rules: decision.rules,
    reason: decision.reason,
    requirements: decision.requirements,
  };
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function reason(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && error.code === 'ENOENT') return 'no such file';
  return error instanceof Error ? error.message : String(error);
}
