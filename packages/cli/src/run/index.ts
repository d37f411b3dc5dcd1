import { type ChildProcess, spawn } from 'node:child_process';
import { isCountersignError, parseDuration } from '@countersign/core';
import { type ActionWithGrant, type CountersignClient, isCountersignApiError, type Outcome } from '@countersign/sdk';
import { Command } from 'commander';
import { type ActionFlags, submittedActionFrom, withActionOptions } from '../action-flags/index.js';
import { describeTarget, exitCodeFor, explained, whoMustApprove } from '../action-view/index.js';
import { type ClientOptions, cliErrorFrom, connect, withClientOptions } from '../connection/index.js';
import { CliError, type CommandContext, exitCodes, printJson } from '../io.js';
import { waitWithProgress } from '../progress/index.js';
import { shellQuote } from './shell-quote.js';

type RunOptions = ActionFlags & ClientOptions & { timeout?: string };

export const runExitCodesHelp = `Exit codes:
  0  approved, and the command succeeded
  1  error: the server could not be reached or refused the request (the command did not run)
  2  usage: bad flags or arguments
  3  denied by policy (the command did not run)
  4  rejected by a reviewer (the command did not run)
  5  expired: nobody decided in time, or --timeout elapsed (the request is then cancelled)
  6  cancelled: Ctrl-C while waiting (the request is cancelled), or cancelled elsewhere
  7  approved, the command ran, and it failed (non-zero exit or killed by a signal)`;

/** `countersign run … -- CMD ARGS…`: gate a shell step on approval, run it, report its outcome. */
export function runCommand(context: CommandContext): Command {
  const command = new Command('run')
    .description(
      'Gate a command on approval: request, wait (progress on stderr), run CMD only if approved, report the outcome.',
    )
    .argument('<command...>', 'the command and its arguments, after --');
  withActionOptions(command);
  withClientOptions(command)
    .option('--timeout <duration>', 'stop waiting after this long (90s, 30m, 1h30m) and cancel the request')
    .addHelpText(
      'after',
      `
Examples:
  countersign run --action data.export --resource dataset:customers --label pii --env production \\
    --param rows=250000 --justification "Quarterly churn model" --timeout 30m \\
    -- ./export.sh customers s3://acme-exports/customers
  countersign run --action service.restart --resource service:billing --env production \\
    --idempotency-key "deploy-$CI_PIPELINE_ID" -- kubectl rollout restart deploy/billing

The command runs with inherited stdin/stdout/stderr and two more environment variables:
  COUNTERSIGN_GRANT      the grant (a short-lived, single-use JWT bound to this exact action)
  COUNTERSIGN_ACTION_ID  the action id
It succeeds with exit code 0; anything else is reported as failed ("exit code N" or "signal S").
With --json the final action (with its outcome) is printed on stdout after the command's own output.
An --idempotency-key makes a retried CI step resume waiting on the same request instead of asking again.

${runExitCodesHelp}`,
    )
    .action(async (commandLine: string[], options: RunOptions) => run(context, commandLine, options));
  return command;
}

async function run(context: CommandContext, commandLine: string[], options: RunOptions): Promise<void> {
  const input = submittedActionFrom(options);
  const timeoutMs = parseTimeout(options.timeout);
  const client = connect(context, options, 'agent key');
  const interrupts = new Interrupts();
  try {
    const { action, replayed } = await client.submit(input, { idempotencyKey: options.idempotencyKey });
    // A request that is already settled (denied by policy, or a replay of one decided before) is said in one line.
    if (action.status !== 'pending' && action.status !== 'approved') {
      await conclude(context, client, action, commandLine, options, interrupts, subject(action, replayed));
      return;
    }
    announce(context, action, replayed);
    if (interrupts.signal.aborted) {
      await withdraw(context, client, action, 'interrupted', options);
      return;
    }
    let decided: ActionWithGrant;
    try {
      decided = await waitWithProgress(context, client, action, { timeoutMs, signal: interrupts.signal });
    } catch (error) {
      if (!interrupts.signal.aborted) throw error;
      await withdraw(context, client, action, 'interrupted', options);
      return;
    }
    if (decided.status === 'pending') {
      const settled = await withdraw(context, client, decided, 'timeout', options);
      if (settled === undefined) return;
      decided = settled;
    }
    await conclude(context, client, decided, commandLine, options, interrupts, decided.id);
  } finally {
    interrupts.dispose();
  }
}

