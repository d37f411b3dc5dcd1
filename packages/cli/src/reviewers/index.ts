import { Command } from 'commander';
import { table } from '../action-view/index.js';
import { type ClientOptions, connect, withClientOptions } from '../connection/index.js';
import { CliError, type CommandContext, printJson } from '../io.js';

type LinkOptions = ClientOptions & { slack?: string; teams?: string };

/** `countersign reviewers token|revoke|link|unlink|links`: reviewer tokens and chat links (admin). */
export function reviewersCommand(context: CommandContext): Command {
  const reviewers = new Command('reviewers').description(
    "Mint and revoke reviewer tokens, and link reviewers' Slack and Teams users, for people named in the policy's groups (needs the admin token).",
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
  withClientOptions(
    reviewers
      .command('link')
      .description('Link a Slack and/or Teams user to a reviewer: their clicks in chat then count as that reviewer.')
      .argument('<reviewer-id>', "the reviewer as the policy's groups name them")
      .option('--slack <member-id>', "the Slack member id (in Slack: the person's profile → ⋮ → Copy member ID)")
      .option('--teams <object-id>', "the Teams user's Microsoft Entra ID object id (a GUID)"),
  )
    .addHelpText(
      'after',
      `
Examples:
  countersign reviewers link alice@example.com --slack U024BE7LH
  countersign reviewers link alice@example.com --teams 6f1c2a9e-8d4b-4f7a-9a51-2c3b4d5e6f70

A click by an unlinked user changes nothing and tells them to ask for this. Linking a user already linked to
someone else moves the link. Every link and unlink is in the audit trail.`,
    )
    .action(async (reviewerId: string, options: LinkOptions) => {
      if (options.slack === undefined && options.teams === undefined) {
        throw new CliError('give --slack MEMBER_ID, --teams OBJECT_ID or both');
      }
      const linked = await connect(context, options, 'admin token').linkReviewer(reviewerId, {
        ...(options.slack !== undefined && { slack: options.slack }),
        ...(options.teams !== undefined && { teams: options.teams }),
      });
      if (options.json) return printJson(context, linked);
      for (const link of linked.links) {
        context.io.stdout(`linked ${link.channel} user ${link.externalId} to reviewer ${linked.reviewer}\n`);
      }
    });

  withClientOptions(
    reviewers
      .command('unlink')
      .description('Remove the link between a Slack or Teams user and a reviewer.')
      .argument('<reviewer-id>', 'the reviewer')
      .option('--slack <member-id>', 'the Slack member id')
      .option('--teams <object-id>', "the Teams user's Entra ID object id"),
  )
    .addHelpText('after', '\nExample:\n  countersign reviewers unlink alice@example.com --slack U024BE7LH')
    .action(async (reviewerId: string, options: LinkOptions) => {
      const targets = [
        ...(options.slack !== undefined ? [['slack', options.slack] as const] : []),
        ...(options.teams !== undefined ? [['teams', options.teams] as const] : []),
      ];
      if (targets.length === 0) throw new CliError('give --slack MEMBER_ID or --teams OBJECT_ID');
      const client = connect(context, options, 'admin token');
      const results = [];
      for (const [channel, id] of targets) results.push(await client.unlinkReviewer(reviewerId, channel, id));
      if (options.json) return printJson(context, results);
      for (const [channel, id] of targets) context.io.stdout(`unlinked ${channel} user ${id} from ${reviewerId}\n`);
    });

  withClientOptions(
    reviewers
      .command('links')
      .description('List the Slack and Teams users linked to a reviewer.')
      .argument('<reviewer-id>', 'the reviewer'),
  )
    .addHelpText('after', '\nExample:\n  countersign reviewers links alice@example.com --json')
    .action(async (reviewerId: string, options: ClientOptions) => {
      const links = await connect(context, options, 'admin token').reviewerLinks(reviewerId);
      if (options.json) return printJson(context, links);
      if (links.links.length === 0) {
        context.io.stderr(
          `countersign: ${links.reviewer} has no chat users linked; link one with \`countersign reviewers link ${links.reviewer} --slack MEMBER_ID\`\n`,
        );
        return;
      }
      context.io.stdout(
        table([
          ['CHANNEL', 'USER', 'LINKED'],
          ...links.links.map((link) => [link.channel, link.externalId, link.createdAt]),
        ]),
      );
    });
  return reviewers;
}
