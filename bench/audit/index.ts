/**
 * `npm run bench -- audit [--quick] [--entries N] [--json]`: how fast `countersign audit verify` checks an export —
 * the issue asks for a 1,000,000-entry export and aims at over 200,000 entries/s.
 *
 * The export is generated once (a realistic signed log: submissions, approvals, redemptions, a checkpoint every
 * 100 entries) and kept in the temp directory. In the same run, alternating, it measures the CLI's verifier (worker
 * threads, hashes over each line's bytes), the same with --strict (every line also parsed and checked canonical),
 * and two baselines: the sequential verifier the server uses (one thread, strict), and a floor that only hashes
 * each line once. Every verification must come out ok with the right count, or the bench fails.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, stat } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { verifyExportFile } from '../../packages/cli/src/audit/verify-file.js';
import { ExportVerifier, inspectLine, sampleLog } from '../../packages/core/src/index.js';

interface Figure {
  name: string;
  entriesPerSecond: number;
  seconds: number;
}

export async function main(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const json = args.includes('--json');
  const entriesFlag = args.indexOf('--entries');
  const entries = entriesFlag >= 0 ? Number(args[entriesFlag + 1]) : quick ? 100_000 : 1_000_000;
  if (!Number.isSafeInteger(entries) || entries < 1) throw new Error('--entries must be a whole number ≥ 1');
  const file = await exportFile(entries, json);
  const size = (await stat(file)).size;
  const runs: Record<string, () => Promise<number>> = {
    'countersign audit verify (workers)': async () => check(await verifyExportFile(file), entries),
    'countersign audit verify --strict (workers)': async () =>
      check(await verifyExportFile(file, { strict: true }), entries),
    'baseline: sequential strict verifier, one thread': async () => sequential(file, entries),
    'floor: one SHA-256 per line, one thread': async () => hashFloor(file),
  };
  const best = new Map<string, number>();
  const rounds = quick ? 1 : 2;
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of Object.entries(runs)) {
      const started = performance.now();
      await run();
      const seconds = (performance.now() - started) / 1000;
      best.set(name, Math.min(best.get(name) ?? Number.POSITIVE_INFINITY, seconds));
      if (!json) process.stderr.write(`  ${name}: ${seconds.toFixed(2)} s\n`);
    }
  }
  const figures: Figure[] = [...best].map(([name, seconds]) => ({
    name,
    seconds,
    entriesPerSecond: Math.round(entries / seconds),
  }));
  const [parallel, strict, baseline, floor] = figures as [Figure, Figure, Figure, Figure];
  const result = {
    entries,
    bytes: size,
    cpus: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    figures,
    ratioToSequential: parallel.entriesPerSecond / baseline.entriesPerSecond,
    strictRatioToSequential: strict.entriesPerSecond / baseline.entriesPerSecond,
    ratioToHashFloor: parallel.entriesPerSecond / floor.entriesPerSecond,
    target: 200_000,
    meetsTarget: parallel.entriesPerSecond >= 200_000,
  };
  if (json) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  const count = (n: number) => n.toLocaleString('en-US');
  console.log(
    `audit export verification: ${count(entries)} entries (${(size / 1_048_576).toFixed(0)} MB), ${result.cpus} CPUs (${result.cpu})`,
  );
  for (const figure of figures) {
    console.log(
      `  ${figure.name.padEnd(50)} ${count(figure.entriesPerSecond).padStart(9)} entries/s  (${figure.seconds.toFixed(2)} s)`,
    );
  }
  if (quick) {
    console.log('  (--quick: too few entries for the worker threads to warm up; run without --quick for the figure)');
  }
  console.log(
    `  → ${result.ratioToSequential.toFixed(2)}× the sequential verifier (strict: ${result.strictRatioToSequential.toFixed(2)}×), ${(100 * result.ratioToHashFloor).toFixed(0)}% of one bare SHA-256 per line; target 200,000 entries/s ${result.meetsTarget ? 'met' : 'NOT met on this machine'}`,
  );
}

function check(report: { ok: boolean; entries: number; failure?: { reason: string } }, entries: number): number {
  if (!report.ok || report.entries !== entries) {
    throw new Error(`verification went wrong: ok=${report.ok}, ${report.entries} entries, ${report.failure?.reason}`);
  }
  return report.entries;
}

async function lines(file: string): Promise<AsyncIterable<string>> {
  return createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
}

async function sequential(file: string, entries: number): Promise<number> {
  const verifier = new ExportVerifier();
  for await (const line of await lines(file)) {
    if (line !== '') verifier.accept(inspectLine(line));
  }
  return check(verifier.finish(), entries);
}

async function hashFloor(file: string): Promise<number> {
  let count = 0;
  for await (const line of await lines(file)) {
    createHash('sha256').update(line).digest();
    count += 1;
  }
  return count;
}

/** The generated export, kept in the temp directory between runs (generating a million entries takes a while). */
async function exportFile(entries: number, quiet: boolean): Promise<string> {
  const file = join(tmpdir(), `countersign-bench-audit-v1-${entries}.jsonl`);
  if (await stat(file).catch(() => undefined)) return file;
  if (!quiet) process.stderr.write(`generating a signed ${entries.toLocaleString('en-US')}-entry export (once) …\n`);
  const log = sampleLog(entries);
  const partial = `${file}.${process.pid}.partial`;
  const out = await open(partial, 'w');
  for (let from = 0; from < log.lines.length; from += 10_000) {
    await out.write(`${log.lines.slice(from, from + 10_000).join('\n')}\n`);
  }
  await out.close();
  await rename(partial, file);
  return file;
}
