import { Command } from 'commander';
import { type ActionFlags, submittedActionFrom, withActionOptions } from '../action-flags/index.js';
import { exitCodeFor, summaryLines } from '../action-view/index.js';
import { type ClientOptions, connect, withClientOptions } from '../connection/index.js';
import { CliError, type CommandContext, exitCodes, printJson } from '../io.js';
import { waitWithProgress } from '../progress/index.js';

type RequestOptions = ActionFlags & ClientOptions & { wait?: string | true };

/** `countersign request`: submit an action as an agent, print the decision, optionally wait for reviewers. */
export function requestCommand(context: CommandContext): Command {
  const command = new Command('request').description(
    'Ask for a decision on an action (as an agent): print it and who must approve; --wait waits for reviewers.',
  );
  withActionOptions(command);
  withClientOptions(command)
    .option('--wait [seconds]', 'wait for the decision (at most SECONDS if given), with progress on stderr')
    .addHelpText(
      'after',
      `
Examples:
  countersign request --action data.export --resource dataset:customers --label pii --env production \\
    --param rows=250000 --param destination=s3://acme-exports/customers \\
    --justification "Quarterly churn model retraining"
  countersign request --action service.restart --resource service:billing --env production --wait 600 --json

--param and --context values are JSON when they parse (250000, true, ["a","b"], {"k":1}), else text.

Exit codes: 0 approved or pending; 1 error; 2 usage; 3 denied by policy; 4 rejected by a reviewer;
5 expired, or still pending when --wait SECONDS ran out; 6 cancelled. Needs an agent key (COUNTERSIGN_TOKEN).`,
    )
    .action(async (options: RequestOptions) => request(context, options));
  return command;
}

async function request(context: CommandContext, options: RequestOptions): Promise<void> {
  const { io } = context;
  const input = submittedActionFrom(options);
  const timeoutMs = waitTimeout(options.wait);
  const client = connect(context, options, 'agent key');
  const { action, replayed } = await client.submit(input, { idempotencyKey: options.idempotencyKey });
  if (replayed) {
    io.stderr(`countersign: idempotency key "${options.idempotencyKey}" matches ${action.id}; not asking twice\n`);
  }
  const waiting = options.wait !== undefined && action.status === 'pending';
  if (waiting && !options.json) io.stdout(`${summaryLines(action, new Date()).join('\n')}\n`);
  const final = waiting ? await waitWithProgress(context, client, action, { timeoutMs }) : action;
  if (options.json) printJson(context, final);
  else if (!waiting || final.status !== 'pending') io.stdout(`${summaryLines(final, new Date()).join('\n')}\n`);
  if (final.status === 'pending') {
    if (waiting) {
      io.stderr(`countersign: ${final.id} is still pending after ${options.wait}s\n`);
      context.exitCode = exitCodes.expired;
    } else if (!options.json) {
      io.stderr(`next: countersign show ${final.id} --wait 60\n`);
    }
    return;
  }
  context.exitCode = exitCodeFor(final.status);
}

/** `--wait` alone waits as long as it takes; `--wait 600` at most ten minutes. */
function waitTimeout(wait: string | true | undefined): number | undefined {
  if (wait === undefined || wait === true) return undefined;
  const seconds = Number(wait);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new CliError(`--wait "${wait}" must be a number of seconds greater than zero`);
  }
  return seconds * 1000;
}
