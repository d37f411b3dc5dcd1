import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type Checkpoint, parseWitness } from '@countersign/core';
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../store/database.js';
import { auditCheckpoints, auditWitness } from '../store/schema.js';
import { checkpointOfRow } from './log.js';

/**
 * Witness sinks: every signed checkpoint is also handed to places outside the database — an append-only file and/or
 * an HTTP endpoint — so that a database rewritten or cut short behind the server's back no longer agrees with them.
 *
 * Delivery is at least once and in order. Each sink has a cursor row (the last checkpoint id it took); a pump sends
 * what follows the cursor and then moves it, so a crash repeats at most the last batch (a repeated checkpoint is
 * identical, and verifiers accept duplicates).
 */
export interface WitnessSink {
  /** Stable name: the cursor's key (`file:/path`, `http:https://…`). */
  readonly name: string;
  deliver(checkpoints: readonly Checkpoint[]): Promise<void>;
}

/** Appends one checkpoint per line and fsyncs before the cursor moves. */
export class FileWitness implements WitnessSink {
  readonly name: string;
  readonly #path: string;

  constructor(path: string) {
    this.#path = path;
    this.name = `file:${path}`;
  }

  async deliver(checkpoints: readonly Checkpoint[]): Promise<void> {
    await mkdir(dirname(this.#path), { recursive: true });
    const file = await open(this.#path, 'a', 0o640);
    try {
      await file.appendFile(checkpoints.map((checkpoint) => `${JSON.stringify(checkpoint)}\n`).join(''));
      await file.sync();
    } finally {
      await file.close();
    }
  }

  /** What the file holds, for `/v1/audit/verify`; nothing if it does not exist yet. */
  async read(): Promise<Checkpoint[]> {
    try {
      return parseWitness(await readFile(this.#path, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }
}

/**
 * POSTs each batch as JSONL (`application/jsonl`, one checkpoint per line) with an optional bearer token; any 2xx
 * is receipt. A transparency-log witness or a SIEM collector can take it as it is.
 */
export class HttpWitness implements WitnessSink {
  readonly name: string;
  readonly #url: string;
  readonly #token: string | undefined;

  constructor(url: string, token?: string) {
    this.#url = url;
    this.#token = token;
    this.name = `http:${url}`;
  }

  async deliver(checkpoints: readonly Checkpoint[]): Promise<void> {
    const response = await fetch(this.#url, {
      method: 'POST',
      headers: {
        'content-type': 'application/jsonl',
        ...(this.#token !== undefined && { authorization: `Bearer ${this.#token}` }),
      },
      body: checkpoints.map((checkpoint) => `${JSON.stringify(checkpoint)}\n`).join(''),
      signal: AbortSignal.timeout(10_000),
    });
    await response.body?.cancel();
    if (!response.ok) throw new Error(`the witness at ${this.#url} answered ${response.status}`);
  }
}

export interface WitnessPumpOptions {
  /** How many checkpoints one delivery carries at most. */
  batchSize?: number;
  /** How often to look for undelivered checkpoints besides pokes (and retry a failed sink). */
  intervalMs?: number;
  onError?: (sink: string, error: unknown) => void;
  onDelivered?: (sink: string, count: number) => void;
}

/** Hands every new checkpoint to every sink, in order, retrying failed sinks on its timer. */
export class WitnessPump {
  readonly #db: Db;
  readonly #sinks: readonly WitnessSink[];
  readonly #options: Required<Omit<WitnessPumpOptions, 'onError' | 'onDelivered'>> & WitnessPumpOptions;
  #running: Promise<void> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(db: Db, sinks: readonly WitnessSink[], options: WitnessPumpOptions = {}) {
    this.#db = db;
    this.#sinks = sinks;
    this.#options = { batchSize: 500, intervalMs: 5_000, ...options };
  }

  get sinks(): readonly WitnessSink[] {
    return this.#sinks;
  }

  start(): void {
    if (this.#sinks.length === 0) return;
    this.#timer = setInterval(() => this.poke(), this.#options.intervalMs);
    this.#timer.unref();
    this.poke();
  }

  /** Asks for a delivery run soon (after the sequencer signed a checkpoint, say). */
  poke(): void {
    if (this.#sinks.length === 0) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#start().catch(() => {});
  }

  /** Delivers everything pending to every sink, after any run under way; a failing sink does not hold up others. */
  async deliverAll(): Promise<void> {
    while (this.#running) await this.#running;
    await this.#start();
  }

  /** One run at a time per process, so a sink never gets the same batch twice from here. */
  #start(): Promise<void> {
    this.#running = this.#deliverPending().finally(() => {
      this.#running = undefined;
      if (this.#again) {
        this.#again = false;
        this.poke();
      }
    });
    return this.#running;
  }

  async #deliverPending(): Promise<void> {
    for (const sink of this.#sinks) {
      try {
        while ((await this.#deliverBatch(sink)) === this.#options.batchSize) {
          // a full batch: there may be more
        }
      } catch (error) {
        this.#options.onError?.(sink.name, error);
        await this.#db
          .update(auditWitness)
          .set({ lastError: String((error as Error).message ?? error).slice(0, 500) })
          .where(eq(auditWitness.sink, sink.name))
          .catch(() => {});
      }
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  /**
   * One batch: read the cursor and what follows, deliver, then move the cursor only if nobody moved it meanwhile.
   * No lock is held while the sink works (on PGlite a transaction would hold the only connection), so two replicas
   * may both deliver a batch: at least once, never out of order, duplicates harmless.
   */
  async #deliverBatch(sink: WitnessSink): Promise<number> {
    await this.#db.insert(auditWitness).values({ sink: sink.name }).onConflictDoNothing();
    const [cursor] = await this.#db.select().from(auditWitness).where(eq(auditWitness.sink, sink.name));
    const after = cursor?.checkpointId ?? 0;
    const rows = await this.#db
      .select()
      .from(auditCheckpoints)
      .where(gt(auditCheckpoints.id, after))
      .orderBy(asc(auditCheckpoints.id))
      .limit(this.#options.batchSize);
    if (rows.length === 0) return 0;
    await sink.deliver(rows.map(checkpointOfRow));
    await this.#db
      .update(auditWitness)
      .set({ checkpointId: (rows[rows.length - 1] as { id: number }).id, deliveredAt: sql`now()`, lastError: null })
      .where(and(eq(auditWitness.sink, sink.name), eq(auditWitness.checkpointId, after)));
    this.#options.onDelivered?.(sink.name, rows.length);
    return rows.length;
  }
}
