import type { AuditEntry } from '@countersign/sdk';
import { Command } from 'commander';
import { table } from '../action-view/index.js';
import { type ClientOptions, connect, withClientOptions } from '../connection/index.js';
import { CliError, type CommandContext, printJson } from '../io.js';
import { addEvidenceCommands, isoTime } from './evidence.js';

type AuditListOptions = ClientOptions & {
  type?: string[];
  action?: string;
  actor?: string;
  since?: string;
  until?: string;
  after?: string;
  limit?: string;
  all?: boolean;
};

/** `countersign audit …`: the audit trail (needs the admin token). */
export function auditCommand(context: CommandContext): Command {
  const audit = new Command('audit').description(
    'The hash-chained audit trail: list, export, verify offline, prove one entry, report (needs the admin token).',
  );
  withClientOptions(
    audit
      .command('ls')
      .description('List audit entries, oldest first, optionally filtered.')
      .option('--type <type>', 'only this entry type (repeat for several), e.g. action.approved', collect, [])
      .option('--action <id>', 'only entries about this action')
      .option('--actor <id>', 'only entries by this actor: an agent, a reviewer, sweeper, admin, …')
      .option('--since <time>', 'from this time on (ISO 8601)')
      .option('--until <time>', 'before this time (ISO 8601)')
      .option('--after <seq>', 'start after this seq (what a previous page ended at)')
      .option('--limit <n>', 'entries per page (default 100, at most 1000)')
      .option('--all', 'follow every page, not just the first'),
  )
    .addHelpText(
      'after',
      `
Examples:
  countersign audit ls --action act_01JH8Z3Q4R                 everything that happened to one action
  countersign audit ls --type action.approved --type action.rejected --since 2026-11-01T00:00:00Z --all
  countersign audit ls --actor grace@example.com --json | jq '.items[].type'`,
    )
    .action(async (options: AuditListOptions) => list(context, options));
  addEvidenceCommands(audit, context);
  return audit;
}

async function list(context: CommandContext, options: AuditListOptions): Promise<void> {
  const limit = positiveInteger('--limit', options.limit);
  let after = positiveInteger('--after', options.after) ?? 0;
  const since = isoTime('--since', options.since);
  const until = isoTime('--until', options.until);
  const client = connect(context, options, 'admin token');
  const items: AuditEntry[] = [];
  let nextAfter: number | undefined;
  do {
    const page = await client.listAudit({
      after,
      ...(limit !== undefined && { limit }),
      ...(options.type && options.type.length > 0 && { types: options.type }),
      ...(options.action !== undefined && { actionId: options.action }),
      ...(options.actor !== undefined && { actor: options.actor }),
      ...(since !== undefined && { since }),
      ...(until !== undefined && { until }),
    });
    items.push(...page.items);
    nextAfter = page.nextAfter;
    if (nextAfter !== undefined) after = nextAfter;
  } while (options.all && nextAfter !== undefined);

  if (options.json) {
    printJson(context, nextAfter === undefined ? { items } : { items, nextAfter });
    return;
  }
  if (items.length === 0) {
    context.io.stderr('countersign: no audit entries match\n');
    return;
  }
  context.io.stdout(
    table([
      ['SEQ', 'TIME', 'TYPE', 'ACTION', 'ACTOR'],
      ...items.map((entry) => [
        String(entry.seq),
        entry.ts,
        entry.type,
        entry.actionId ?? '-',
        `${entry.actor.kind}:${entry.actor.id} (${entry.actor.via})`,
      ]),
    ]),
  );
  if (nextAfter !== undefined) {
    context.io.stderr(`countersign: more entries: --after ${nextAfter}, or --all for every page\n`);
  }
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').filter((part) => part !== '')];
}

function positiveInteger(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new CliError(`${flag} must be a whole number, not ${value}`);
  return parsed;
}
