import { agentKeyId } from '@countersign/sdk';
import { Command } from 'commander';
import { table } from '../action-view/index.js';
import { type ClientOptions, connect, withClientOptions } from '../connection/index.js';
import { CliError, type CommandContext, printJson } from '../io.js';

type CreateOptions = ClientOptions & { owner: string; label?: string[] };
type RevokeOptions = ClientOptions & { key?: string };

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `countersign keys create|rotate|revoke|ls`: agent API keys (admin). */
export function keysCommand(context: CommandContext): Command {
  const keys = new Command('keys').description(
    'Create, rotate, revoke and list agent API keys (needs the admin token).',
  );

  withClientOptions(
    keys
      .command('create')
      .description('Register an agent and print its first API key (shown once).')
      .argument('<agent-id>', 'the agent, e.g. etl or support-bot')
      .requiredOption('--owner <email>', 'the human accountable for the agent (who may then never approve its actions)')
      .option('--label <label>', 'an agent label policy can match on (repeatable)', collect),
  )
    .addHelpText(
      'after',
      `
Example:
  export COUNTERSIGN_TOKEN=$(cat ADMIN_TOKEN_FILE)     # the file \`countersign serve\` printed
  countersign keys create etl --owner dave@example.com --label pipeline

The key alone goes to stdout, so  KEY=$(countersign keys create …)  captures it. It is not shown again.`,
    )
    .action(async (agentId: string, options: CreateOptions) => {
      const created = await connect(context, options, 'admin token').createAgent({
        id: agentId,
        owner: options.owner,
        labels: options.label ?? [],
      });
      if (options.json) return printJson(context, created);
      context.io.stdout(`${created.key}\n`);
      context.io.stderr(
        `countersign: agent ${created.id} (owner ${created.owner}) created. This key is shown once: store it now and give it to the agent as COUNTERSIGN_TOKEN.\n`,
      );
    });

  withClientOptions(
    keys
      .command('rotate')
      .description(
        "Add a new API key for an agent (its existing keys keep working until they're revoked), or with --signing rotate the server's signing key.",
      )
      .argument('[agent-id]', 'the agent')
      .option('--signing', "rotate the server's Ed25519 key that signs grants, audit checkpoints and exports"),
  )
    .addHelpText(
      'after',
      `
Examples:
  countersign keys rotate etl > etl.key.new
  # … switch every copy of the agent to etl.key.new, then retire the old key:
  countersign keys revoke etl --key "$(cat etl.key)"
  countersign keys rotate --signing     # the server's own signing key (grants, audit checkpoints, exports)

The new key alone goes to stdout. The old keys keep working until you revoke them one by one with
\`countersign keys revoke AGENT --key <old key or its id>\` (without --key, revoke revokes ALL keys, the new one too).`,
    )
    .action(async (agentId: string | undefined, options: ClientOptions & { signing?: boolean }) => {
      if (options.signing) {
        if (agentId !== undefined) throw new CliError('--signing rotates the server key: give no agent with it');
        const rotated = await connect(context, options, 'admin token').rotateSigningKey();
        if (options.json) return printJson(context, rotated);
        context.io.stdout(`${rotated.kid}\n`);
        context.io.stderr(
          `countersign: the server now signs with key ${rotated.kid}. The old key ${rotated.previous} stays in the JWKS while grants it signed can still be valid, and in /.well-known/countersign-audit-keys.json for good (old exports keep verifying). Keep its key file.\n`,
        );
        return;
      }
      if (agentId === undefined) {
        throw new CliError('which agent? countersign keys rotate AGENT (or --signing for the server key)');
      }
      const created = await connect(context, options, 'admin token').addAgentKey(agentId);
      if (options.json) return printJson(context, created);
      context.io.stdout(`${created.key}\n`);
      const id = agentKeyId(created.key);
      context.io.stderr(
        `countersign: new key${id ? ` ${id}` : ''} for agent ${created.id}, shown once. The old keys still work: switch every copy of the agent to the new key, then retire the old one with  countersign keys revoke ${created.id} --key <old key or id>\n`,
      );
    });

  withClientOptions(
    keys
      .command('revoke')
      .description(
        'Revoke one API key of an agent (--key), or all of them; requests with a revoked key fail unauthenticated.',
      )
      .argument('<agent-id>', 'the agent')
      .option(
        '--key <key-or-id>',
        'only this key: the whole key (csk_…), or its id (the 16 hex digits after csk_, as `keys rotate` prints)',
      ),
  )
    .addHelpText(
      'after',
      `
Examples:
  countersign keys revoke etl --key "$(cat etl.key)"     # the old key, after a rotation
  countersign keys revoke etl --key 3f9c0a1b2c3d4e5f     # the same, by its id
  countersign keys revoke etl                            # every key of etl

The key is only used to find its id here: its secret is never sent, nor printed.`,
    )
    .action(async (agentId: string, options: RevokeOptions) => {
      const client = connect(context, options, 'admin token');
      if (options.key === undefined) {
        const revoked = await client.revokeAgentKeys(agentId);
        if (options.json) return printJson(context, revoked);
        context.io.stdout(`revoked ${revoked.revoked} key${revoked.revoked === 1 ? '' : 's'} of agent ${revoked.id}\n`);
        return;
      }
      const keyId = keyIdFrom(options.key);
      const revoked = await client.revokeAgentKey(agentId, keyId);
      if (options.json) return printJson(context, { ...revoked, keyId });
      context.io.stdout(`revoked key ${keyId} of agent ${revoked.id}\n`);
    });

  withClientOptions(keys.command('ls').description('List agents, their owners and how many live keys each has.'))
    .addHelpText('after', '\nExample:\n  countersign keys ls --json')
    .action(async (options: ClientOptions) => {
      const agents = await connect(context, options, 'admin token').listAgents();
      if (options.json) return printJson(context, agents);
      if (agents.items.length === 0) {
        context.io.stderr('countersign: no agents yet; create one with `countersign keys create`\n');
        return;
      }
      context.io.stdout(
        table([
          ['AGENT', 'OWNER', 'LABELS', 'KEYS', 'CREATED', 'REVOKED'],
          ...agents.items.map((agent) => [
            agent.id,
            agent.owner,
            agent.labels.join(',') || '-',
            String(agent.keys),
            agent.createdAt,
            agent.revokedAt ?? '-',
          ]),
        ]),
      );
    });
  return keys;
}

/** The key id of `--key`: the whole key (`csk_<id>_<secret>`) or the id alone. Never echoes a key back. */
function keyIdFrom(text: string): string {
  const value = text.trim();
  if (/^[0-9a-f]{16}$/i.test(value)) return value.toLowerCase();
  if (value.startsWith('csk_')) {
    const id = agentKeyId(value);
    if (id) return id;
    throw new CliError(
      '--key: that is not a whole agent key (csk_, 16 hex digits, _, then the secret); was it cut short?',
    );
  }
  if (value.startsWith('csr_')) {
    throw new CliError('--key: that is a reviewer token; revoke those with `countersign reviewers revoke REVIEWER`');
  }
  throw new CliError('--key must be an agent key (csk_…) or its id, the 16 hex digits right after csk_');
}
