import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The environment variable `serve-process.ts` reads its settings from when argv[2] is absent. */
export const serveProcessConfigVariable = 'COUNTERSIGN_SERVE_PROCESS_CONFIG';

const entry = fileURLToPath(new URL('./serve-process.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
/** Maps `@countersign/*` to the TypeScript sources, as vitest does, so a child never runs a stale build. */
const tsconfig = fileURLToPath(new URL('../../../../tsconfig.check.json', import.meta.url));

/** Server settings under their config keys (see `config/index.ts`); paths should be absolute. */
export interface ServerProcessSettings {
  policy: string;
  dataDir: string;
  adminToken: string;
  databaseUrl?: string;
  /** Replicas on one PostgreSQL must share their signing keys: give them the same directory. */
  keysDir?: string;
  databasePoolMax?: number;
  port?: number;
  /** A config file (YAML or JSON) for the nested settings: channels, outbox, masking. */
  configFile?: string;
}

export interface ServerProcess {
  readonly url: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves when the process has exited (and been reaped), with how. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything the process wrote to stderr so far, for failure messages. */
  stderr(): string;
  /** Sends `signal` (SIGKILL: no clean-up at all) and waits for the exit. */
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM and wait for a clean close; SIGKILL if it takes longer than `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Starts `serve-process.ts` in a child process (`node --import tsx`, so the pid is the server's own: a SIGKILL hits
 * the server, not a wrapper) and resolves once it listens.
 */
export async function startServerProcess(
  settings: ServerProcessSettings,
  options: { startTimeoutMs?: number } = {},
): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, JSON.stringify({ port: 0, ...settings })], {
    cwd: repoRoot,
    env: { ...process.env, TSX_TSCONFIG_PATH: tsconfig },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const started = await new Promise<{ url: string; pid: number }>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server process did not start within ${timeoutMs} ms; stderr:\n${stderr}`));
    }, timeoutMs);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const newline = stdout.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      try {
        resolve(JSON.parse(stdout.slice(0, newline)) as { url: string; pid: number });
      } catch {
        child.kill('SIGKILL');
        reject(new Error(`the server process printed ${JSON.stringify(stdout)} instead of its URL`));
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(
        new Error(`the server process exited (code ${code}, signal ${signal}) before listening; stderr:\n${stderr}`),
      );
    });
  });
  const kill = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  return {
    url: started.url,
    pid: started.pid,
    child,
    exited,
    stderr: () => stderr,
    kill,
    async stop(stopTimeoutMs = 10_000) {
      const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
      try {
        const { code, signal } = await kill('SIGTERM');
        if (code !== 0 && signal !== 'SIGTERM') {
          throw new Error(`the server process did not close cleanly (code ${code}, signal ${signal}):\n${stderr}`);
        }
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
