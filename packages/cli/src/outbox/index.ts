import { Command } from 'commander';
import { table } from '../action-view/index.js';
import { type ClientOptions, connect, withClientOptions } from '../connection/index.js';
import { CliError, type CommandContext, printJson } from '../io.js';

type ListOptions = ClientOptions & { status?: string; action?: string; limit: string };

const statuses = ['pending', 'delivered', 'dead'] as const;

/** `countersign outbox ls|retry`: notifications to Slack, Teams and webhooks, and their dead letters (admin). */
export function outboxCommand(context: CommandContext): Command {
  const outbox = new Command('outbox').description(
    'Notifications to Slack, Teams and webhooks: what is pending, delivered, or dead-lettered, and retrying dead ones (needs the admin token).',
  );

  withClientOptions(
    outbox
      .command('ls')
      .description('List notifications, newest first.')
      .option('--status <status>', `only ${statuses.join(' | ')}`)
      .option('--action <id>', 'only the notifications of one action')
      .option('--limit <n>', 'how many', '50'),
  )
    .addHelpText(
      'after',
      `
Examples:
  countersign outbox ls --status dead
  countersign outbox ls --action act_01JD… --json

A dead notification failed permanently (bad token, unknown channel) or ran out of attempts; fix the cause and
send it again with \`countersign outbox retry ID\`.`,
    )
    .action(async (options: ListOptions) => {
      if (options.status !== undefined && !(statuses as readonly string[]).includes(options.status)) {
        throw new CliError(`--status must be one of ${statuses.join(', ')}`);
      }
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new CliError('--limit must be 1 to 500');
      const page = await connect(context, options, 'admin token').listOutbox({
        limit,
        ...(options.status !== undefined && { status: options.status as (typeof statuses)[number] }),
        ...(options.action !== undefined && { actionId: options.action }),
      });
      if (options.json) return printJson(context, page);
      if (page.items.length === 0) {
        context.io.stderr('countersign: no notifications match\n');
        return;
      }
      context.io.stdout(
        table([
          ['ID', 'ACTION', 'TARGET', 'EVENT', 'STATUS', 'ATTEMPTS', 'LAST ERROR'],
          ...page.items.map((item) => [
            String(item.id),
            item.actionId,
            item.target,
            item.event,
            item.status,
            String(item.attempts),
            item.lastError ?? '-',
          ]),
        ]),
      );
    });

  withClientOptions(
    outbox
      .command('retry')
      .description('Send a dead-lettered notification again.')
      .argument('<id>', 'the notification id (from `countersign outbox ls --status dead`)'),
  )
    .addHelpText('after', '\nExample:\n  countersign outbox retry 42')
    .action(async (id: string, options: ClientOptions) => {
      const number = Number(id);
      if (!Number.isInteger(number) || number < 1) throw new CliError('the notification id is a positive integer');
      const revived = await connect(context, options, 'admin token').retryNotification(number);
      if (options.json) return printJson(context, revived);
      context.io.stdout(`notification ${revived.id} (${revived.event} to ${revived.target}) will be sent again\n`);
    });
  return outbox;
}
