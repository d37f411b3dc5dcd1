/**
 * Masking throughput on one core, in MB/s of input, each figure beside a baseline measured in the same run:
 *
 * - JSONL: `maskStream` with every detector and no policy, against its floor — the same file read, split into
 *   lines, parsed and re-serialised by the same stream code with no masking — and against the peer redacting every
 *   string of every record (walked in place) before re-serialising.
 * - CSV: `maskStream` against its floor — the same CSV reader and writer with no masking.
 * - The `countersign mask` command on the same files, when the built CLI has it (a child process pinned to one
 *   core; its figure includes starting Node).
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
import { defaultScanner } from '../../packages/mask/src/detectors/index.js';
import { CsvReader, formatCsvRow } from '../../packages/mask/src/structured/csv.js';
import { maskStream } from '../../packages/mask/src/structured/index.js';
import { isBlank, LineSplitter } from '../../packages/mask/src/structured/lines.js';
import { decodeChunks, OutputSink } from '../../packages/mask/src/structured/stream-io.js';
import type { Scanner, Span } from '../../packages/mask/src/types.js';
import { csvLines, generateDocuments, jsonlLines, ordinaryText, writeCorpusFile } from './corpus.js';
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
  const lines = new LineSplitter();
  let records = 0;
  const handle = (line: string) => {
    if (isBlank(line)) return;
    records += 1;
    sink.push(`${JSON.stringify(transform(JSON.parse(line)))}\n`);
  };
  for await (const chunk of decodeChunks(createReadStream(input), () => {})) {
    for (const line of lines.push(chunk)) {
      handle(line);
      if (sink.due) await sink.flush();
    }
  }
  const last = lines.end();
  if (last !== undefined) handle(last);
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
      sink.push(`${formatCsvRow(row)}${reader.newline ?? '\n'}`);
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

function cli(format: 'jsonl' | 'csv', input: string, output: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'taskset',
      ['-c', '0', process.execPath, cliBin, 'mask', '--no-progress', '--format', format, input, output],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('exit', async (code) => {
      const written = await stat(output).catch(() => undefined);
      if (code === 0 && written && written.size > 0) resolve();
      else
        reject(new Error(`countersign mask exited ${code} (output ${written?.size ?? 'missing'}): ${stderr.trim()}`));
    });
  });
}

/** Whether the built CLI has a `mask` command (and taskset exists to pin it to one core). */
function cliHasMask(): Promise<boolean> {
  if (!existsSync(join(repoRoot, 'packages/cli/dist/main.js'))) return Promise.resolve(false);
  return new Promise((resolve) => {
    const child = spawn('taskset', ['-c', '0', process.execPath, cliBin, 'mask', '--help'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.on('error', () => resolve(false));
    child.on('exit', (code) => resolve(code === 0 && stdout.includes('Usage: countersign mask')));
  });
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

export async function runThroughput(options: ThroughputOptions = {}): Promise<void> {
  const { megabytes = 16, rounds = 3 } = options;
  const target = Math.round(megabytes * 1_048_576);
  const dir = tmpdir();
  const tag = `countersign-bench-mask-${process.pid}`;
  const jsonlIn = join(dir, `${tag}.jsonl`);
  const csvIn = join(dir, `${tag}.csv`);
  const out = join(dir, `${tag}.out`);
  const withCli = await cliHasMask();
  const peer = new PeerRedactor();
  const findings = { jsonl: 0, csv: 0 };

  try {
    process.stderr.write(`generating ${megabytes} MB of JSONL and of CSV in ${dir} …\n`);
    const jsonl = await writeCorpusFile(jsonlIn, jsonlLines(), target);
    const csv = await writeCorpusFile(csvIn, csvLines(), target);

    const runs: Record<string, { format: 'jsonl' | 'csv'; run: Run }> = {
      'JSONL  countersign maskStream, all detectors': {
        format: 'jsonl',
        run: async (i, o) => {
          findings.jsonl = await ours('jsonl', i, o, jsonl.lines);
        },
      },
      'JSONL  floor: split + JSON.parse + stringify': { format: 'jsonl', run: (i, o) => jsonlPass(i, o, (r) => r) },
      'JSONL  peer: @redactpii/node on every string': {
        format: 'jsonl',
        run: (i, o) => jsonlPass(i, o, (r) => redactStrings(r, (text) => peer.redact(text))),
      },
      'CSV    countersign maskStream, all detectors': {
        format: 'csv',
        run: async (i, o) => {
          findings.csv = await ours('csv', i, o, csv.lines - 1);
        },
      },
      'CSV    floor: the same CSV reader + writer': { format: 'csv', run: csvFloor },
    };
    if (withCli) {
      runs['JSONL  countersign mask (CLI, 1 core, incl. start-up)'] = {
        format: 'jsonl',
        run: (i, o) => cli('jsonl', i, o),
      };
      runs['CSV    countersign mask (CLI, 1 core, incl. start-up)'] = {
        format: 'csv',
        run: (i, o) => cli('csv', i, o),
      };
    }

    const seconds = new Map<string, number[]>();
    for (let round = 0; round <= rounds; round++) {
      for (const [name, { format, run }] of Object.entries(runs)) {
        const started = performance.now();
        await run(format === 'jsonl' ? jsonlIn : csvIn, out);
        const elapsed = (performance.now() - started) / 1000;
        await rm(out, { force: true });
        if (round === 0) continue; // warm-up
        seconds.set(name, [...(seconds.get(name) ?? []), elapsed]);
        process.stderr.write(`  ${name}: ${elapsed.toFixed(2)} s\n`);
      }
    }

    const bytesOf = { jsonl: (await stat(jsonlIn)).size, csv: (await stat(csvIn)).size };
    const rate = (name: string) => {
      const format = runs[name]?.format ?? 'jsonl';
      return bytesOf[format] / 1_048_576 / median(seconds.get(name) ?? []);
    };
    console.log(
      `mask throughput: ${(bytesOf.jsonl / 1_048_576).toFixed(1)} MB JSONL (${jsonl.lines.toLocaleString('en-US')} records), ` +
        `${(bytesOf.csv / 1_048_576).toFixed(1)} MB CSV (${(csv.lines - 1).toLocaleString('en-US')} rows); ` +
        `median of ${rounds} after a warm-up; ${availableParallelism()} CPUs (${cpus()[0]?.model ?? 'unknown'})`,
    );
    for (const name of Object.keys(runs)) {
      const times = (seconds.get(name) ?? []).map((s) => s.toFixed(2)).join(' / ');
      console.log(`  ${name.padEnd(55)} ${rate(name).toFixed(1).padStart(7)} MB/s  (${times} s)`);
    }
    const jsonlOurs = rate('JSONL  countersign maskStream, all detectors');
    const csvOurs = rate('CSV    countersign maskStream, all detectors');
    console.log(
      `  → JSONL: ${(jsonlOurs / rate('JSONL  floor: split + JSON.parse + stringify')).toFixed(2)}× the floor, ` +
        `${(jsonlOurs / rate('JSONL  peer: @redactpii/node on every string')).toFixed(2)}× the peer (which finds 5 types to our 17); ` +
        `CSV: ${(csvOurs / rate('CSV    floor: the same CSV reader + writer')).toFixed(2)}× the floor; ` +
        `budget 50 MB/s for JSONL ${jsonlOurs >= 50 ? 'met' : 'NOT met on this machine'}`,
    );
    console.log(
      `  findings masked per run: JSONL ${findings.jsonl.toLocaleString('en-US')}, CSV ${findings.csv.toLocaleString('en-US')}`,
    );
    const scanner = defaultScanner();
    for (const [label, texts] of [
      ['labelled corpus', generateDocuments(3_000).map((d) => d.text)],
      ['ordinary prose', ordinaryText(4 << 20).split('\n\n')],
    ] as const) {
      const rates = scanRates(scanner, texts);
      const slowest = rates.detectors.slice(0, 6).map(([type, r]) => `${type} ${r.toFixed(0)}`);
      console.log(
        `  scanner.scan alone on the ${label}: ${rates.scan.toFixed(1)} MB/s (budget ≥ 100); slowest detectors alone (MB/s): ${slowest.join(', ')}`,
      );
    }
    if (!withCli) console.log('  (CLI not measured: the built CLI has no `mask` command yet; run npm run build)');
  } finally {
    await Promise.all([jsonlIn, csvIn, out].map((file) => rm(file, { force: true })));
  }
}
