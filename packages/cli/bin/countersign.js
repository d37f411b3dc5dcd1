#!/usr/bin/env node
// The `countersign` command. The TypeScript sources are compiled to dist/ by `npm ci` (the root `prepare` script)
// or `npm run build`.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('countersign: not built yet. Run `npm run build` in the repository root, then try again.\n');
  process.exit(2);
}
if (process.argv[2] === 'mask' || process.argv[2] === 'scan') {
  // A one-shot pass over a file spends much of its time compiling the detectors' hot code (Node 20 has no compile
  // cache). Inlining less makes those compilations cheaper at no cost to the compiled code's speed: on a 16 MB
  // JSONL file on one core the first pass took 24% less time and a warm pass the same (npm run bench -- mask).
  // V8 reads this flag at each compilation, so setting it here, before any detector code has run, is enough.
  const { setFlagsFromString } = await import('node:v8');
  setFlagsFromString('--max-inlined-bytecode-size-cumulative=200');
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
