import { Command } from 'commander';
import { detailLines } from '../action-view/index.js';
import { type ClientOptions, connect, withClientOptions } from '../connection/index.js';
import { CliError, type CommandContext, printJson } from '../io.js';
import { waitWithProgress } from '../progress/index.js';

type ShowOptions = ClientOptions & { wait?: string };

/** `countersign show ID`: one action in full; `--wait` first waits (bounded) for it to leave pending. */
export function showCommand(context: CommandContext): Command {
  const command = new Command('show')
    .description('Show one action: decision, requirements and approvals, reviews, grant expiry, outcome.')
    .argument('<id>', 'the action id');
  withClientOptions(command)
    .option('--wait <seconds>', 'if it is pending, wait up to SECONDS for a decision first (progress on stderr)')
    .addHelpText(
      'after',
      `
Examples:
  countersign show act_01JH8Z3Q4R
  countersign show act_01JH8Z3Q4R --wait 60 --json | jq .status

Works with an agent key (its own actions), a reviewer token or the admin token (COUNTERSIGN_TOKEN).`,
    )
    .action(async (id: string, options: ShowOptions) => show(context, id, options));
  return command;
}

async function show(context: CommandContext, id: string, options: ShowOptions): Promise<void> {
  const timeoutMs = options.wait === undefined ? undefined : seconds(options.wait);
  const client = connect(context, options, 'any');
  let action = await client.getAction(id);
  if (timeoutMs !== undefined) action = await waitWithProgress(context, client, action, { timeoutMs });
  if (options.json) printJson(context, action);
  else context.io.stdout(`${detailLines(action, new Date()).join('\n')}\n`);
}

function seconds(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    throw new CliError(`--wait "${text}" must be a number of seconds greater than zero`);
  }
  return value * 1000;
}
