import type { Database } from '../store/database.js';

/** The NOTIFY channel every committed action change is announced on (payload: the action id). */
export const actionChannel = 'countersign_action';

type Listener = () => void;

/**
 * Wakes whoever waits on an action when it changes, in this process or any other sharing the database: every
 * transition sends `NOTIFY countersign_action, '<id>'` inside its transaction, so the wake-up is delivered when it
 * commits, to every replica's LISTEN connection. Waiters then re-read the action; nobody polls.
 */
export class ActionEvents {
  readonly #listeners = new Map<string, Set<Listener>>();

  /** Starts listening on the database. */
  static async listen(database: Database): Promise<ActionEvents> {
    const events = new ActionEvents();
    await database.listen(actionChannel, {
      message: (payload) => events.#emit(payload),
      // Notifications sent while the connection was down are lost: wake everyone to re-read.
      restored: () => events.#emitAll(),
    });
    return events;
  }

  /** Calls `listener` whenever action `id` changes, until the returned function is called. */
  subscribe(id: string, listener: Listener): () => void {
    let set = this.#listeners.get(id);
    if (!set) {
      set = new Set();
      this.#listeners.set(id, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.#listeners.get(id) === set) this.#listeners.delete(id);
    };
  }

  /** How many waiters there are (a gauge for `/metrics`). */
  get waiting(): number {
    let n = 0;
    for (const set of this.#listeners.values()) n += set.size;
    return n;
  }

  /** Resolves at the next change of `id`, or after `ms`, or when `signal` aborts; says which. */
  next(id: string, ms: number, signal?: AbortSignal): Promise<'changed' | 'timeout' | 'aborted'> {
    return new Promise((resolve) => {
      const finish = (result: 'changed' | 'timeout' | 'aborted'): void => {
        clearTimeout(timer);
        unsubscribe();
        signal?.removeEventListener('abort', onAbort);
        resolve(result);
      };
      const onAbort = (): void => finish('aborted');
      const unsubscribe = this.subscribe(id, () => finish('changed'));
      const timer = setTimeout(() => finish('timeout'), ms);
      if (signal?.aborted) finish('aborted');
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Wakes every waiter (shutdown, reconnect). */
  wakeAll(): void {
    this.#emitAll();
  }

  #emit(id: string): void {
    const set = this.#listeners.get(id);
    if (!set) return;
    for (const listener of [...set]) listener();
  }

  #emitAll(): void {
    for (const id of [...this.#listeners.keys()]) this.#emit(id);
  }
}
