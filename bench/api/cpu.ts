import { readFile } from 'node:fs/promises';
import pg from 'pg';

/** Linux's USER_HZ: /proc/PID/stat counts CPU time in these ticks. */
const ticksPerSecond = 100;

/**
 * CPU time of the PostgreSQL backends serving one database, read from /proc (Linux; the server must run on this
 * machine). Other databases' backends — other test suites sharing the server — are not counted.
 */
export class PostgresCpu {
  readonly #client: pg.Client;

  private constructor(client: pg.Client) {
    this.#client = client;
  }

  /** Undefined when /proc is not there to read. */
  static async open(databaseUrl: string): Promise<PostgresCpu | undefined> {
    try {
      await readFile('/proc/self/stat', 'utf8');
    } catch {
      return undefined;
    }
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    return new PostgresCpu(client);
  }

  /** Microseconds of CPU (user + system) used so far by the database's backends, this monitor excluded. */
  async cpuUs(): Promise<number> {
    const { rows } = await this.#client.query<{ pid: number }>(
      'select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
    );
    let ticks = 0;
    for (const { pid } of rows) {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
      if (!stat) continue;
      // Fields after the parenthesised command name; utime and stime are the 14th and 15th fields overall.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    }
    return (ticks / ticksPerSecond) * 1e6;
  }

  async close(): Promise<void> {
    await this.#client.end().catch(() => {});
  }
}

/** This process's CPU time so far (user + system), microseconds. */
export function ownCpuUs(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}
