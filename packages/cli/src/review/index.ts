import type { ActionWithGrant, Verdict } from '@countersign/sdk';
import { Command } from 'commander';
import { describeTarget, stillNeeded } from '../action-view/index.js';
import { type ClientOptions, connect, withClientOptions } from '../connection/index.js';
import { CliError, type CommandContext, printJson } from '../io.js';

type ReviewOptions = ClientOptions & { comment?: string; reason?: string };

/** `countersign approve ID`: approve a pending action as a reviewer. */
export function approveCommand(context: CommandContext): Command {
  const command = new Command('approve')
    .description('Approve a pending action (as a reviewer). Your approval counts toward every requirement you can.')
    .argument('<id>', 'the action id');
  withClientOptions(command)
    .option('--comment <text>', 'a note kept with your review')
    .addHelpText(
      'after',
      `
Examples:
  countersign ls --reviewable
  countersign show act_01JH8Z3Q4R
  countersign approve act_01JH8Z3Q4R --comment "Checked the destination bucket"

Needs a reviewer token (COUNTERSIGN_TOKEN). Refusals exit 1 with their code: self_approval, not_eligible,
already_reviewed, not_pending.`,
    )
    .action(async (id: string, options: ReviewOptions) => review(context, id, 'approve', options.comment, options));
  return command;
}

/** `countersign reject ID --reason TEXT`: reject a pending action as a reviewer; a reason is required. */
export function rejectCommand(context: CommandContext): Command {
  const command = new Command('reject')
    .description('Reject a pending action (as a reviewer); one eligible rejection ends it. A reason is required.')
    .argument('<id>', 'the action id');
  withClientOptions(command)
    .option('--reason <text>', 'why (required; shown to the requester and kept in the audit trail)')
    .option('--comment <text>', 'the same as --reason')
    .addHelpText(
      'after',
      `
Example:
  countersign reject act_01JH8Z3Q4R --reason "Destination is not an approved bucket"

Needs a reviewer token (COUNTERSIGN_TOKEN).`,
    )
    .action(async (id: string, options: ReviewOptions) => {
      if (options.reason !== undefined && options.comment !== undefined && options.reason !== options.comment) {
        throw new CliError('give the reason once: --reason or --comment, not both');
      }
      const reason = (options.reason ?? options.comment ?? '').trim();
      if (reason === '') throw new CliError('say why: countersign reject ID --reason "…"');
      await review(context, id, 'reject', reason, options);
    });
  return command;
}

async function review(
  context: CommandContext,
  id: string,
  verdict: Verdict,
  comment: string | undefined,
  options: ClientOptions,
): Promise<void> {
  const client = connect(context, options, 'reviewer token');
  const action = await client.review(id, comment === undefined ? { verdict } : { verdict, comment }, { via: 'cli' });
  if (options.json) printJson(context, action);
  else context.io.stdout(`${reviewed(action, verdict)}\n`);
}

/**
 * `approved act_1 (…)` when this approval decided the action; `recorded your approval of act_1 (…); still needed:
 * pii-export 1 more of [data-stewards]` when others must approve too; `rejected act_1 (…)`.
 */
function reviewed(action: ActionWithGrant, verdict: Verdict): string {
  const what = `${action.id} (${describeTarget(action)})`;
  if (verdict === 'reject') return `rejected ${what}`;
  if (action.status === 'approved') return `approved ${what}`;
  if (action.status === 'pending') return `recorded your approval of ${what}; still needed: ${stillNeeded(action)}`;
  return `recorded your approval of ${what}; it is now ${action.status}`;
}
