/**
 * The child-process side of the API benchmark: runs one server (Countersign on a fresh store, or the bare Fastify
 * baseline) in a process of its own, so the server and the load generator each have an event loop and the two
 * cores are shared the way they would be between a client and a server. Started by `processes.ts` with tsx.
 *
 * Protocol over the IPC channel: the parent sends `{type: 'start', spec}`, the child answers `ready` (or
 * `failed`); the parent sends `stop`, the child closes everything (dropping its PostgreSQL database) and answers
 * `stopped` before exiting. If the parent goes away, the child cleans up and exits too.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import * as testSupport from '../../packages/server/src/test-support/index.js';
import { startBareServer } from './bare-server.js';
import type { ChildMessage, ParentMessage, ServerSpec } from './processes.js';
import { benchAgent, benchReviewer, wakeRule } from './scenario.js';

let cleanup: (() => Promise<void>) | undefined;
let stopping: Promise<void> | undefined;
const queries = new Map<string, number>();

function send(message: ChildMessage): void {
  process.send?.(message);
}

async function start(spec: ServerSpec): Promise<void> {
  if (spec.kind === 'bare') {
    const bare = await startBareServer(spec.template);
    cleanup = bare.close;
    send({ type: 'ready', url: bare.url });
    return;
  }
  if (spec.countQueries) countPostgresQueries();
  // Another copy of packages/server (an A/B comparison) or the one in this tree.
  const { createAgent, reviewerToken, startTestServer, testPolicy }: typeof testSupport = spec.serverRoot
    ? await import(pathToFileURL(join(spec.serverRoot, 'src/test-support/index.ts')).href)
    : testSupport;
  const server = await startTestServer(spec.store, { policy: `${testPolicy}${wakeRule}` });
  cleanup = server.cleanup;
  const agentKey = await createAgent(server, benchAgent.id, benchAgent.owner);
  const reviewer = await reviewerToken(server, benchReviewer);
  send({
    type: 'ready',
    url: server.url,
    agentKey,
    reviewerToken: reviewer,
    ...(server.databaseUrl !== undefined && { databaseUrl: server.databaseUrl }),
  });
}

/** Counts the statements this process sends to PostgreSQL, by their first words (for `--count-queries`). */
function countPostgresQueries(): void {
  const original = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const first = args[0];
    const text = typeof first === 'string' ? first : ((first as { text?: string } | undefined)?.text ?? '?');
    const key = text.replace(/\s+/g, ' ').trim().slice(0, 90);
    queries.set(key, (queries.get(key) ?? 0) + 1);
    return original.apply(this, args);
  } as typeof pg.Client.prototype.query;
}

let profiler: Session | undefined;

async function startProfile(): Promise<void> {
  profiler = new Session();
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.setSamplingInterval', { interval: 200 });
  await profiler.post('Profiler.start');
}

async function stopProfile(path: string): Promise<void> {
  if (!profiler) throw new Error('no profile was started');
  const { profile } = await profiler.post('Profiler.stop');
  profiler.disconnect();
  profiler = undefined;
  await writeFile(path, JSON.stringify(profile));
}

function fail(error: unknown): void {
  send({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
}

function stop(): Promise<void> {
  stopping ??= (async () => {
    try {
      await cleanup?.();
    } finally {
      send({ type: 'stopped', queries: Object.fromEntries(queries) });
      // Let the IPC message go out; process.exit (not a crash) also writes a --cpu-prof profile.
      setTimeout(() => process.exit(0), 50);
    }
  })();
  return stopping;
}

process.on('message', (message: ParentMessage) => {
  if (message.type === 'start') {
    start(message.spec).catch((error: unknown) => {
      fail(error);
      void stop();
    });
  } else if (message.type === 'queries') {
    send({ type: 'queries', queries: Object.fromEntries(queries) });
    queries.clear();
  } else if (message.type === 'usage') {
    const usage = process.cpuUsage();
    send({ type: 'usage', cpuUs: usage.user + usage.system });
  } else if (message.type === 'profile-start') {
    startProfile().then(() => send({ type: 'profiling' }), fail);
  } else if (message.type === 'profile-stop') {
    stopProfile(message.path).then(() => send({ type: 'profiled' }), fail);
  } else if (message.type === 'stop') {
    void stop();
  }
});
process.on('disconnect', () => void stop());