/** `act_1 data.export on dataset:customers [pii] in production`, and whether it is a replay. */
function subject(action: ActionWithGrant, replayed: boolean): string {
  const again = replayed ? ' (the existing request for this idempotency key)' : '';
  return `${action.id} ${describeTarget(action)}${again}`;
}

/** What was asked and where it stands: pending (and who must approve), or allowed by policy, or approved. */
function announce(context: CommandContext, action: ActionWithGrant, replayed: boolean): void {
  let state: string;
  if (action.status === 'pending') state = `pending; needs ${whoMustApprove(action)}`;
  else if (action.status === 'approved' && action.reviews.length === 0) state = `allowed by policy (${rules(action)})`;
  else state = action.status;
  context.io.stderr(`countersign: ${subject(action, replayed)}: ${state}\n`);
}

/**
 * Cancels a request nobody decided in time (`timeout`) or that the user gave up on (`interrupted`). If it was
 * decided in the meantime, a timeout returns the decided action so the normal path handles it; an interruption
 * never runs the command.
 */
async function withdraw(
  context: CommandContext,
  client: CountersignClient,
  action: ActionWithGrant,
  why: 'timeout' | 'interrupted',
  options: RunOptions,
): Promise<ActionWithGrant | undefined> {
  const { io } = context;
  const exitCode = why === 'timeout' ? exitCodes.expired : exitCodes.cancelled;
  const cause = why === 'timeout' ? `no decision within ${options.timeout}` : 'interrupted';
  let latest: ActionWithGrant;
  try {
    latest = await client.cancel(action.id);
  } catch (error) {
    if (!isCountersignApiError(error, 'not_pending')) throw error;
    latest = await client.getAction(action.id);
    if (why === 'timeout') return latest;
    io.stderr(`countersign: ${cause}; ${action.id} was already ${latest.status}, and the command did not run\n`);
    if (options.json) printJson(context, latest);
    context.exitCode = exitCode;
    return undefined;
  }
  io.stderr(`countersign: ${cause}; cancelled ${action.id}, and the command did not run\n`);
  if (options.json) printJson(context, latest);
  context.exitCode = exitCode;
  return undefined;
}

async function conclude(
  context: CommandContext,
  client: CountersignClient,
  action: ActionWithGrant,
  commandLine: string[],
  options: RunOptions,
  interrupts: Interrupts,
  /** How the action is named: its id once announced, else with what it is (`act_1 data.export on …`). */
  named: string,
): Promise<void> {
  const { io } = context;
  if (action.status !== 'approved') {
    if (options.json) printJson(context, action);
    if (action.status === 'succeeded' || action.status === 'failed') {
      throw new CliError(
        `${action.id} already ran (${action.status}); use a new --idempotency-key to ask again`,
        exitCodes.failed,
      );
    }
    const said = refusal(action);
    io.stderr(`countersign: ${named}${named === action.id ? ' ' : ': '}${said}; the command did not run\n`);
    context.exitCode = exitCodeFor(action.status);
    return;
  }
  if (!action.grant) {
    throw new CliError(
      `${action.id} is approved but no grant came with it (is COUNTERSIGN_TOKEN the requesting agent's key?); the command did not run`,
      exitCodes.failed,
    );
  }
  if (interrupts.signal.aborted) {
    io.stderr(`countersign: interrupted; ${action.id} is approved, but the command did not run\n`);
    if (options.json) printJson(context, action);
    context.exitCode = exitCodes.cancelled;
    return;
  }
  io.stderr(`countersign: approved; running ${shellQuote(commandLine)}\n`);
  const outcome = await execute(
    commandLine,
    {
      ...context.env,
      COUNTERSIGN_GRANT: action.grant.token,
      COUNTERSIGN_ACTION_ID: action.id,
    },
    interrupts,
  );
  let reported: ActionWithGrant = action;
  try {
    reported = await client.reportOutcome(action.id, outcome);
  } catch (error) {
    const reason = cliErrorFrom(error)?.message ?? (error instanceof Error ? error.message : String(error));
    io.stderr(`countersign: warning: could not report the outcome of ${action.id}: ${reason}\n`);
  }
  if (outcome.status === 'failed') io.stderr(`countersign: the command failed (${outcome.detail})\n`);
  if (options.json) printJson(context, reported);
  context.exitCode = outcome.status === 'succeeded' ? exitCodes.ok : exitCodes.commandFailed;
}

