import { Command } from 'commander';
import { type ClientOptions, connect, printJson, withClientOptions } from '../connection/index.js';
import type { CommandContext } from '../io.js';

/** `countersign reviewers token|revoke`: reviewer tokens (admin). */
export function reviewersCommand(context: CommandContext): Command {
  const reviewers = new Command('reviewers').description(
    "Mint and revoke reviewer tokens for people named in the policy's groups (needs the admin token).",
  );

  withClientOptions(
    reviewers
      .command('token')
      .description('Mint a token for a reviewer and print it (shown once).')
      .argument('<reviewer-id>', "the reviewer as the policy's groups name them, e.g. carol@example.com"),
  )
    .addHelpText(
      'after',
      `
Example:
  countersign reviewers token carol@example.com
  # carol then:  export COUNTERSIGN_TOKEN=csr_…;  countersign ls --reviewable

Only reviewers listed in a group of the policy get a token (otherwise: not_found).`,
    )
    .action(async (reviewerId: string, options: ClientOptions) => {
      const minted = await connect(context, options, 'admin token').createReviewerToken(reviewerId);
      if (options.json) return printJson(context, minted);
      context.io.stdout(`${minted.token}\n`);
      context.io.stderr(
        `countersign: token for ${minted.reviewer} (groups: ${minted.groups.join(', ') || 'none'}), shown once. They use it as COUNTERSIGN_TOKEN to list, approve and reject.\n`,
      );
    });

  withClientOptions(
    reviewers
      .command('revoke')
      .description('Revoke every token of a reviewer.')
      .argument('<reviewer-id>', 'the reviewer'),
  )
    .addHelpText('after', '\nExample:\n  countersign reviewers revoke carol@example.com')
    .action(async (reviewerId: string, options: ClientOptions) => {
      const revoked = await connect(context, options, 'admin token').revokeReviewerTokens(reviewerId);
      if (options.json) return printJson(context, revoked);
      context.io.stdout(
        `revoked ${revoked.revoked} token${revoked.revoked === 1 ? '' : 's'} of reviewer ${revoked.reviewer}\n`,
      );
    });
  return reviewers;
}
