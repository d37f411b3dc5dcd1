import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type StoreKind = 'pglite' | 'postgres';
export const storeKinds: readonly StoreKind[] = ['pglite', 'postgres'];

/** What a server process runs. */
export type ServerSpec =
  | {
      kind: 'countersign';
      store: StoreKind;
      /** Count the SQL statements sent to PostgreSQL (reported when the process stops). */
      countQueries?: boolean;
      /** Run this copy of packages/server instead of the one in the tree (A/B comparisons). */
      serverRoot?: string;
    }
  | {
      kind: 'bare';
      /** A real Countersign response, which the bare server answers with (so both send the same bytes). */
      template: Record<string, unknown>;
    };

export type ParentMessage =
  | { type: 'start'; spec: ServerSpec }
  | { type: 'queries' }
  | { type: 'usage' }
  | { type: 'profile-start' }
  | { type: 'profile-stop'; path: string }
  | { type: 'stop' };

export interface ReadyMessage {
  type: 'ready';
  url: string;
  /** Countersign only: the bench agent's key, the bench reviewer's token, and the PostgreSQL database. */
  agentKey?: string;
  reviewerToken?: string;
  databaseUrl?: string;
}

export type ChildMessage =
  | ReadyMessage
  | { type: 'failed'; error: string }
  /** The statements counted since the last `queries` message (with `countQueries`). */
  | { type: 'queries'; queries: Record<string, number> }
  /** CPU time the server process has used (user + system), microseconds. */
  | { type: 'usage'; cpuUs: number }
  | { type: 'profiling' }
  | { type: 'profiled' }
  | { type: 'stopped'; queries: Record<string, number> };

export interface ServerProcess {
  readonly ready: ReadyMessage;
  readonly pid: number;
  /** The SQL statements the server sent since the last call (only with `countQueries`), by their first words. */
  takeQueries(): Promise<Record<string, number>>;
  /** CPU time (user + system) the process has used so far, microseconds. */
  cpuUs(): Promise<number>;
  /** Starts a CPU profile in the server process (V8 inspector). */
  startProfile(): Promise<void>;
  /** Writes the profile started by `startProfile` to `path` (a .cpuprofile for Chrome DevTools). */
  stopProfile(path: string): Promise<void>;
  /** Stops the server (closing its store and dropping its database) and returns what it counted. */
  stop(): Promise<{ queries: Record<string, number> }>;
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const entry = fileURLToPath(new URL('./server-process.ts', import.meta.url));

/**
 * Starts a server in a child process under tsx, resolving `@countersign/*` to their TypeScript sources (through
 * tsconfig.check.json's paths), so the benchmark always measures the code in the tree, never a stale build.
 */
export async function startServerProcess(
  spec: ServerSpec,
  options: { execArgv?: readonly string[]; timeoutMs?: number } = {},
): Promise<ServerProcess> {
  const child = fork(entry, [], {
    cwd: repoRoot,
    execArgv: ['--import', 'tsx', ...(options.execArgv ?? [])],
    env: { ...process.env, TSX_TSCONFIG_PATH: join(repoRoot, 'tsconfig.check.json') },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const ready = await nextMessage(child, exited, 'ready', options.timeoutMs ?? 60_000, () =>
      child.send({ type: 'start', spec } satisfies ParentMessage),
    );
    let stopping: Promise<{ queries: Record<string, number> }> | undefined;
    return {
      ready,
      pid: child.pid as number,
      async cpuUs() {
        return (
          await nextMessage(child, exited, 'usage', 10_000, () => child.send({ type: 'usage' } satisfies ParentMessage))
        ).cpuUs;
      },
      async startProfile() {
        await nextMessage(child, exited, 'profiling', 10_000, () =>
          child.send({ type: 'profile-start' } satisfies ParentMessage),
        );
      },
      async stopProfile(path) {
        await nextMessage(child, exited, 'profiled', 30_000, () =>
          child.send({ type: 'profile-stop', path } satisfies ParentMessage),
        );
      },
      async takeQueries() {
        const message = await nextMessage(child, exited, 'queries', 10_000, () =>
          child.send({ type: 'queries' } satisfies ParentMessage),
        );
        return message.queries;
      },
      stop() {
        stopping ??= (async () => {
          const stopped = nextMessage(child, exited, 'stopped', 30_000, () =>
            child.send({ type: 'stop' } satisfies ParentMessage),
          );
          const { queries } = await stopped.catch((error: unknown) => {
            child.kill('SIGKILL');
            throw error;
          });
          await exited;
          return { queries };
        })();
        return stopping;
      },
    };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

function nextMessage<T extends ChildMessage['type']>(
  child: ChildProcess,
  exited: Promise<number | null>,
  type: T,
  timeoutMs: number,
  then: () => void,
): Promise<Extract<ChildMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => finish(new Error(`the server process sent no ${type} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onMessage = (message: ChildMessage) => {
      if (message.type === type) finish(undefined, message as Extract<ChildMessage, { type: T }>);
      else if (message.type === 'failed') finish(new Error(`the server process failed:\n${message.error}`));
    };
    const finish = (error: Error | undefined, message?: Extract<ChildMessage, { type: T }>) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      if (error) reject(error);
      else resolve(message as Extract<ChildMessage, { type: T }>);
    };
    child.on('message', onMessage);
    void exited.then((code) => finish(new Error(`the server process exited (code ${code}) before sending ${type}`)));
    then();
  });
}