/** Runs the command with inherited stdio; never throws: a command that cannot start has failed. */
function execute(commandLine: string[], env: NodeJS.ProcessEnv, interrupts: Interrupts): Promise<Outcome> {
  const [file, ...args] = commandLine;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      interrupts.child = undefined;
      resolve(outcome);
    };
    const child = spawn(file ?? '', args, { stdio: 'inherit', env });
    interrupts.child = child;
    child.once('error', (error) => settle({ status: 'failed', detail: `could not start ${file}: ${error.message}` }));
    child.once('close', (code, signal) => {
      if (code === 0) settle({ status: 'succeeded' });
      else settle({ status: 'failed', detail: signal ? `signal ${signal}` : `exit code ${code}` });
    });
  });
}

/**
 * SIGINT and SIGTERM while waiting abort the wait (the request is then cancelled). While the command runs they
 * are the command's business: Ctrl-C reaches it through the terminal's process group, and SIGTERM is passed on,
 * so the outcome is still reported when it exits.
 */
class Interrupts {
  readonly #controller = new AbortController();
  child: ChildProcess | undefined;
  readonly #listener = (signal?: NodeJS.Signals) => {
    if (this.child) {
      if (signal === 'SIGTERM') this.child.kill('SIGTERM');
      return;
    }
    // A second Ctrl-C while the request is being cancelled ends the process the usual way.
    this.dispose();
    this.#controller.abort(new Error(`interrupted (${signal ?? 'SIGINT'})`));
  };

  constructor() {
    process.on('SIGINT', this.#listener);
    process.on('SIGTERM', this.#listener);
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  dispose(): void {
    process.off('SIGINT', this.#listener);
    process.off('SIGTERM', this.#listener);
  }
}

/** Why the command will not run: `denied by policy: … (rule x)`, `rejected by carol: "…"`, `expired: …`. */
function refusal(action: ActionWithGrant): string {
  switch (action.status) {
    case 'denied': {
      // The server's own reason for a rule without one already says it: `denied by rule no-admin-grants`.
      const reason = explained(action);
      return reason.startsWith('denied by ') ? reason : `denied by policy: ${reason}`;
    }
    case 'rejected': {
      const rejection = action.reviews.find((review) => review.verdict === 'reject');
      return `rejected${rejection ? ` by ${rejection.reviewer}${rejection.comment ? `: "${rejection.comment}"` : ''}` : ''}`;
    }
    case 'expired':
      return `expired: nobody decided before ${action.approval.expiresAt}`;
    case 'cancelled':
      return 'cancelled';
    default:
      return `is ${action.status}`;
  }
}

function rules(action: ActionWithGrant): string {
  return action.decision.rules.length > 0 ? `rule ${action.decision.rules.join(', ')}` : 'policy default';
}

function parseTimeout(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (/^\d+$/.test(text.trim())) {
    if (Number(text) === 0) throw new CliError('--timeout must be longer than zero');
    return Number(text) * 1000;
  }
  try {
    return parseDuration(text);
  } catch (error) {
    if (isCountersignError(error)) throw new CliError(`--timeout: ${error.message}`);
    throw error;
  }
}
