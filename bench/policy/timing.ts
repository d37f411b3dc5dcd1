import { hrtime } from 'node:process';

/** Decides the input at `index` with one engine. The result is inspected so the call cannot be optimised away. */
export type DecideAt = (index: number) => unknown;

export interface ThroughputSample {
  readonly decisions: number;
  readonly nanoseconds: number;
}

let missingResults = 0;

/**
 * Decides every input, pass after pass, until at least `minimumMs` has gone by. Only whole passes are timed, with
 * no clock reads between decisions, so the figure is what a tight loop of decisions sustains.
 */
export function measureThroughput(decideAt: DecideAt, inputCount: number, minimumMs: number): ThroughputSample {
  const minimumNs = BigInt(Math.round(minimumMs * 1e6));
  const start = hrtime.bigint();
  let decisions = 0;
  let elapsed = 0n;
  do {
    for (let i = 0; i < inputCount; i++) if (decideAt(i) === undefined) missingResults++;
    decisions += inputCount;
    elapsed = hrtime.bigint() - start;
  } while (elapsed < minimumNs);
  return { decisions, nanoseconds: Number(elapsed) };
}

/** Times each decision of one pass over the inputs on its own, appending nanoseconds to `samples`. */
export function recordLatencies(decideAt: DecideAt, inputCount: number, samples: number[]): void {
  for (let i = 0; i < inputCount; i++) {
    const start = hrtime.bigint();
    const result = decideAt(i);
    const end = hrtime.bigint();
    if (result === undefined) missingResults++;
    samples.push(Number(end - start));
  }
}

/** What two back-to-back clock reads cost: included in every latency sample, not subtracted. */
export function timerOverheadNs(): number {
  const samples: number[] = [];
  for (let i = 0; i < 10_000; i++) {
    const start = hrtime.bigint();
    const end = hrtime.bigint();
    samples.push(Number(end - start));
  }
  return percentile(samples, 0.5);
}

/** Nearest-rank percentile (`fraction` 0.5 for p50, 0.99 for p99). Sorts `samples` in place. */
export function percentile(samples: number[], fraction: number): number {
  if (samples.length === 0) return Number.NaN;
  samples.sort((a, b) => a - b);
  const rank = Math.min(samples.length, Math.max(1, Math.ceil(fraction * samples.length)));
  return samples[rank - 1] ?? Number.NaN;
}

/** Decisions that came back `undefined`; always 0 unless an engine is broken. */
export function missingResultCount(): number {
  return missingResults;
}
