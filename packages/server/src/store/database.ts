import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzleNodePostgres } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePostgres } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import * as schema from './schema.js';

/** A Drizzle database or transaction over either driver; every query in the store is written against this. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

/** Where the store keeps its data: an embedded PGlite directory, or a PostgreSQL server. */
export type StoreTarget =
  | { kind: 'pglite'; dataDir: string }
  | { kind: 'postgres'; url: string; ssl?: PostgresSsl; poolMax?: number };

export interface PostgresSsl {
  /** `require`: encrypt, trust any certificate; `verify-full`: verify the server's certificate and name. */
  mode: 'disable' | 'require' | 'verify-full';
  /** A CA bundle (PEM) for `verify-full`. */
  ca?: string;
}

export interface ListenHandlers {
  message(payload: string): void;
  /** The LISTEN connection broke: notifications are being missed until `restored`. */
  lost?(): void;
  /** Listening again after `lost`. */
  restored?(): void;
}

/** An open database: Drizzle, LISTEN/NOTIFY, and a clean shutdown. */
export interface Database {
  readonly kind: StoreTarget['kind'];
  /** For logs and start-up output: the PGlite directory, or the PostgreSQL server without credentials. */
  readonly description: string;
  readonly db: Db;
  /** Calls `message` for every NOTIFY on `channel`; `lost` and `restored` frame a time when some were missed. */
  listen(channel: string, handlers: ListenHandlers): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));

/** Opens the store and applies the committed migrations. */
export async function openDatabase(target: StoreTarget): Promise<Database> {
  return target.kind === 'pglite' ? openPglite(target.dataDir) : openPostgres(target);
}

async function openPglite(dataDir: string): Promise<Database> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const releaseLock = await lockDataDir(dataDir);
  let client: PGlite | undefined;
  try {
    client = await PGlite.create(join(dataDir, 'pglite'));
    const db = drizzlePglite(client, { schema }) as unknown as Db;
    await migratePglite(drizzlePglite(client), { migrationsFolder });
    const pglite = client;
    return {
      kind: 'pglite',
      description: `PGlite in ${dataDir}`,
      db,
      async listen(channel, handlers) {
        // In-process: nothing can be missed.
        await pglite.listen(channel, (payload) => handlers.message(payload));
      },
      async ping() {
        await pglite.query('select 1');
      },
      async close() {
        await pglite.close();
        await releaseLock();
      },
    };
  } catch (error) {
    await client?.close().catch(() => {});
    await releaseLock();
    throw error;
  }
}

async function openPostgres(target: Extract<StoreTarget, { kind: 'postgres' }>): Promise<Database> {
  const ssl = sslOptions(target.ssl);
  const pool = new pg.Pool({
    connectionString: target.url,
    max: target.poolMax ?? 20,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    ...(ssl !== undefined && { ssl }),
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const listeners: pg.Client[] = [];
  try {
    await migrateNodePostgres(drizzleNodePostgres(pool), { migrationsFolder });
  } catch (error) {
    await pool.end().catch(() => {});
    throw describeConnectError(error, target.url);
  }
  const db = drizzleNodePostgres(pool, { schema }) as unknown as Db;
  let closed = false;
  return {
    kind: 'postgres',
    description: `PostgreSQL at ${redactUrl(target.url)}`,
    db,
    async listen(channel, handlers) {
      // A dedicated connection per channel: pool clients come and go, LISTEN must stay put.
      const connect = async (): Promise<void> => {
        const client = new pg.Client({ connectionString: target.url, ...(ssl !== undefined && { ssl }) });
        client.on('notification', (message) => {
          if (message.channel === channel) handlers.message(message.payload ?? '');
        });
        client.on('error', () => {
          if (closed || !listeners.includes(client)) return;
          listeners.splice(listeners.indexOf(client), 1);
          client.end().catch(() => {});
          handlers.lost?.();
          const retry = (): void => {
            if (closed) return;
            connect().then(
              () => handlers.restored?.(),
              () => setTimeout(retry, 500).unref(),
            );
          };
          setTimeout(retry, 100).unref();
        });
        try {
          await client.connect();
          await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
        } catch (error) {
          client.end().catch(() => {});
          throw error;
        }
        listeners.push(client);
      };
      await connect();
    },
    async ping() {
      await db.execute(sql`select 1`);
    },
    async close() {
      closed = true;
      await Promise.all(listeners.map((client) => client.end().catch(() => {})));
      await pool.end();
    },
  };
}

function sslOptions(ssl: PostgresSsl | undefined): pg.ClientConfig['ssl'] {
  if (!ssl || ssl.mode === 'disable') return undefined;
  if (ssl.mode === 'require') return { rejectUnauthorized: false };
  return { rejectUnauthorized: true, ...(ssl.ca !== undefined && { ca: ssl.ca }) };
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

function describeConnectError(error: unknown, url: string): Error {
  const reason = error instanceof Error ? error.message : String(error);
  return new Error(
    `cannot open the PostgreSQL store at ${redactUrl(url)}: ${reason}. Check DATABASE_URL and that the server is running.`,
    { cause: error },
  );
}

/** The lock files this process holds, to tell its own locks from those of an earlier process with the same pid. */
const heldLocks = new Set<string>();

/**
 * PGlite is a single-process database: a second process opening the same directory would corrupt it. The lock is
 * a file holding the owner's pid; a lock whose process is gone (a crash, SIGKILL) is taken over. A lock naming this
 * process's own pid that this process does not hold is stale too: a server restarted in a container is pid 1 again.
 */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lockFile = resolve(dataDir, 'countersign.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lockFile, 'wx', 0o600);
      await handle.writeFile(`${process.pid}@${hostname()}\n`);
      await handle.close();
      heldLocks.add(lockFile);
      return async () => {
        heldLocks.delete(lockFile);
        await unlink(lockFile).catch(() => {});
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = (await readFile(lockFile, 'utf8').catch(() => '')).trim();
      const [pidText, host] = owner.split('@');
      const pid = Number(pidText);
      const sameHost = host === undefined || host === hostname();
      const ownerGone = pid === process.pid ? !heldLocks.has(lockFile) : !processIsAlive(pid);
      if (Number.isInteger(pid) && pid > 0 && sameHost && ownerGone) {
        await unlink(lockFile).catch(() => {});
        continue;
      }
      throw new Error(
        `the data directory ${dataDir} is in use by another Countersign process (${owner || 'unknown'}). ` +
          'Stop that process, or give this one its own --data-dir; to share data between processes, use PostgreSQL (DATABASE_URL). ' +
          `If that process is gone (it ran on another host), remove ${lockFile}.`,
      );
    }
  }
  throw new Error(`could not lock the data directory ${dataDir}; remove ${lockFile} if no Countersign process uses it`);
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
