/**
 * Child process of the throughput benchmark: runs one pass (`ours`, `floor` or `peer`, see `passes.ts`) over one
 * file {@link warmUpRounds} times to warm up and then `rounds` times, in a process the parent pins to one core, and prints the timings as
 * JSON with the records (and, for ours, findings) of the last round. Ours here is the figure the one-core budget speaks of: the library warm, as a long-running pipeline would
 * run it, without the start-up a single CLI invocation pays; the floor and the peer run the same way beside it, so
 * the ratios compare like with like.
 *
 * `node --import tsx bench/mask/pinned.ts PASS FORMAT INPUT OUTPUT ROUNDS`
 */
import { rm } from 'node:fs/promises';
import { type Format, type PassName, type PassResult, passNames, runPass } from './passes.js';

const [pass, format, input, output, rounds] = process.argv.slice(2);
if (
  !passNames.includes(pass as PassName) ||
  (format !== 'jsonl' && format !== 'csv') ||
  !input ||
  !output ||
  !(Number(rounds) > 0)
) {
  console.error(`usage: node --import tsx bench/mask/pinned.ts ${passNames.join('|')} jsonl|csv INPUT OUTPUT ROUNDS`);
  process.exit(2);
}

/**
 * Untimed rounds first. One is not enough for the process to be warm: after a single 16 MB round, the next was still
 * the slowest of five for every pass (ours 0.50 s against 0.31–0.46 after it, the floor 0.18 against 0.13–0.15, the
 * peer 0.66 against 0.58–0.64), as V8 was still optimising code the first round had made hot.
 */
const warmUpRounds = 2;

const seconds: number[] = [];
let result: PassResult | undefined;
for (let round = 0; round < warmUpRounds + Number(rounds); round++) {
  const started = performance.now();
  result = await runPass(pass as PassName, format as Format, input, output);
  const elapsed = (performance.now() - started) / 1000;
  await rm(output, { force: true });
  if (round >= warmUpRounds) seconds.push(elapsed);
}
console.log(JSON.stringify({ seconds, ...result }));
