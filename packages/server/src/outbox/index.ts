import type { Action } from '@countersign/core';
import { and, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import {
  type ChannelRegistry,
  DeliveryError,
  type MaskingRules,
  type MessageRef,
  maskAction,
  type Notification,
  type NotificationEvent,
  parseTarget,
} from '../channels/index.js';
import type { Clock } from '../clock.js';
import type { Db } from '../store/database.js';
import { actions, channelMessages, type OutboxStatus, outbox } from '../store/schema.js';

/**
 * The outbox: notifications are rows written in the transaction of the change they announce (see
 * `actions/service.ts`), delivered here. Workers claim due rows with `FOR UPDATE SKIP LOCKED` and a lease, so each
 * row has one owner across replicas; a worker that dies mid-send is taken over once its lease runs out, and the row
 * is then marked in doubt so the channel checks the receiver before sending again. Failures are retried with
 * exponential backoff and jitter, then dead-lettered (`GET /v1/outbox?status=dead`, `countersign_outbox_dead`).
 *
 * Order: a notification waits while an earlier one of the same action and target is undelivered (reminders, which
 * are scheduled ahead, excepted), so the request is posted before anything updates it.
 */
export interface OutboxSettings {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  leaseMs: number;
  intervalMs: number;
  concurrency: number;
}

/** How one attempt ended. */
export type DeliveryResult = 'delivered' | 'skipped' | 'retry' | 'dead';

export interface OutboxPumpOptions {
  db: Db;
  clock: Clock;
  channels: ChannelRegistry;
  redaction: MaskingRules;
  settings: OutboxSettings;
  /** After every attempt (metrics). */
  onAttempt?: (kind: string, result: DeliveryResult) => void;
  /** A failed attempt, with the row's target (logs). */
  onFailure?: (failure: {
    id: number;
    target: string;
    attempt: number;
    result: DeliveryResult;
    error: unknown;
  }) => void;
  /** An error of the pump itself (the database failed). */
  onError?: (error: unknown) => void;
}

/** The stored payload of a notification row. */
export interface OutboxPayload {
  event: NotificationEvent;
  /** The action when the event happened. */
  action: Action;
}

interface ClaimedRow {
  id: number;
  action_id: string;
  target: string;
  event: string;
  payload: OutboxPayload;
  attempts: number;
  created_at: string | Date;
  lease_until: string | Date;
  uncertain: boolean;
}

export class OutboxPump {
  readonly #options: OutboxPumpOptions;
  #running: Promise<number> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  /** Until `start`, pokes do nothing (tests drive delivery with `drain`). */
  #stopped = true;

  constructor(options: OutboxPumpOptions) {
    this.#options = options;
  }

  start(): void {
    this.#stopped = false;
    this.#timer = setInterval(() => this.poke(), this.#options.settings.intervalMs);
    this.#timer.unref();
    this.poke();
  }

  /** Asks for a delivery run soon (after a commit that wrote notifications). */
  poke(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#run().catch(() => {});
  }

  /** Delivers everything due now (after any run under way) and returns how many attempts were made. */
  async drain(): Promise<number> {
    while (this.#running) await this.#running.catch(() => {});
    return this.#run(true);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#running?.catch(() => {});
  }

  #run(draining = false): Promise<number> {
    this.#running = this.#deliverDue(draining)
      .catch((error) => {
        this.#options.onError?.(error);
        return 0;
      })
      .finally(() => {
        this.#running = undefined;
        if (this.#again) {
          this.#again = false;
          this.poke();
        }
      });
    return this.#running;
  }

  async #deliverDue(draining: boolean): Promise<number> {
    let total = 0;
    for (;;) {
      const claimed = await this.#claim();
      if (claimed.length === 0) return total;
      const documents = await this.#context(claimed);
      await Promise.all(claimed.map((row) => this.#attempt(row, documents)));
      total += claimed.length;
      if (this.#stopped && !draining) return total;
    }
  }

  /** Claims up to `concurrency` due rows: one owner each, across every replica. */
  async #claim(): Promise<ClaimedRow[]> {
    const { clock, settings, db } = this.#options;
    const now = clock.now();
    const leaseUntil = new Date(now.getTime() + settings.leaseMs);
    const result = await db.execute(sql`
      with due as (
        select o.id, o.in_doubt from ${outbox} o
        where o.status = 'pending' and o.next_attempt_at <= ${now.toISOString()}::timestamptz
          and (o.lease_until is null or o.lease_until <= ${now.toISOString()}::timestamptz)
          and not exists (
            select 1 from ${outbox} p
            where p.action_id = o.action_id and p.target = o.target and p.id < o.id
              and p.status = 'pending' and p.event <> 'action.reminder')
        order by o.next_attempt_at, o.id
        limit ${settings.concurrency}
        for update of o skip locked)
      update ${outbox} set attempts = ${outbox}.attempts + 1, lease_until = ${leaseUntil.toISOString()}::timestamptz,
        in_doubt = true
      from due where ${outbox}.id = due.id
      returning ${outbox}.id, ${outbox}.action_id, ${outbox}.target, ${outbox}.event, ${outbox}.payload,
        ${outbox}.attempts, ${outbox}.created_at, ${outbox}.lease_until, due.in_doubt as uncertain`);
    return ((result as { rows?: ClaimedRow[] }).rows ?? []).map((row) => ({ ...row, id: Number(row.id) }));
  }

  /** The claimed rows' actions as they are now, and the messages already posted for them. */
  async #context(rows: readonly ClaimedRow[]) {
    const ids = [...new Set(rows.map((row) => row.action_id))];
    const [current, messages] = await Promise.all([
      this.#options.db
        .select({ id: actions.id, document: actions.document })
        .from(actions)
        .where(inArray(actions.id, ids)),
      this.#options.db.select().from(channelMessages).where(inArray(channelMessages.actionId, ids)),
    ]);
    return {
      actions: new Map(current.map((row) => [row.id, row.document])),
      messages: new Map(messages.map((row) => [`${row.actionId}\n${row.target}`, row.ref])),
    };
  }

  async #attempt(
    row: ClaimedRow,
    context: { actions: Map<string, Action>; messages: Map<string, MessageRef> },
  ): Promise<void> {
    const { channels, redaction, settings, clock } = this.#options;
    const lease = new Date(row.lease_until);
    const parsed = parseTarget(row.target);
    const channel = parsed && channels.get(parsed.kind);
    const kind = parsed?.kind ?? 'unknown';
    const current = context.actions.get(row.action_id) ?? row.payload.action;
    try {
      const problem = channels.check(row.target);
      if (problem !== undefined || !parsed || !channel) {
        throw new DeliveryError(problem ?? `${row.target} has no channel`, { permanent: true });
      }
      if (row.event === 'action.reminder' && current.status !== 'pending') {
        await this.#finish(row.id, lease, { status: 'delivered', note: `skipped: the action is ${current.status}` });
        this.#options.onAttempt?.(kind, 'skipped');
        return;
      }
      const notification: Notification = {
        id: row.id,
        event: row.event as NotificationEvent,
        target: row.target,
        kind: parsed.kind,
        address: parsed.address,
        action: maskAction(current, redaction),
        snapshot: maskAction(row.payload.action, redaction),
        occurredAt: new Date(row.created_at),
        attempt: row.attempts,
        uncertain: row.uncertain,
        message: context.messages.get(`${row.action_id}\n${row.target}`),
      };
      const signal = AbortSignal.timeout(Math.max(250, settings.leaseMs - 2_000));
      const delivery = await channel.deliver(notification, signal);
      await this.#finish(row.id, lease, {
        status: 'delivered',
        ...(delivery.message && { message: { actionId: row.action_id, target: row.target, ref: delivery.message } }),
      });
      this.#options.onAttempt?.(kind, 'delivered');
    } catch (error) {
      const failure = error instanceof DeliveryError ? error : undefined;
      const dead = failure?.permanent === true || row.attempts >= settings.maxAttempts;
      const result: DeliveryResult = dead ? 'dead' : 'retry';
      const message = `attempt ${row.attempts}: ${(error as Error)?.message ?? String(error)}`.slice(0, 1000);
      await this.#finish(row.id, lease, {
        status: dead ? 'dead' : 'pending',
        note: message,
        // Unknown errors are treated as in doubt: at worst the next attempt looks before posting.
        inDoubt: failure ? failure.inDoubt : true,
        nextAttemptAt: new Date(clock.now().getTime() + retryDelay(row.attempts, settings, failure?.retryAfterMs)),
      });
      this.#options.onAttempt?.(kind, result);
      this.#options.onFailure?.({ id: row.id, target: row.target, attempt: row.attempts, result, error });
    }
  }

  /**
   * Records how an attempt ended, only if this worker still holds the lease (one that overran it lost the row to
   * another worker, whose result counts). A posted message is recorded in the same statement.
   */
  async #finish(
    id: number,
    lease: Date,
    end: {
      status: OutboxStatus;
      note?: string;
      inDoubt?: boolean;
      nextAttemptAt?: Date;
      message?: { actionId: string; target: string; ref: MessageRef };
    },
  ): Promise<void> {
    const now = this.#options.clock.now().toISOString();
    const delivered = end.status === 'delivered';
    const update = sql`update ${outbox} set status = ${end.status}, lease_until = null,
        in_doubt = ${end.inDoubt ?? false}, last_error = ${end.note ?? null},
        delivered_at = ${delivered ? now : null}::timestamptz,
        next_attempt_at = coalesce(${end.nextAttemptAt?.toISOString() ?? null}::timestamptz, next_attempt_at)
      where id = ${id} and lease_until = ${lease.toISOString()}::timestamptz`;
    if (!end.message) {
      await this.#options.db.execute(update);
      return;
    }
    const { actionId, target, ref } = end.message;
    await this.#options.db.execute(sql`with finished as (${update} returning id)
      insert into ${channelMessages} (action_id, target, ref, created_at)
      select ${actionId}, ${target}, ${JSON.stringify(ref)}::jsonb, ${now}::timestamptz from finished
      on conflict (action_id, target) do update set ref = excluded.ref`);
  }
}

/**
 * The wait before retry `attempt + 1`: exponential from `baseDelayMs`, capped at `maxDelayMs`, with "equal jitter"
 * (half fixed, half random) so a receiver that comes back is not hit by every replica at once; never sooner than
 * the receiver's `Retry-After`.
 */
export function retryDelay(attempt: number, settings: OutboxSettings, retryAfterMs?: number): number {
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** Math.min(attempt - 1, 30));
  const jittered = ceiling / 2 + Math.random() * (ceiling / 2);
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}

/** A notification row as the API lists it. */
export interface OutboxItem {
  id: number;
  actionId: string;
  target: string;
  event: string;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  deliveredAt: string | null;
  createdAt: string;
}

/** A page of notifications, newest first. */
export async function listOutbox(
  db: Db,
  query: { status?: OutboxStatus; actionId?: string; limit: number; cursor?: number },
): Promise<{ items: OutboxItem[]; nextCursor?: number }> {
  const conditions = [
    query.status ? eq(outbox.status, query.status) : undefined,
    query.actionId ? eq(outbox.actionId, query.actionId) : undefined,
    query.cursor !== undefined ? lt(outbox.id, query.cursor) : undefined,
  ].filter((condition) => condition !== undefined);
  const rows = await db
    .select()
    .from(outbox)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(desc(outbox.id))
    .limit(query.limit + 1);
  const items = rows.slice(0, query.limit).map(
    (row): OutboxItem => ({
      id: row.id,
      actionId: row.actionId,
      target: row.target,
      event: row.event,
      status: row.status,
      attempts: row.attempts,
      nextAttemptAt: row.nextAttemptAt.toISOString(),
      lastError: row.lastError,
      deliveredAt: row.deliveredAt?.toISOString() ?? null,
      createdAt: row.createdAt.toISOString(),
    }),
  );
  const last = items[items.length - 1];
  return rows.length > query.limit && last ? { items, nextCursor: last.id } : { items };
}

/** Counts of notifications by status (metrics). */
export async function countOutbox(db: Db): Promise<Record<OutboxStatus, number>> {
  const rows = await db
    .select({ status: outbox.status, count: sql<number>`count(*)::int` })
    .from(outbox)
    .where(sql`${outbox.status} <> 'delivered'`)
    .groupBy(outbox.status);
  const counts: Record<OutboxStatus, number> = { pending: 0, delivered: 0, dead: 0 };
  for (const row of rows) counts[row.status] = Number(row.count);
  return counts;
}
