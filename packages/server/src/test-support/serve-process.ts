/**
 * A Countersign server in a process of its own, for tests that need real processes: two replicas on one
 * PostgreSQL, or a server killed with SIGKILL and restarted on the same data.
 *
 * Run it with tsx (`node --import tsx serve-process.ts '{"policy": …}'`, or with the JSON in
 * `COUNTERSIGN_SERVE_PROCESS_CONFIG`). The JSON holds server settings under their config keys (`policy`,
 * `dataDir`, `databaseUrl`, `port`, `adminToken`, `keysDir`, …), and `configFile` for nested settings (channels,
 * outbox). Once listening it prints one JSON line,
 * `{"url": …, "pid": …}`, on stdout; SIGTERM or SIGINT closes it cleanly (exit 0). A start-up failure is printed
 * on stderr and exits 1. {@link startServerProcess} in `server-process.ts` spawns and drives it.
 */
import { resolveServerConfig, type ServerConfigInput } from '../config/index.js';
import { type RunningServer, startServer } from '../server.js';
import { serveProcessConfigVariable } from './server-process.js';

type Settings = Partial<Record<keyof ServerConfigInput, string | number>> & { configFile?: string };

function readSettings(): Settings {
  const text = process.argv[2] ?? process.env[serveProcessConfigVariable];
  if (!text) throw new Error(`pass the server settings as JSON in argv[2] or ${serveProcessConfigVariable}`);
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('the server settings must be a JSON object');
  }
  return parsed as Settings;
}

async function main(): Promise<void> {
  // Only the given settings count: nothing leaks in from the environment of the test run.
  const { configFile, ...flags } = readSettings();
  const config = await resolveServerConfig({ file: configFile, flags, env: {} });
  const server: RunningServer = await startServer(config, { logger: false });
  let closing = false;
  const close = (): void => {
    if (closing) return;
    closing = true;
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`closing failed: ${error instanceof Error ? error.stack : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', close);
  process.on('SIGINT', close);
  process.stdout.write(`${JSON.stringify({ url: server.url, pid: process.pid })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`serve-process failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
