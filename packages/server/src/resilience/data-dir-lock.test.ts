import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../store/database.js';

/**
 * The PGlite data-directory lock after a crash. (A lock whose pid is dead is covered by crash.test.ts, which
 * restarts a SIGKILLed server process.)
 */
describe('the PGlite data-directory lock', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  async function dataDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'countersign-lock-'));
    dirs.push(dir);
    return dir;
  }

  it('takes over a lock naming its own pid that it does not hold (a restarted container is pid 1 again)', async () => {
    const dir = await dataDir();
    const lockFile = join(dir, 'countersign.lock');
    // What a server that crashed left behind, when the restarted server happens to get the same pid.
    await writeFile(lockFile, `${process.pid}@${hostname()}\n`);
    const database = await openDatabase({ kind: 'pglite', dataDir: dir });
    try {
      expect((await readFile(lockFile, 'utf8')).trim()).toBe(`${process.pid}@${hostname()}`);
      // The lock it now holds still keeps out a second opener, even in the same process.
      await expect(openDatabase({ kind: 'pglite', dataDir: dir })).rejects.toThrow(/in use by another Countersign/);
    } finally {
      await database.close();
    }
  }, 30_000);

  it('refuses a lock held by a live process', async () => {
    const dir = await dataDir();
    // The parent of this test process is alive for as long as the test runs.
    await writeFile(join(dir, 'countersign.lock'), `${process.ppid}@${hostname()}\n`);
    await expect(openDatabase({ kind: 'pglite', dataDir: dir })).rejects.toThrow(
      new RegExp(`in use by another Countersign process \\(${process.ppid}@`),
    );
  });
});
