import { actionStatusSchema } from '@countersign/core';
import type { ActionStatus, ActionWithGrant } from '@countersign/sdk';
import { Command } from 'commander';
import { age, table } from '../action-view/index.js';
import { type ClientOptions, connect, withClientOptions } from '../connection/index.js';
import { CliError, type CommandContext, printJson } from '../io.js';

type ListOptions = ClientOptions & {
  status?: string;
  reviewable?: boolean;
  limit?: string;
  cursor?: string;
  all?: boolean;
};

/** `countersign ls`: actions as a table (or JSON), newest first as the server orders them. */
export function listCommand(context: CommandContext): Command {
  const command = new Command('ls').description(
    'List actions: an agent sees its own; reviewers and admins see all, --reviewable those you may review now.',
  );
  withClientOptions(command)
    .option('--status <status>', `only this status: ${actionStatusSchema.options.join(', ')}`)
    .option('--reviewable', 'only actions you (a reviewer) may review now')
    .option('--limit <n>', 'page size (default 50)')
    .option('--cursor <cursor>', 'continue from where a previous page stopped')
    .option('--all', 'follow every page, not just the first')
    .addHelpText(
      'after',
      `
Examples:
  countersign ls --reviewable                 what is waiting for me
  countersign ls --status pending --all --json | jq -r '.items[].id'`,
    )
    .action(async (options: ListOptions) => list(context, options));
  return command;
}

async function list(context: CommandContext, options: ListOptions): Promise<void> {
  const status = parseStatus(options.status);
  const limit = parseLimit(options.limit);
  const client = connect(context, options, 'any');
  const items: ActionWithGrant[] = [];
  let cursor = options.cursor;
  let nextCursor: string | undefined;
  do {
    const page = await client.listActions({ status, reviewable: options.reviewable, limit, cursor });
    items.push(...page.items);
    nextCursor = page.nextCursor;
    cursor = nextCursor;
  } while (options.all && cursor !== undefined);

  if (options.json) {
    printJson(context, nextCursor === undefined ? { items } : { items, nextCursor });
    return;
  }
  const { io } = context;
  if (items.length === 0) {
    io.stderr(`countersign: no ${options.reviewable ? 'reviewable ' : ''}${status ? `${status} ` : ''}actions\n`);
    return;
  }
  const now = Date.now();
  io.stdout(
    table([
      ['ID', 'STATUS', 'ACTION', 'RESOURCE', 'ENV', 'REQUESTER', 'AGE'],
      ...items.map((action) => [
        action.id,
        action.status,
        action.action,
        `${action.resource.type}:${action.resource.id}`,
        action.environment,
        action.requester.agent,
        age(Math.max(0, now - new Date(action.createdAt).getTime())),
      ]),
    ]),
  );
  if (nextCursor !== undefined) io.stderr(`more: countersign ls --cursor ${nextCursor}  (or --all)\n`);
}

function parseStatus(text: string | undefined): ActionStatus | undefined {
  if (text === undefined) return undefined;
  const parsed = actionStatusSchema.safeParse(text);
  if (!parsed.success) {
    throw new CliError(`--status "${text}" is not a status; use one of ${actionStatusSchema.options.join(', ')}`);
  }
  return parsed.data;
}

function parseLimit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new CliError(`--limit "${text}" must be a whole number above zero`);
  return value;
}
