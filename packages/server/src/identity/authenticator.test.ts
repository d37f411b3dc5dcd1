import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../store/database.js';
import { credentials } from '../store/schema.js';
import { createPostgresDatabase } from '../test-support/index.js';
import { Authenticator, createAgent, issueReviewerToken, revokeAgentKeys } from './index.js';

/**
 * The authenticator remembers verified credentials, but a revocation anywhere must take effect everywhere, and a
 * replica that cannot hear revocations must not remember anything. Two Database objects on one PostgreSQL database
 * play two replicas.
 */
describe('Authenticator on two replicas sharing PostgreSQL', () => {
  let drop: () => Promise<void>;
  let url: string;
  let a: Database;
  let b: Database;
  const admin = 'admin-token-for-the-authenticator-tests';
  const now = new Date('2026-11-22T09:00:00Z');

  beforeAll(async () => {
    ({ url, drop } = await createPostgresDatabase());
    a = await openDatabase({ kind: 'postgres', url });
    b = await openDatabase({ kind: 'postgres', url });
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await drop?.();
  });

  const until = async (condition: () => Promise<boolean>, what: string) => {
    for (let i = 0; i < 200; i++) {
      if (await condition()) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`timed out waiting until ${what}`);
  };

  it('remembers a verified credential (no database read for the next request)', async () => {
    const replica = new Authenticator(b.db, admin);
    await replica.listen(b);
    const { key } = await a.db.transaction((tx) =>
      createAgent(tx, { id: 'remembered', owner: 'o@example.com', labels: [] }, now),
    );
    expect(await replica.authenticate(key)).toMatchObject({ kind: 'agent', agent: { id: 'remembered' } });
    // Changed behind the authenticator's back (no NOTIFY): it still answers from memory…
    await a.db
      .update(credentials)
      .set({ secretHash: '0'.repeat(64) })
      .where(sql`${credentials.subject} = 'remembered'`);
    expect(await replica.authenticate(key)).toMatchObject({ kind: 'agent' });
    // …but still checks the secret itself on every request.
    expect(await replica.authenticate(`${key.slice(0, 21)}wrong-secret`)).toBeUndefined();
  });

  it('forgets on every replica when a key is revoked on one', async () => {
    const replica = new Authenticator(b.db, admin);
    await replica.listen(b);
    const { key } = await a.db.transaction((tx) =>
      createAgent(tx, { id: 'revoked-elsewhere', owner: 'o@example.com', labels: [] }, now),
    );
    expect(await replica.authenticate(key)).toBeDefined();
    await a.db.transaction((tx) => revokeAgentKeys(tx, 'revoked-elsewhere', now));
    await until(
      async () => (await replica.authenticate(key)) === undefined,
      'the other replica refuses the revoked key',
    );
  });

  it('remembers nothing while it cannot hear revocations (fail closed), and again once it can', async () => {
    const replica = new Authenticator(b.db, admin);
    await replica.listen(b);
    const token = await a.db.transaction((tx) => issueReviewerToken(tx, 'carol@example.com', now));
    expect(await replica.authenticate(token)).toEqual({ kind: 'reviewer', id: 'carol@example.com' });
    // Cut this replica's LISTEN connections.
    const killer = new pg.Client({ connectionString: url });
    await killer.connect();
    await killer.query(
      "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query ilike 'LISTEN%'",
    );
    await killer.end();
    // While deaf, a change made without any NOTIFY is seen at once: it asks the database every time.
    await a.db.update(credentials).set({ revokedAt: now }).where(sql`${credentials.subject} = 'carol@example.com'`);
    expect(await replica.authenticate(token)).toBeUndefined();
    // It reconnects and remembers again (each attempt with a new token: one remembered row is what it shows).
    await until(async () => {
      const fresh = await a.db.transaction((tx) => issueReviewerToken(tx, 'carol@example.com', now));
      await replica.authenticate(fresh);
      await a.db
        .update(credentials)
        .set({ secretHash: '0'.repeat(64) })
        .where(sql`${credentials.id} = ${fresh.slice(4, 20)}`);
      return (await replica.authenticate(fresh)) !== undefined;
    }, 'the replica listens (and remembers) again');
  });

  it('does not remember the answer of a lookup that raced a revocation', async () => {
    const replica = new Authenticator(b.db, admin);
    await replica.listen(b);
    const { key } = await a.db.transaction((tx) =>
      createAgent(tx, { id: 'raced', owner: 'o@example.com', labels: [] }, now),
    );
    const lookup = replica.authenticate(key);
    replica.forget();
    expect(await lookup).toBeDefined();
    await a.db.update(credentials).set({ revokedAt: now }).where(sql`${credentials.subject} = 'raced'`);
    expect(await replica.authenticate(key)).toBeUndefined();
  });
});
