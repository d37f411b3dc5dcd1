/**
 * `npm run bench -- NAME [args…]` runs one benchmark; `npm run bench` lists them. Each prints its figure and a
 * ratio against a baseline measured in the same run, because these machines are noisy.
 */
const benches: Record<string, { describe: string; load: () => Promise<{ main(args: string[]): Promise<void> }> }> = {
  policy: {
    describe: 'decisions/s and p50/p99 latency of a 200-rule CEL policy, against Cedar (cedar-wasm) on the same policy',
    load: () => import('./policy/index.js'),
  },
  api: {
    describe:
      'allowed-path submissions/s end to end and long-poll wake p50/p99 on PGlite and PostgreSQL, against bare Fastify (and raw NOTIFY)',
    load: () => import('./api/index.js'),
  },
  audit: {
    describe:
      'entries/s of `countersign audit verify` on a 1,000,000-entry export, against the sequential verifier and a one-hash-per-line floor',
    load: () => import('./audit/index.js'),
  },
  mask: {
    describe:
      'per-type precision/recall/F2 on a labelled corpus and MB/s of masking JSONL/CSV, against @redactpii/node and a parse-only floor',
    load: () => import('./mask/index.js'),
  },
};

const [name, ...args] = process.argv.slice(2);
const bench = name === undefined ? undefined : benches[name];
if (!bench) {
  console.log('usage: npm run bench -- NAME [args…]\n\nbenchmarks:');
  for (const [key, { describe }] of Object.entries(benches)) console.log(`  ${key.padEnd(10)} ${describe}`);
  process.exitCode = name === undefined ? 0 : 2;
} else {
  await (await bench.load()).main(args);
}
