import { Command } from 'commander';
import { defaultServerUrl } from '../connection/index.js';
import { CliError, type CommandContext, exitCodes } from '../io.js';

interface ServeOptions {
  policy?: string;
  dataDir?: string;
  port?: string;
  host?: string;
  databaseUrl?: string;
  config?: string;
}

/** `countersign serve`: run the approval service in the foreground until Ctrl-C or SIGTERM. */
export function serveCommand(context: CommandContext): Command {
  return new Command('serve')
    .description('Run the Countersign server in the foreground (embedded PGlite by default, or PostgreSQL).')
    .option('--policy <file>', 'the policy YAML file')
    .option('--data-dir <dir>', 'where the embedded database and generated keys live (default: .countersign)')
    .option('--port <n>', 'port to listen on (default 8080)')
    .option('--host <host>', 'interface to listen on (default 127.0.0.1)')
    .option('--database-url <url>', 'use this PostgreSQL server instead of the embedded database (or DATABASE_URL)')
    .option('--config <file>', 'a server config file; flags override it, and it overrides the environment')
    .addHelpText(
      'after',
      `
Examples:
  countersign serve --policy examples/policy.yaml
  countersign serve --config countersign.yaml --port 9000
  DATABASE_URL=postgres://countersign@db/countersign countersign serve --host 0.0.0.0

Stops cleanly on Ctrl-C or SIGTERM (exit 0). Configuration problems exit 2.`,
    )
    .action(async (options: ServeOptions) => serve(context, options));
}

async function serve(context: CommandContext, options: ServeOptions): Promise<void> {
  const { io } = context;
  const port = parsePort(options.port);
  // Loaded on demand: the server's dependencies (Fastify, PGlite, …) stay out of every other command's start-up.
  const { resolveServerConfig, startServer } = await import('@countersign/server');
  let config: Awaited<ReturnType<typeof resolveServerConfig>>;
  try {
    config = await resolveServerConfig({
      file: options.config,
      flags: {
        policy: options.policy,
        dataDir: options.dataDir,
        port,
        host: options.host,
        databaseUrl: options.databaseUrl,
      },
      env: context.env,
    });
  } catch (error) {
    throw new CliError(message(error), exitCodes.usage);
  }
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(config);
  } catch (error) {
    throw new CliError(`the server did not start: ${message(error)}`, exitCodes.failed);
  }
  io.stderr(banner(server));
  // SIGHUP re-reads the policy file; a bad edit is refused and the policy in force stays.
  const reload = () => {
    server.reloadPolicy().then(
      (policy) => io.stderr(`countersign: policy reloaded (${policy.version})\n`),
      (error: unknown) =>
        io.stderr(`countersign: policy reload refused, the previous policy stays: ${message(error)}\n`),
    );
  };
  process.on('SIGHUP', reload);
  await stopSignal();
  process.off('SIGHUP', reload);
  io.stderr('countersign: stopping…\n');
  await server.close();
  io.stderr('countersign: stopped\n');
}

function banner(server: { url: string; storeDescription: string; adminTokenSource: string }): string {
  // The source is an environment variable's name, `config` (the config file's adminToken), or the token file.
  const source = server.adminTokenSource;
  const fromEnvironment = /^[A-Z][A-Z0-9_]*$/.test(source);
  let token: string;
  let exportToken: string;
  if (fromEnvironment) {
    token = `from $${source}`;
    exportToken = `export COUNTERSIGN_TOKEN=$${source}`;
  } else if (source === 'config') {
    token = 'adminToken in the config file';
    exportToken = 'export COUNTERSIGN_TOKEN=…   # the adminToken of the config file';
  } else {
    token = source;
    exportToken = `export COUNTERSIGN_TOKEN=$(cat ${shellQuote(source)})`;
  }
  const exportUrl =
    server.url.replace(/\/+$/, '') === defaultServerUrl ? '' : `  export COUNTERSIGN_URL=${server.url}\n`;
  return `countersign: serving on ${server.url}
  data:        ${server.storeDescription}
  admin token: ${token}
next, in another shell:
${exportUrl}  ${exportToken}
  countersign keys create my-agent --owner you@example.com
Ctrl-C stops the server; kill -HUP reloads the policy file.
`;
}

/** Resolves on the first SIGINT or SIGTERM (and stops listening for both). */
function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

function parsePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new CliError(`--port "${text}" must be a whole number from 0 to 65535`);
  }
  return port;
}

function shellQuote(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replaceAll("'", "'\\''")}'`;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
