import type { ActionWithGrant, CountersignClient } from '@countersign/sdk';
import { approvalProgress, relative } from '../action-view/index.js';
import type { CommandContext } from '../io.js';

export interface WaitWithProgressOptions {
  /** Stop waiting after this long; the action comes back still `pending`. */
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * Waits for a pending action's decision, showing progress on stderr: on a terminal one line, redrawn every second
 * with the elapsed time, status and approvals per requirement; otherwise a line whenever something changes and a
 * heartbeat line every 30 s (CI logs stay short but show the step is alive).
 */
export async function waitWithProgress(
  context: CommandContext,
  client: CountersignClient,
  action: ActionWithGrant,
  options: WaitWithProgressOptions = {},
): Promise<ActionWithGrant> {
  if (action.status !== 'pending') return action;
  const progress = new ProgressLine(context, action);
  try {
    return await client.waitForDecision(action.id, {
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      pollSeconds: context.timing.pollSeconds,
      onProgress: (latest) => progress.update(latest),
    });
  } finally {
    progress.stop();
  }
}

class ProgressLine {
  readonly #context: CommandContext;
  readonly #startedAt = Date.now();
  #action: ActionWithGrant;
  #lastState = '';
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(context: CommandContext, action: ActionWithGrant) {
    this.#context = context;
    this.#action = action;
    if (context.io.isTTY) {
      this.#timer = setInterval(() => this.#draw(), context.timing.redrawMs);
      this.#timer.unref();
      this.#draw();
    } else {
      this.#print();
    }
  }

  update(action: ActionWithGrant): void {
    this.#action = action;
    if (this.#context.io.isTTY) this.#draw();
    else if (state(action) !== this.#lastState) this.#print();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    clearInterval(this.#timer);
    if (this.#context.io.isTTY) {
      this.#draw();
      this.#context.io.stderr('\n');
    } else if (state(this.#action) !== this.#lastState) {
      this.#print();
    }
  }

  #draw(): void {
    // \r returns to the start of the line; \x1b[K erases what a longer previous line left behind.
    this.#context.io.stderr(`\r${this.#text()}\x1b[K`);
  }

  #print(): void {
    this.#lastState = state(this.#action);
    this.#context.io.stderr(`${this.#text()}\n`);
    clearTimeout(this.#timer);
    if (this.#stopped) return;
    this.#timer = setTimeout(() => this.#print(), this.#context.timing.heartbeatMs);
    this.#timer.unref();
  }

  #text(): string {
    const action = this.#action;
    const parts = [`countersign: ${action.id} waiting ${elapsed(Date.now() - this.#startedAt)}`, action.status];
    const approvals = approvalProgress(action);
    if (approvals) parts.push(`approvals ${approvals}`);
    if (action.status === 'pending') parts.push(`expires ${relative(action.approval.expiresAt, new Date())}`);
    return parts.join(' · ');
  }
}

function state(action: ActionWithGrant): string {
  return `${action.status} ${approvalProgress(action)}`;
}

/** `42s`, `3m05s`, `1h02m`. */
function elapsed(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
