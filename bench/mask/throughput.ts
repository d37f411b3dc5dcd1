/**
 * Masking throughput on one core, in MB/s of input, each figure beside a baseline measured in the same run:
 *
 * - JSONL, two files: a mixed event stream (one record in four a customer record full of personal data, the rest
 *   application events with ids, versions, amounts and prose) — the figure the budget speaks of — and a dense one
 *   (every record a customer record: about one finding per 110 bytes). `maskStream` with every detector and no
 *   policy, against its floor — the same file read, split into lines, parsed and re-serialised by the same stream
 *   code with no masking — and against the peer redacting every string of every record before re-serialising.
 * - CSV: `maskStream` against its floor — the same CSV reader and writer with no masking.
 * - The same `maskStream` in a child process pinned to one core, warm (a warm-up round first): the figure the
 *   one-core budget speaks of, as a long-running pipeline sees it.
 * - The `countersign mask` command on the same files, when the built CLI has it (a child process pinned to one
 *   core; its figure includes starting Node and warming up, a fixed cost of about a second).
 *
 * Inputs are generated (seeded) into the temp directory and deleted afterwards. One warm-up round, then three
 * rounds alternating the runs; each figure is the median.
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
// The build's JavaScript (`npm run build`), not the TypeScript sources through tsx: what users run.
import { defaultScanner, maskStream, type Scanner, type Span } from '../../packages/mask/dist/index.js';
import { CsvReader, formatCsvRow } from '../../packages/mask/dist/structured/csv.js';
import { isBlank } from '../../packages/mask/dist/structured/lines.js';
import { decodeChunks, OutputSink, readLines } from '../../packages/mask/dist/structured/stream-io.js';
import { csvLines, generateDocuments, jsonlLines, mixedJsonlLines, ordinaryText, writeCorpusFile } from './corpus.js';
import { PeerRedactor } from './peer.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
// The command's entry point; it runs packages/cli/dist/main.js, the build `npm run build` makes.
const cliBin = join(repoRoot, 'packages/cli/bin/countersign.js');

export interface ThroughputOptions {
  /** Size of each input file in MB (2^20 bytes); at least 16 for the figure the budget speaks of. */
  megabytes?: number;
  rounds?: number;
}

type Run = (input: string, output: string) => Promise<unknown>;

/** Reads `input` as JSON lines through the mask module's own stream code, writing `transform(record)` per line. */
async function jsonlPass(input: string, output: string, transform: (record: unknown) => unknown): Promise<number> {
  const sink = new OutputSink(createWriteStream(output));
  let records = 0;
  for await (const { lines } of readLines(createReadStream(input), () => {})) {
    for (const line of lines) {
      if (isBlank(line)) continue;
      records += 1;
      sink.pushLine(JSON.stringify(transform(JSON.parse(line))));
      if (sink.due) await sink.flush();
    }
  }
  await sink.close(true);
  return records;
}

/** The same, for CSV: the mask module's reader and writer, rows passed through untouched. */
async function csvFloor(input: string, output: string): Promise<number> {
  const sink = new OutputSink(createWriteStream(output));
  const reader = new CsvReader();
  let rows = 0;
  const write = async (batch: string[][]) => {
    for (const row of batch) {
      rows += 1;
      sink.push(formatCsvRow(row));
      sink.push(reader.newline ?? '\n');
      if (sink.due) await sink.flush();
    }
  };
  for await (const chunk of decodeChunks(createReadStream(input), () => {})) await write(reader.push(chunk));
  await write(reader.end());
  await sink.close(true);
  return rows;
}

/** Replaces every string inside `value` (objects and arrays, in place) by `redact(string)`. */
function redactStrings(value: unknown, redact: (text: string) => string): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = redactStrings(value[i], redact);
  } else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = redactStrings(record[key], redact);
  }
  return value;
}

/** Masks `input` with every detector and no policy; fails unless every record came through. */
async function ours(format: 'jsonl' | 'csv', input: string, output: string, records: number): Promise<number> {
  const sink = createWriteStream(output);
  const report = await maskStream({ format, input: createReadStream(input), output: sink });
  if (!sink.writableEnded) sink.end();
  await finished(sink);
  if (report.records !== records || report.invalid !== 0) {
    throw new Error(`maskStream ${format}: ${report.records} records (${report.invalid} invalid), expected ${records}`);
  }
  return Object.values(report.findings).reduce((sum, n) => sum + n, 0);
}

