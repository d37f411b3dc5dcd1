import type { Db } from '../store/database.js';
import { type CheckpointPolicy, chainPending, checkpointIfDue } from './log.js';

export interface SequencerOptions {
  /** Most records chained in one transaction. */
  batchSize?: number;
  /** A safety net: how often to look for records nobody poked about (a replica that crashed after committing). */
  intervalMs?: number;
  /**
   * How long a poke waits for more commits before chaining (default 10 ms). Under load this turns a chaining run
   * per commit into one per burst; on PGlite, whose one connection every request shares, that matters most.
   */
  debounceMs?: number;
  onError?: (error: unknown) => void;
  onChained?: (count: number) => void;
  /** A checkpoint was signed because time passed (those after every 100th entry come with `onChained`). */
  onCheckpoint?: () => void;
  /** Sign checkpoints: after every `every`-th entry, and at least every `maxAgeMs` even when nothing is logged. */
  checkpoints?: CheckpointPolicy & { maxAgeMs: number };
}

/**
 * Runs {@link chainPending} whenever this process commits audit records (`poke`) and on a slow timer. Pokes that
 * arrive while a batch is being chained coalesce into one more run, so under load each run chains a large batch.
 */
export class AuditSequencer {
  readonly #db: Db;
  readonly #batchSize: number;
  readonly #intervalMs: number;
  readonly #debounceMs: number;
  #scheduled: NodeJS.Timeout | undefined;
  readonly #onError: (error: unknown) => void;
  readonly #onChained: (count: number) => void;
  readonly #onCheckpoint: () => void;
  #running: Promise<void> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #checkpointTimer: NodeJS.Timeout | undefined;
  readonly #checkpoints: (CheckpointPolicy & { maxAgeMs: number }) | undefined;
  #stopped = false;

  constructor(db: Db, options: SequencerOptions = {}) {
    this.#db = db;
    this.#batchSize = options.batchSize ?? 2_000;
    this.#intervalMs = options.intervalMs ?? 1_000;
    this.#debounceMs = options.debounceMs ?? 10;
    this.#onError = options.onError ?? (() => {});
    this.#onChained = options.onChained ?? (() => {});
    this.#onCheckpoint = options.onCheckpoint ?? (() => {});
    this.#checkpoints = options.checkpoints;
  }

  start(): void {
    this.#stopped = false;
    this.#timer = setInterval(() => this.poke(), this.#intervalMs);
    this.#timer.unref();
    if (this.#checkpoints) {
      // Look often, sign only when the last checkpoint is maxAgeMs old: the gap never exceeds it by much.
      const every = Math.max(100, Math.min(5_000, this.#checkpoints.maxAgeMs / 4));
      this.#checkpointTimer = setInterval(() => {
        this.checkpointIfDue().catch(this.#onError);
      }, every);
      this.#checkpointTimer.unref();
    }
    this.poke();
  }

  /** Signs a checkpoint of the head if the last one is `maxAgeMs` old (the sequencer's timer calls this). */
  async checkpointIfDue(): Promise<boolean> {
    if (!this.#checkpoints) return false;
    await this.#running;
    const signed = (await checkpointIfDue(this.#db, this.#checkpoints, this.#checkpoints.maxAgeMs)) !== undefined;
    if (signed) this.#onCheckpoint();
    return signed;
  }

  /**
   * Chains everything committed and signs a checkpoint of the head right now (for an inclusion proof of an entry
   * newer than the last checkpoint). False when checkpoints are off.
   */
  async checkpointNow(): Promise<boolean> {
    if (!this.#checkpoints) return false;
    await this.flush();
    await checkpointIfDue(this.#db, this.#checkpoints, 0);
    this.#onCheckpoint();
    return true;
  }

  /** Asks for a run soon; cheap to call after every commit. */
  poke(): void {
    if (this.#stopped || this.#scheduled) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#scheduled = setTimeout(() => {
      this.#scheduled = undefined;
      this.#run();
    }, this.#debounceMs);
  }

  #run(): void {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#drain().finally(() => {
      this.#running = undefined;
      if (this.#again) {
        this.#again = false;
        this.poke();
      }
    });
  }

  /** Resolves once every record committed before the call is chained. */
  async flush(): Promise<void> {
    await this.#running;
    await this.#drain();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    clearInterval(this.#checkpointTimer);
    clearTimeout(this.#scheduled);
    this.#scheduled = undefined;
    await this.#running;
  }

  async #drain(): Promise<void> {
    try {
      for (;;) {
        const chained = await chainPending(this.#db, this.#batchSize, this.#checkpoints);
        if (chained > 0) this.#onChained(chained);
        if (chained < this.#batchSize) return;
      }
    } catch (error) {
      this.#onError(error);
    }
  }
}
