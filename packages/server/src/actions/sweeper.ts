import type { ActionService } from './service.js';

/**
 * Runs the timed transitions (expiry, escalation) on an interval. Several replicas may sweep at once: the service
 * claims due rows with `FOR UPDATE SKIP LOCKED`, so each action is acted on once.
 */
export class Sweeper {
  readonly #service: ActionService;
  readonly #intervalMs: number;
  readonly #onError: (error: unknown) => void;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> | undefined;

  constructor(service: ActionService, options: { intervalMs: number; onError: (error: unknown) => void }) {
    this.#service = service;
    this.#intervalMs = options.intervalMs;
    this.#onError = options.onError;
  }

  start(): void {
    this.#timer = setInterval(() => {
      if (!this.#running) this.runOnce().catch(this.#onError);
    }, this.#intervalMs);
    this.#timer.unref();
  }

  /** Sweeps until nothing is due; returns how many actions changed. */
  async runOnce(): Promise<number> {
    const run = async (): Promise<number> => {
      let total = 0;
      for (;;) {
        const batch = 100;
        const changed = await this.#service.sweep(batch);
        total += changed;
        if (changed < batch) return total;
      }
    };
    this.#running = run().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running?.catch(() => {});
  }
}