/** Runs Node on one core (`taskset -c 0`) with `args`; resolves with its exit code and output. */
function pinnedNode(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('taskset', ['-c', '0', process.execPath, ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function cli(format: 'jsonl' | 'csv', input: string, output: string): Promise<void> {
  const { code, stderr } = await pinnedNode([cliBin, 'mask', '--no-progress', '--format', format, input, output]);
  const written = await stat(output).catch(() => undefined);
  if (code !== 0 || !written || written.size === 0) {
    throw new Error(`countersign mask exited ${code} (output ${written?.size ?? 'missing'}): ${stderr.trim()}`);
  }
}

/** Seconds per round of `maskStream` in a child process pinned to one core, after a warm-up round. */
async function pinned(format: Format, input: string, output: string, rounds: number): Promise<number[]> {
  const script = join(repoRoot, 'bench/mask/pinned.ts');
  const { code, stdout, stderr } = await pinnedNode(['--import', 'tsx', script, format, input, output, String(rounds)]);
  if (code !== 0) throw new Error(`pinned maskStream exited ${code}: ${stderr.trim()}`);
  return (JSON.parse(stdout) as { seconds: number[] }).seconds;
}

/** Whether the built CLI has a `mask` command (and taskset exists to pin it to one core). */
async function cliHasMask(): Promise<boolean> {
  if (!existsSync(join(repoRoot, 'packages/cli/dist/main.js'))) return false;
  const help = await pinnedNode([cliBin, 'mask', '--help']).catch(() => undefined);
  return help?.code === 0 && help.stdout.includes('Usage: countersign mask');
}

/** MB/s of `scanner.scan` over `texts`, and of each detector alone (slowest first); one warm-up pass each. */
function scanRates(scanner: Scanner, texts: readonly string[]): { scan: number; detectors: [string, number][] } {
  const megabytes = texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0) / 1_048_576;
  const timed = (pass: () => void) => {
    pass();
    const started = performance.now();
    pass();
    return megabytes / ((performance.now() - started) / 1000);
  };
  const scan = timed(() => {
    for (const text of texts) scanner.scan(text);
  });
  const spans: Span[] = [];
  const detectors = scanner.detectors.map((detector): [string, number] => [
    detector.type,
    timed(() => {
      for (const text of texts) {
        spans.length = 0;
        detector.detect(text, spans);
      }
    }),
  ]);
  return { scan, detectors: detectors.sort((a, b) => a[1] - b[1]) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

type Format = 'jsonl' | 'csv';
interface Input {
  label: string;
  format: Format;
  path: string;
  records: number;
}

export async function runThroughput(options: ThroughputOptions = {}): Promise<void> {
  const { megabytes = 16, rounds = 3 } = options;
  const target = Math.round(megabytes * 1_048_576);
  const dir = tmpdir();
  const tag = `countersign-bench-mask-${process.pid}`;
  const out = join(dir, `${tag}.out`);
  const withCli = await cliHasMask();
  const peer = new PeerRedactor();
  const files = {
    mixed: join(dir, `${tag}-mixed.jsonl`),
    dense: join(dir, `${tag}-dense.jsonl`),
    csv: join(dir, `${tag}.csv`),
  };

  try {
    process.stderr.write(`generating ${megabytes} MB each of mixed JSONL, dense JSONL and CSV in ${dir} …\n`);
    const inputs: Input[] = [
      {
        label: 'JSONL mixed',
        format: 'jsonl',
        path: files.mixed,
        records: (await writeCorpusFile(files.mixed, mixedJsonlLines(), target)).lines,
      },
      {
        label: 'JSONL dense',
        format: 'jsonl',
        path: files.dense,
        records: (await writeCorpusFile(files.dense, jsonlLines(), target)).lines,
      },
      {
        label: 'CSV dense',
        format: 'csv',
        path: files.csv,
        records: (await writeCorpusFile(files.csv, csvLines(), target)).lines - 1,
      },
    ];
    const findings = new Map<string, number>();
    const runs: Array<{ input: Input; what: string; run: Run }> = [];
    for (const input of inputs) {
      runs.push({
        input,
        what: 'ours: maskStream, all detectors',
        run: async (i, o) => {
          findings.set(input.label, await ours(input.format, i, o, input.records));
        },
      });
      runs.push({
        input,
        what:
          input.format === 'jsonl' ? 'floor: split + JSON.parse + stringify' : 'floor: the same CSV reader + writer',
        run: input.format === 'jsonl' ? (i, o) => jsonlPass(i, o, (r) => r) : csvFloor,
      });
      if (input.format === 'jsonl') {
        runs.push({
          input,
          what: 'peer: @redactpii/node on every string',
          run: (i, o) => jsonlPass(i, o, (r) => redactStrings(r, (text) => peer.redact(text))),
        });
      }
      if (withCli) {
        runs.push({ input, what: 'ours: countersign mask, pinned to 1 core', run: (i, o) => cli(input.format, i, o) });
      }
    }

    const seconds = new Map<string, number[]>();
    const key = (input: Input, what: string) => `${input.label}  ${what}`;
    for (let round = 0; round <= rounds; round++) {
      for (const { input, what, run } of runs) {
        const started = performance.now();
        await run(input.path, out);
        const elapsed = (performance.now() - started) / 1000;
        await rm(out, { force: true });
        if (round === 0) continue; // warm-up
        seconds.set(key(input, what), [...(seconds.get(key(input, what)) ?? []), elapsed]);
        process.stderr.write(`  ${key(input, what)}: ${elapsed.toFixed(2)} s\n`);
      }
    }

    const pinnedWhat = 'ours: maskStream warm, pinned to 1 core';
    for (const input of inputs) {
      const times = await pinned(input.format, input.path, out, rounds);
      seconds.set(key(input, pinnedWhat), times);
      runs.push({ input, what: pinnedWhat, run: async () => {} });
      process.stderr.write(`  ${key(input, pinnedWhat)}: ${times.map((t) => t.toFixed(2)).join(' / ')} s\n`);
    }

    console.log(
      `mask throughput: ${megabytes} MB per file; median of ${rounds} after a warm-up; ` +
        `${availableParallelism()} CPUs (${cpus()[0]?.model ?? 'unknown'}); in-process runs use the build's JavaScript`,
    );
    const rates = new Map<string, number>();
    for (const input of inputs) {
      const size = (await stat(input.path)).size / 1_048_576;
      console.log(
        `  ${input.label} (${input.records.toLocaleString('en-US')} records, ` +
          `${(findings.get(input.label) ?? 0).toLocaleString('en-US')} findings masked)`,
      );
      for (const { what } of runs.filter((r) => r.input === input)) {
        const times = seconds.get(key(input, what)) ?? [];
        const rate = size / median(times);
        rates.set(key(input, what), rate);
        const list = times.map((t) => t.toFixed(2)).join(' / ');
        console.log(`    ${what.padEnd(42)} ${rate.toFixed(1).padStart(7)} MB/s  (${list} s)`);
      }
      const ours = rates.get(key(input, 'ours: maskStream, all detectors')) ?? Number.NaN;
      const floorName = runs.find((r) => r.input === input && r.what.startsWith('floor'))?.what ?? '';
      const ratios = [`${(ours / (rates.get(key(input, floorName)) ?? Number.NaN)).toFixed(2)}× the floor`];
      const peerRate = rates.get(key(input, 'peer: @redactpii/node on every string'));
      if (peerRate !== undefined)
        ratios.push(`${(ours / peerRate).toFixed(2)}× the peer (which finds 5 types to our 17)`);
      const warm = rates.get(key(input, pinnedWhat));
      if (warm !== undefined) ratios.push(`warm on one core ${warm.toFixed(1)} MB/s`);
      const cliRate = rates.get(key(input, 'ours: countersign mask, pinned to 1 core'));
      if (cliRate !== undefined) ratios.push(`the CLI on one core ${cliRate.toFixed(1)} MB/s`);
      console.log(`    → ${ratios.join(', ')}`);
    }
    const budget = rates.get(key(inputs[0]!, pinnedWhat));
    console.log(
      `  budget: ≥ 50 MB/s on one core for mixed JSONL with every detector — ${budget === undefined ? 'not measured' : `${budget.toFixed(1)} MB/s, ${budget >= 50 ? 'met' : 'NOT met on this machine'}`}`,
    );

    const scanner = defaultScanner();
    for (const [label, texts] of [
      ['labelled corpus', generateDocuments(3_000).map((d) => d.text)],
      ['ordinary prose', ordinaryText(4 << 20).split('\n\n')],
    ] as const) {
      const scanned = scanRates(scanner, texts);
      const slowest = scanned.detectors.slice(0, 6).map(([type, r]) => `${type} ${r.toFixed(0)}`);
      console.log(
        `  scanner.scan alone on the ${label}: ${scanned.scan.toFixed(1)} MB/s; slowest detectors alone (MB/s, each indexing the text itself): ${slowest.join(', ')}`,
      );
    }
    if (!withCli) console.log('  (CLI not measured: the built CLI has no `mask` command yet; run npm run build)');
  } finally {
    await Promise.all([...Object.values(files), out].map((file) => rm(file, { force: true })));
  }
}
