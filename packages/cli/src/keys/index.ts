import { Command } from 'commander';
import { table } from '../action-view/index.js';
import { type ClientOptions, connect, printJson, withClientOptions } from '../connection/index.js';
import type { CommandContext } from '../io.js';

type CreateOptions = ClientOptions & { owner: string; label?: string[] };

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
      .description("Add a new API key for an agent; its existing keys keep working until they're revoked.")
      .argument('<agent-id>', 'the agent'),
  )
    .addHelpText(
      'after',
      `
Example:
  countersign keys rotate etl > etl.key

Switch every copy of the agent to the new key, then revoke the old ones. Note: \`countersign keys revoke\` revokes
ALL keys of the agent, the new one included (the API has no per-key revocation yet).`,
    )
    .action(async (agentId: string, options: ClientOptions) => {
      const created = await connect(context, options, 'admin token').addAgentKey(agentId);
      if (options.json) return printJson(context, created);
      context.io.stdout(`${created.key}\n`);
      context.io.stderr(
        `countersign: new key for agent ${created.id}, shown once. The old keys still work: switch the agent over, then revoke them.\n`,
      );
    });

  withClientOptions(
    keys
      .command('revoke')
      .description('Revoke every API key of an agent; its requests fail unauthenticated from now on.')
      .argument('<agent-id>', 'the agent'),
  )
    .addHelpText('after', '\nExample:\n  countersign keys revoke etl')
    .action(async (agentId: string, options: ClientOptions) => {
      const revoked = await connect(context, options, 'admin token').revokeAgentKeys(agentId);
      if (options.json) return printJson(context, revoked);
      context.io.stdout(`revoked ${revoked.revoked} key${revoked.revoked === 1 ? '' : 's'} of agent ${revoked.id}\n`);
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
