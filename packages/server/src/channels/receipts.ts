import { inArray, lt, sql } from 'drizzle-orm';
import type { Db } from '../store/database.js';
import { channelReceipts } from '../store/schema.js';

/**
 * Inbound channel requests already acted on. Slack retries an interaction it got no quick answer to, and a captured
 * request can be replayed within its signature's five-minute window: keying each request (by its signature, or the
 * activity id) here makes the second arrival a no-op on every replica.
 */

/** True the first time `key` is seen; false for a retry or replay. */
export async function firstReceipt(db: Db, key: string, now: Date): Promise<boolean> {
  const inserted = await db
    .insert(channelReceipts)
    .values({ key, receivedAt: now })
    .onConflictDoNothing()
    .returning({ key: channelReceipts.key });
  return inserted.length > 0;
}

/**
 * Forgets receipts taken by a request whose handling then failed unexpectedly (the store failing, say), so that the
 * sender's retry is handled instead of being taken for a duplicate of something that never happened.
 */
export async function forgetReceipts(db: Db, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await db.delete(channelReceipts).where(inArray(channelReceipts.key, [...keys]));
}

/** Forgets receipts older than `before` (they are past any signature's freshness window). */
export async function purgeReceipts(db: Db, before: Date): Promise<number> {
  const removed = await db
    .delete(channelReceipts)
    .where(lt(channelReceipts.receivedAt, before))
    .returning({ one: sql`1` });
  return removed.length;
}
