/**
 * Child process of the throughput benchmark: masks one file with `maskStream` (every detector, no policy) a warm-up
 * round and then `rounds` times, in a process the parent pins to one core, and prints the timings as JSON. This is
 * the figure the one-core budget speaks of: the library warm, as a long-running pipeline would run it, without
 * the start-up a single CLI invocation pays.
 *
 * `node --import tsx bench/mask/pinned.ts FORMAT INPUT OUTPUT ROUNDS`
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { maskStream } from '../../packages/mask/dist/index.js';

const [format, input, output, rounds] = process.argv.slice(2);
if ((format !== 'jsonl' && format !== 'csv') || !input || !output || !(Number(rounds) > 0)) {
  console.error('usage: node --import tsx bench/mask/pinned.ts jsonl|csv INPUT OUTPUT ROUNDS');
  process.exit(2);
}

const seconds: number[] = [];
for (let round = 0; round <= Number(rounds); round++) {
  const started = performance.now();
  const sink = createWriteStream(output);
  const report = await maskStream({ format, input: createReadStream(input), output: sink });
  if (!sink.writableEnded) sink.end();
  await finished(sink);
  const elapsed = (performance.now() - started) / 1000;
  await rm(output, { force: true });
  if (report.invalid !== 0) throw new Error(`${report.invalid} invalid records in ${input}`);
  if (round > 0) seconds.push(elapsed);
}
console.log(JSON.stringify({ seconds }));
