import type { Placed } from './scan-core.js';
import type { TextIndex } from './text-index.js';

/** A scan's placed text with its digit runs copied into the core's memory for a pass to walk. */
export interface PlacedRuns {
  readonly placed: Placed;
  /** Address of the runs (flat `[start, end)` pairs, as {@link TextIndex.digitRuns}). */
  readonly runsAt: number;
  /** How many integers the runs are: twice the number of runs. */
  readonly runCount: number;
}

/**
 * Places `index`'s text and copies its digit runs into the upper part of the output area, past `length + 15`
 * integers: there are at most `length + 1` of them, and a pass that writes fewer than one finding per code unit
 * writes below them.
 */
export function placeDigitRuns(index: TextIndex): PlacedRuns {
  const runs = index.digitRuns;
  const placed = index.placed;
  const offset = placed.length + 15;
  placed.out.set(runs, offset);
  return { placed, runsAt: placed.outAt + offset * 4, runCount: runs.length };
}
